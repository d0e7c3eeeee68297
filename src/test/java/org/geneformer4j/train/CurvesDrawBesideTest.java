package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run's figure that cannot be drawn costs a warning, not the run: what the GPU machine's Java runtime did
 * (its font library failed to load, so the font class failed to initialise) and a picture that cannot be written.
 */
class CurvesDrawBesideTest {
    @TempDir
    Path tmp;

    @Test
    void aFontClassThatCannotInitialiseGivesOneWarning() {
        List<String> warnings = new ArrayList<>();
        Curves.drawBeside(() -> {
            throw new ExceptionInInitializerError(new UncheckedIOException(new IOException("Problem reading font data.")));
        }, tmp.resolve("training_curves.png"), warnings::add);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("warning: training_curves.png not drawn (Problem reading font data.)"), warnings.get(0));
        assertTrue(warnings.get(0).contains("libfreetype, libharfbuzz"), warnings.get(0));
    }

    @Test
    void aPictureThatCannotBeWrittenGivesOneWarningAndAGoodOneNone() throws IOException {
        Path metrics = tmp.resolve("metrics.jsonl");
        Files.writeString(metrics, "{\"step\": 1, \"loss\": 2.0}\n{\"step\": 2, \"loss\": 1.5}\n");
        Path blocked = tmp.resolve("blocked.png");
        Files.createDirectory(blocked); // a folder where the picture should go
        Files.writeString(blocked.resolve("x"), "not empty");
        List<String> warnings = new ArrayList<>();
        Curves.drawBeside(() -> Curves.plot(metrics, blocked, "t"), blocked, warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("warning: blocked.png not drawn ("), warnings.get(0));
        Path good = tmp.resolve("good.png");
        Curves.drawBeside(() -> Curves.plot(metrics, good, "t"), good, warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(Files.size(good) > 1000);
        // the plain call still fails loudly: the curves command's error
        assertThrows(RuntimeException.class, () -> Curves.plot(metrics, blocked, "t"));
    }
}
