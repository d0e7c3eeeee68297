package org.geneformer4j.plot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.UserException;

/** Writes a drawing to {@code .png} (at 2x resolution, sharp in print) or {@code .svg}, atomically. */
public final class Figure {
    /** PNG pixels per layout pixel: a 1,000-pixel-wide layout becomes 2,000 pixels, 6.7 inches at 300 dpi. */
    static final double PNG_SCALE = 2.0;

    private Figure() {}

    public static void write(Path path, int width, int height, boolean overwrite, Consumer<Canvas> draw) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        if (!svg && !name.endsWith(".png")) {
            throw new UserException(path + ": plots are written as .png or .svg");
        }
        try (AtomicFile f = AtomicFile.create(path, overwrite)) {
            if (svg) {
                SvgCanvas c = new SvgCanvas(width, height);
                draw.accept(c);
                f.stream().write(c.document().getBytes(StandardCharsets.UTF_8));
            } else {
                PngCanvas c = new PngCanvas(width, height, PNG_SCALE);
                draw.accept(c);
                ImageIO.write(c.image(), "png", f.stream());
            }
            f.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
