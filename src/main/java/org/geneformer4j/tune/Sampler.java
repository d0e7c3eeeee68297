package org.geneformer4j.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Proposes a trial's hyperparameters from the finished trials. Random search draws each dimension independently;
 * TPE (Bergstra et al. 2011, as hyperopt/Optuna) does so for its first trials, then splits the finished trials
 * into the best quarter and the rest, fits a Parzen estimator to each per dimension (Gaussians at the
 * observations, plus a broad prior), and takes the best of 24 candidates drawn from the good estimator by the
 * ratio of the two densities. Proposals depend only on (seed, trial number, history): a resumed study repeats them.
 */
public final class Sampler {
    static final int STARTUP = 4;
    static final double GAMMA = 0.25;
    static final int CANDIDATES = 24;

    /** A finished trial: its parameters and its objective (larger is better). */
    public record Observation(Map<String, Object> params, double objective) {}

    private final boolean tpe;
    private final long seed;

    public Sampler(String kind, long seed) {
        this.tpe = switch (kind.toLowerCase(java.util.Locale.ROOT)) {
            case "tpe" -> true;
            case "random" -> false;
            default -> throw new org.geneformer4j.util.UserException("unknown --sampler '" + kind + "' (tpe, random)");
        };
        this.seed = seed;
    }

    public Map<String, Object> propose(SearchSpace space, int trial, List<Observation> history) {
        Random rng = new Random(seed * 1_000_003L + trial);
        List<Observation> done = history.stream().filter(o -> Double.isFinite(o.objective())).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        for (Param p : space.params()) {
            if (!tpe || done.size() < STARTUP) {
                out.put(p.name(), random(p, rng));
            } else {
                List<Observation> sorted = new ArrayList<>(done);
                sorted.sort(Comparator.comparingDouble(Observation::objective).reversed());
                int nGood = Math.max(1, (int) Math.ceil(GAMMA * sorted.size()));
                out.put(p.name(), tpe(p, sorted.subList(0, nGood), sorted.subList(nGood, sorted.size()), rng));
            }
        }
        return out;
    }

    static Object random(Param p, Random rng) {
        if (p.kind() == Param.Kind.CHOICE) {
            return p.choices().get(rng.nextInt(p.choices().size()));
        }
        double x = p.internalLow() + rng.nextDouble() * (p.internalHigh() - p.internalLow());
        return value(p, p.fromInternal(x));
    }

    private static Object value(Param p, double v) {
        return p.kind() == Param.Kind.INT ? (Object) (long) v : (Object) v;
    }

    static Object tpe(Param p, List<Observation> good, List<Observation> bad, Random rng) {
        if (p.kind() == Param.Kind.CHOICE) {
            int k = p.choices().size();
            double[] lw = weights(p, good, k), gw = weights(p, bad, k);
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CANDIDATES; c++) {
                int i = pick(lw, rng);
                double score = Math.log(lw[i]) - Math.log(gw[i]);
                if (score > bestScore) {
                    bestScore = score;
                    best = i;
                }
            }
            return p.choices().get(best);
        }
        Parzen l = Parzen.of(p, good), g = Parzen.of(p, bad);
        double best = Double.NaN, bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < CANDIDATES; c++) {
            double x = l.sample(rng);
            double score = l.logDensity(x) - g.logDensity(x);
            if (score > bestScore) {
                bestScore = score;
                best = x;
            }
        }
        return value(p, p.fromInternal(best));
    }

    /** Category frequencies among {@code obs}, with one prior count each. */
    private static double[] weights(Param p, List<Observation> obs, int k) {
        double[] w = new double[k];
        java.util.Arrays.fill(w, 1.0);
        for (Observation o : obs) {
            int i = indexOf(p, o.params().get(p.name()));
            if (i >= 0) {
                w[i] += 1;
            }
        }
        double s = 0;
        for (double v : w) {
            s += v;
        }
        for (int i = 0; i < k; i++) {
            w[i] /= s;
        }
        return w;
    }

    private static int indexOf(Param p, Object v) {
        for (int i = 0; i < p.choices().size(); i++) {
            if (String.valueOf(p.choices().get(i)).equals(String.valueOf(v))) {
                return i;
            }
        }
        return -1;
    }

    private static int pick(double[] w, Random rng) {
        double u = rng.nextDouble(), s = 0;
        for (int i = 0; i < w.length; i++) {
            s += w[i];
            if (u < s) {
                return i;
            }
        }
        return w.length - 1;
    }

    /** A 1-D Parzen estimator on the internal scale, truncated to the bounds: one Gaussian per point plus a prior. */
    record Parzen(double[] mu, double[] sigma, double low, double high) {
        static Parzen of(Param p, List<Observation> obs) {
            double lo = p.internalLow(), hi = p.internalHigh(), range = hi - lo;
            List<Double> xs = new ArrayList<>();
            for (Observation o : obs) {
                Object v = o.params().get(p.name());
                if (v instanceof Number n) {
                    xs.add(p.toInternal(n.doubleValue()));
                }
            }
            xs.sort(null);
            int n = xs.size();
            double[] mu = new double[n + 1], sigma = new double[n + 1];
            double minSigma = range / Math.min(100.0, 1.0 + n);
            for (int i = 0; i < n; i++) {
                double left = i > 0 ? xs.get(i) - xs.get(i - 1) : xs.get(i) - lo;
                double right = i < n - 1 ? xs.get(i + 1) - xs.get(i) : hi - xs.get(i);
                mu[i] = xs.get(i);
                sigma[i] = Math.min(range, Math.max(minSigma, Math.max(left, right)));
            }
            mu[n] = (lo + hi) / 2;
            sigma[n] = range;
            return new Parzen(mu, sigma, lo, hi);
        }

        double sample(Random rng) {
            int i = rng.nextInt(mu.length);
            for (int tries = 0; tries < 100; tries++) {
                double x = mu[i] + sigma[i] * rng.nextGaussian();
                if (x >= low && x <= high) {
                    return x;
                }
            }
            return Math.min(high, Math.max(low, mu[i]));
        }

        double logDensity(double x) {
            double s = 0;
            for (int i = 0; i < mu.length; i++) {
                double z = (x - mu[i]) / sigma[i];
                s += Math.exp(-0.5 * z * z) / (sigma[i] * mass(i));
            }
            return Math.log(s / mu.length + 1e-300);
        }

        /** The share of component i inside the bounds (truncation renormalises it). */
        private double mass(int i) {
            return Math.max(1e-12, phi((high - mu[i]) / sigma[i]) - phi((low - mu[i]) / sigma[i]));
        }

        private static double phi(double z) {
            return 0.5 * org.apache.commons.math3.special.Erf.erfc(-z / Math.sqrt(2));
        }
    }
}
