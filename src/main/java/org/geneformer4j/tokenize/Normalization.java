package org.geneformer4j.tokenize;

/**
 * Upstream's normalisation {@code x / n_counts * target_sum / median}, reproduced to the bit for the input at hand.
 *
 * <p>Upstream evaluates that expression with numpy/scipy, so the arithmetic follows the input's dtypes:
 * <ul>
 *   <li>h5ad (scipy sparse): {@code X / n} is {@code X.multiply(1 / n)} and {@code / median} is
 *       {@code .multiply(1 / median)}: reciprocals, then products. With float32 X and float32 {@code n_counts} (what
 *       anndata files usually hold) the reciprocal and both products are float32; the median step is float64.</li>
 *   <li>loom (numpy dense): true divisions, again in float32 when the matrix and {@code n_counts} are float32.</li>
 * </ul>
 * Computing everything in double instead changes the gene order of about 5% of full-transcriptome cells
 * (near-equal values swap), so exact parity needs this. Integer {@code n_counts}, float64 data or a
 * computed {@code n_counts} give float64 throughout.
 */
public final class Normalization {
    /** Which upstream code path the input goes through. */
    public enum Path { SCIPY_SPARSE, NUMPY_DENSE }

    private final Path path;
    private final boolean float32;
    private final double targetSum;
    private final float targetSum32;

    public Normalization(Path path, boolean float32, double targetSum) {
        this.path = path;
        this.float32 = float32;
        this.targetSum = targetSum;
        this.targetSum32 = (float) targetSum;
    }

    public double targetSum() {
        return targetSum;
    }

    public Path path() {
        return path;
    }

    public boolean float32() {
        return float32;
    }

    /** The per-cell factor: {@code 1 / n} for the scipy path, {@code n} itself for numpy's division. */
    double cellFactor(double nCounts) {
        if (path == Path.SCIPY_SPARSE) {
            return float32 ? (double) (1.0f / (float) nCounts) : 1.0 / nCounts;
        }
        return float32 ? (double) (float) nCounts : nCounts;
    }

    /** Normalised value of count {@code x}; {@code inverseMedian} must be {@code 1.0 / median}. */
    double value(double x, double cellFactor, double median, double inverseMedian) {
        if (path == Path.SCIPY_SPARSE) {
            if (float32) {
                float p = (float) x * (float) cellFactor;
                return (double) (p * targetSum32) * inverseMedian;
            }
            return x * cellFactor * targetSum * inverseMedian;
        }
        if (float32) {
            float p = (float) x / (float) cellFactor;
            return (double) (p * targetSum32) / median;
        }
        return x / cellFactor * targetSum / median;
    }
}
