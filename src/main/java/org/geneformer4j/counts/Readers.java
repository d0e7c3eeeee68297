package org.geneformer4j.counts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.geneformer4j.util.UserException;

/** Opens any supported single-cell input by its name (and, for directories, its content). */
public final class Readers {
    private Readers() {
    }

    /** How to read the matrix: {@code layer} (h5ad/loom) and {@code raw} (h5ad {@code raw/X}). */
    public record Options(String layer, boolean raw) {
        public static final Options DEFAULT = new Options(null, false);
    }

    public static CellMatrixReader open(Path path, Options opt) {
        if (!Files.exists(path)) {
            throw new UserException(path + ": file not found");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            if (TenxMtxReader.looksLike(path)) {
                return TenxMtxReader.open(path);
            }
            throw new UserException(path + ": a directory, but not a 10x matrix directory (no matrix.mtx[.gz])");
        }
        if (name.endsWith(".mtx") || name.endsWith(".mtx.gz")) {
            return TenxMtxReader.open(path.toAbsolutePath().getParent());
        }
        if (name.endsWith(".h5ad")) {
            return H5adReader.open(path, opt.layer(), opt.raw());
        }
        if (name.endsWith(".loom")) {
            return LoomReader.open(path, opt.layer());
        }
        if (name.endsWith(".h5")) {
            return TenxH5Reader.open(path);
        }
        throw new UserException(path + ": unknown input format (expected .h5ad, .loom, 10x .h5 or a 10x matrix directory)");
    }
}
