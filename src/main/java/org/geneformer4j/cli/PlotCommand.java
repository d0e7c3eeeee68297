package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;

@Command(name = "plot", mixinStandardHelpOptions = true, description = "Pictures of embeddings and classifier results (.png or .svg).",
        subcommands = {UmapPlotCommand.class, HeatmapPlotCommand.class, ConfusionPlotCommand.class, RocPlotCommand.class,
                CurvesPlotCommand.class})
final class PlotCommand {
    private PlotCommand() {}

    /**
     * Fails before any work if {@code p} may not be written ({@link OutputGuard}) or, for a picture, is not .png/.svg.
     *
     * @param input what the command reads, which is never replaced
     */
    static void checkFree(Path p, boolean overwrite, boolean picture, Path input) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (picture && !name.endsWith(".png") && !name.endsWith(".svg")) {
            throw new UserException(p + ": plots are written as .png or .svg");
        }
        OutputGuard.check(p, overwrite, OutputGuard.Kind.file(picture ? name.substring(name.lastIndexOf('.') + 1) : "csv"), List.of(input));
    }
}
