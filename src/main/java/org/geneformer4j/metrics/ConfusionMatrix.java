package org.geneformer4j.metrics;

import java.util.List;

/**
 * Counts of (true class, predicted class) over a fixed class order, with the measures upstream reports from it
 * (scikit-learn's definitions: accuracy, per-class precision and recall, macro F1 with 0 for empty classes).
 */
public record ConfusionMatrix(List<String> classes, long[][] counts) {

    public static ConfusionMatrix of(List<String> classes, int[] truth, int[] predicted) {
        int k = classes.size();
        long[][] c = new long[k][k];
        for (int i = 0; i < truth.length; i++) {
            c[truth[i]][predicted[i]]++;
        }
        return new ConfusionMatrix(List.copyOf(classes), c);
    }

    public long total() {
        long t = 0;
        for (long[] r : counts) {
            for (long v : r) {
                t += v;
            }
        }
        return t;
    }

    public double accuracy() {
        long right = 0;
        for (int i = 0; i < counts.length; i++) {
            right += counts[i][i];
        }
        return total() == 0 ? 0 : right / (double) total();
    }

    public double precision(int cls) {
        long col = 0;
        for (long[] r : counts) {
            col += r[cls];
        }
        return col == 0 ? 0 : counts[cls][cls] / (double) col;
    }

    public double recall(int cls) {
        long row = 0;
        for (long v : counts[cls]) {
            row += v;
        }
        return row == 0 ? 0 : counts[cls][cls] / (double) row;
    }

    public double f1(int cls) {
        double p = precision(cls);
        double r = recall(cls);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Unweighted mean of the per-class F1 over classes that occur as truth or prediction (scikit-learn's labels). */
    public double macroF1() {
        double s = 0;
        int used = 0;
        for (int c = 0; c < counts.length; c++) {
            long row = 0;
            long col = 0;
            for (int j = 0; j < counts.length; j++) {
                row += counts[c][j];
                col += counts[j][c];
            }
            if (row + col > 0) {
                s += f1(c);
                used++;
            }
        }
        return used == 0 ? 0 : s / used;
    }

    /** Each row divided by its sum (upstream's plot: row-L1-normalised), 0 for empty rows. */
    public double[][] rowNormalised() {
        double[][] out = new double[counts.length][counts.length];
        for (int i = 0; i < counts.length; i++) {
            long row = 0;
            for (long v : counts[i]) {
                row += v;
            }
            for (int j = 0; j < counts.length; j++) {
                out[i][j] = row == 0 ? 0 : counts[i][j] / (double) row;
            }
        }
        return out;
    }
}
