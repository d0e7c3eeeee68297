package org.geneformer4j.plot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A label column prepared for colouring: categorical (classes in a stable order, missing values last) or
 * continuous (all values numbers, more than 20 distinct ones).
 */
record Labels(String name, String[] values, List<String> classes, int[] code, double[] numeric) {
    static final String MISSING = "NA";

    boolean continuous() {
        return numeric != null;
    }

    int count(int cls) {
        int c = 0;
        for (int v : code) {
            if (v == cls) {
                c++;
            }
        }
        return c;
    }

    static boolean missing(String v) {
        return v == null || v.isEmpty() || v.equalsIgnoreCase("nan") || v.equals("NA") || v.equalsIgnoreCase("none");
    }

    static Labels of(String name, String[] values) {
        Map<String, Integer> distinct = new LinkedHashMap<>();
        boolean allNumbers = true;
        for (String v : values) {
            if (missing(v)) {
                continue;
            }
            distinct.merge(v, 1, Integer::sum);
            if (allNumbers && parse(v) == null) {
                allNumbers = false;
            }
        }
        if (allNumbers && distinct.size() > 20) {
            double[] num = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                num[i] = missing(values[i]) ? Double.NaN : parse(values[i]);
            }
            return new Labels(name, values, List.of(), null, num);
        }
        List<String> classes = new ArrayList<>(distinct.keySet());
        boolean numbers = allNumbers;
        classes.sort(numbers ? Comparator.comparingDouble(Labels::parse)
                : Comparator.comparing((String s) -> s.toLowerCase(Locale.ROOT)).thenComparing(s -> s));
        boolean anyMissing = distinct.values().stream().mapToInt(i -> i).sum() < values.length;
        if (anyMissing) {
            classes.add(MISSING);
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i);
        }
        int[] code = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            code[i] = missing(values[i]) ? classes.size() - 1 : index.get(values[i]);
        }
        return new Labels(name, values, classes, code, null);
    }

    private static Double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    java.awt.Color colour(int cls) {
        return classes.get(cls).equals(MISSING) && cls == classes.size() - 1 ? Palette.MISSING : Palette.category(cls);
    }
}
