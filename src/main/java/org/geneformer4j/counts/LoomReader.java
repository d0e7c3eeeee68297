package org.geneformer4j.counts;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.util.UserException;

/** Loom: {@code matrix} is genes × cells; per-gene {@code row_attrs}, per-cell {@code col_attrs}. */
public final class LoomReader implements CellMatrixReader {
    private final Path path;
    private final HdfFile hdf;
    private final Dataset matrix;
    private final ObsTable obs;
    private final ObsTable var;
    private final int nGenes;
    private final int nCells;

    private LoomReader(Path path, String layer) {
        this.path = path;
        this.hdf = Hdf5.open(path);
        try {
            Node m = layer == null ? hdf.getChildren().get("matrix") : layerNode(layer);
            if (!(m instanceof Dataset ds) || ds.getDimensions().length != 2) {
                throw new UserException(path + ": no 2-D 'matrix' dataset (is this a loom file?)");
            }
            this.matrix = ds;
            this.nGenes = ds.getDimensions()[0];
            this.nCells = ds.getDimensions()[1];
            this.var = attrs("row_attrs", nGenes, new String[] {"Gene", "gene_ids", "Accession"});
            this.obs = attrs("col_attrs", nCells, new String[] {"CellID", "cell_id", "obs_names"});
        } catch (RuntimeException e) {
            hdf.close();
            throw Hdf5.corrupt(path, e);
        }
    }

    public static LoomReader open(Path path, String layer) {
        return new LoomReader(path, layer);
    }

    private Node layerNode(String layer) {
        Node layers = hdf.getChildren().get("layers");
        Node n = layers instanceof Group g ? g.getChildren().get(layer) : null;
        if (n == null) {
            throw new UserException(path + ": no layer '" + layer + "'");
        }
        return n;
    }

    private ObsTable attrs(String group, int n, String[] indexCandidates) {
        Node node = hdf.getChildren().get(group);
        List<ObsColumn> cols = new ArrayList<>();
        if (node instanceof Group g) {
            for (Node c : g.getChildren().values()) {
                if (c instanceof Dataset ds && ds.getDimensions().length == 1 && ds.getDimensions()[0] == n) {
                    cols.add(Hdf5.column(c.getName(), Hdf5.read(ds, path)));
                }
            }
        }
        String[] index = null;
        for (String cand : indexCandidates) {
            for (ObsColumn c : cols) {
                if (c.name().equals(cand)) {
                    index = new String[n];
                    for (int i = 0; i < n; i++) index[i] = c.asString(i);
                    break;
                }
            }
            if (index != null) break;
        }
        if (index == null) {
            index = new String[n];
            for (int i = 0; i < n; i++) index[i] = Integer.toString(i);
        }
        return new ObsTable(index, cols);
    }

    @Override
    public boolean float32Values() {
        return matrix.getJavaType() == float.class;
    }

    @Override
    public boolean denseInUpstream() {
        return true;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public int nCells() {
        return nCells;
    }

    @Override
    public int nGenes() {
        return nGenes;
    }

    @Override
    public ObsTable var() {
        return var;
    }

    @Override
    public ObsTable obs() {
        return obs;
    }

    @Override
    public CsrBlock readRows(int start, int end) {
        Object slab;
        try {
            slab = matrix.getData(new long[] {0, start}, new int[] {nGenes, end - start});
        } catch (RuntimeException e) {
            throw new UserException(path + ": cannot read matrix (corrupt or truncated file?): " + e.getMessage(), e);
        }
        return DenseToCsr.rows(start, slab, true);
    }

    @Override
    public void close() {
        hdf.close();
    }
}
