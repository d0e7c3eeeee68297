package org.geneformer4j.classify;

import java.util.Locale;
import org.geneformer4j.util.UserException;

/** Fractions of the cells for training, validation (model selection) and test (the reported figures). */
public record SplitSizes(double train, double valid, double test) {
    public static final SplitSizes DEFAULT = new SplitSizes(0.8, 0.1, 0.1);

    /** Parses {@code train=0.8,valid=0.1,test=0.1}; omitted parts are 0. */
    public static SplitSizes parse(String s) {
        double train = 0, valid = 0, test = 0;
        for (String part : s.split(",")) {
            String[] kv = part.split("=", 2);
            double v;
            try {
                v = kv.length == 2 ? Double.parseDouble(kv[1].trim()) : Double.NaN;
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            if (!(v >= 0 && v <= 1)) {
                throw new UserException("--split takes train=F,valid=F,test=F with fractions in [0, 1], not '" + s + "'");
            }
            switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                case "train" -> train = v;
                case "valid", "eval", "validation" -> valid = v;
                case "test" -> test = v;
                default -> throw new UserException("--split: unknown part '" + kv[0] + "' (train, valid, test)");
            }
        }
        if (Math.abs(train + valid + test - 1) > 1e-6 || train <= 0) {
            throw new UserException("--split fractions must sum to 1 with some training data, not '" + s + "'");
        }
        return new SplitSizes(train, valid, test);
    }

    int parts() {
        return 1 + (valid > 0 ? 1 : 0) + (test > 0 ? 1 : 0);
    }
}
