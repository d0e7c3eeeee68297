package org.geneformer4j.counts;

import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import org.geneformer4j.util.UserException;

/**
 * A 10x Genomics {@code .h5}: Cell Ranger 3+ ({@code matrix/} with {@code features/}) or Cell Ranger 2 (one group
 * per genome with {@code genes}, {@code gene_names}). The matrix is CSC over genes × cells, so each cell's entries
 * are contiguous and a block of cells is one slice.
 */
public final class TenxH5Reader implements CellMatrixReader {
    private final Path path;
    private final HdfFile hdf;
    private final ObsTable obs;
    private final TenxFeatures features;
    private final SlicedCsr rows;

    private TenxH5Reader(Path path) {
        this.path = path;
        this.hdf = Hdf5.open(path);
        try {
            Group g;
            String[] ids, names, types = null;
            Node m = hdf.getChildren().get("matrix");
            if (m instanceof Group mg) {
                g = mg;
                Node f = g.getChildren().get("features");
                if (!(f instanceof Group fg)) {
                    throw new UserException(path + ": matrix/ has no features/ group");
                }
                ids = Hdf5.toStrings(Hdf5.read(Hdf5.dataset(fg, "id", path), path));
                names = Hdf5.toStrings(Hdf5.read(Hdf5.dataset(fg, "name", path), path));
                if (fg.getChildren().containsKey("feature_type")) {
                    types = Hdf5.toStrings(Hdf5.read(Hdf5.dataset(fg, "feature_type", path), path));
                }
            } else {
                g = null;
                for (Node n : hdf.getChildren().values()) {
                    if (n instanceof Group cand && cand.getChildren().containsKey("genes")) {
                        g = cand;
                        break;
                    }
                }
                if (g == null) {
                    throw new UserException(path + ": neither a Cell Ranger 3 (matrix/) nor 2 (genome/genes) 10x .h5 file");
                }
                ids = Hdf5.toStrings(Hdf5.read(Hdf5.dataset(g, "genes", path), path));
                names = Hdf5.toStrings(Hdf5.read(Hdf5.dataset(g, "gene_names", path), path));
            }
            this.features = new TenxFeatures(ids, names, types);
            String[] barcodes = Hdf5.toStrings(Hdf5.read(Hdf5.dataset(g, "barcodes", path), path));
            this.obs = TenxFeatures.barcodes(barcodes);
            long[] shape = Hdf5.toLongs(Hdf5.read(Hdf5.dataset(g, "shape", path), path));
            long[] indptr = Hdf5.toLongs(Hdf5.read(Hdf5.dataset(g, "indptr", path), path));
            if (shape[0] != ids.length || shape[1] != barcodes.length || indptr.length != barcodes.length + 1) {
                throw new UserException(path + ": inconsistent 10x matrix shape");
            }
            this.rows = new SlicedCsr(path, Hdf5.dataset(g, "data", path), Hdf5.dataset(g, "indices", path), indptr,
                    features.dropsAny() ? features.columnMap : null);
        } catch (RuntimeException e) {
            hdf.close();
            throw Hdf5.corrupt(path, e);
        }
    }

    public static TenxH5Reader open(Path path) {
        return new TenxH5Reader(path);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public int nCells() {
        return obs.size();
    }

    @Override
    public int nGenes() {
        return features.var.size();
    }

    @Override
    public ObsTable var() {
        return features.var;
    }

    @Override
    public ObsTable obs() {
        return obs;
    }

    @Override
    public CsrBlock readRows(int start, int end) {
        return rows.read(start, end);
    }

    @Override
    public void close() {
        hdf.close();
    }
}
