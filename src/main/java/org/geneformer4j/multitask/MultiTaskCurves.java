package org.geneformer4j.multitask;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.geneformer4j.train.Curves;

/**
 * training_curves.png of a multi-task run: the training loss, the validation loss and each task's validation loss on
 * the left; each task's validation accuracy and macro F1 on the right. A single-task picture would show only the
 * means, which hide a task that does not learn.
 */
public final class MultiTaskCurves {
    private MultiTaskCurves() {}

    public static void plot(Path metricsJsonl, Path picture, String title, List<String> tasks) {
        Map<String, String> losses = new LinkedHashMap<>();
        losses.put("loss", "training loss");
        losses.put("eval_loss", "validation loss");
        Map<String, String> scores = new LinkedHashMap<>();
        for (String t : tasks) {
            losses.put("eval_" + t + ".loss", t + " loss");
            scores.put("eval_" + t + ".accuracy", t + " accuracy");
            scores.put("eval_" + t + ".macro_f1", t + " macro F1");
        }
        Curves.plot(metricsJsonl, picture, title, losses, scores);
    }
}
