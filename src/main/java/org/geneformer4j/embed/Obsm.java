package org.geneformer4j.embed;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.nio.file.Path;
import org.geneformer4j.util.UserException;

/**
 * Per-cell matrices under {@code obsm} of an {@code .h5ad} this program wrote ({@code X_geneformer}, {@code X_umap}):
 * outputs read back, so they live with the embedding outputs rather than in the count-matrix readers.
 */
public final class Obsm {
    private Obsm() {}

    /** obsm[key] as [cells, dims] floats, or null if the file has no such 2-D matrix. */
    public static float[][] read(Path h5ad, String key) {
        try (HdfFile f = new HdfFile(h5ad)) {
            Node n = f.getByPath("obsm").isGroup() ? ((io.jhdf.api.Group) f.getByPath("obsm")).getChild(key) : null;
            if (!(n instanceof Dataset ds) || ds.getDimensions().length != 2) {
                return null;
            }
            Object data = ds.getData();
            if (data instanceof float[][] m) {
                return m;
            }
            if (data instanceof double[][] d) {
                float[][] m = new float[d.length][];
                for (int i = 0; i < d.length; i++) {
                    m[i] = new float[d[i].length];
                    for (int j = 0; j < d[i].length; j++) {
                        m[i][j] = (float) d[i][j];
                    }
                }
                return m;
            }
            throw new UserException(h5ad + ": obsm/" + key + " is not a float matrix");
        } catch (io.jhdf.exceptions.HdfException e) {
            return null;
        }
    }
}
