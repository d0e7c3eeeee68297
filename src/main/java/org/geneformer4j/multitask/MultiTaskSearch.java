package org.geneformer4j.multitask;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.geneformer4j.train.Schedule;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.tune.Param;
import org.geneformer4j.tune.SearchSpace;
import org.geneformer4j.util.UserException;

/**
 * Upstream's multi-task hyperparameter study (MTLClassifier's Optuna space) on the project's tune engine: learning
 * rate log-uniform 1e-5..1e-3, warmup ratio 0.005..0.01, weight decay 0.01..0.1, dropout 0..0.7, cosine schedule,
 * one weight per task in 0.1..2 (normalised to sum 1 before training), and 0..L-1 encoder layers frozen; plus the
 * pooling, fixed to attention unless a {@code --space} file offers a choice.
 *
 * <p>The objective is the validation loss with the tasks weighed equally ({@code unweighted_loss}): upstream
 * minimises each trial's loss under that trial's own task weights, which rewards a trial for putting its weight on
 * the easiest task rather than for classifying better.
 */
public final class MultiTaskSearch {
    public static final String OBJECTIVE = "unweighted_loss";
    static final String WEIGHT = "task_weight.";

    private MultiTaskSearch() {}

    public static SearchSpace upstream(List<String> tasks, int layers) {
        List<Param> p = new ArrayList<>(List.of(
                new Param("learning_rate", Param.Kind.LOGUNIFORM, 1e-5, 1e-3, null),
                new Param("warmup_ratio", Param.Kind.UNIFORM, 0.005, 0.01, null),
                new Param("weight_decay", Param.Kind.UNIFORM, 0.01, 0.1, null),
                new Param("dropout_rate", Param.Kind.UNIFORM, 0.0, 0.7, null),
                new Param("lr_scheduler_type", Param.Kind.CHOICE, 0, 0, List.of("cosine"))));
        for (String t : tasks) {
            p.add(new Param(WEIGHT + t, Param.Kind.UNIFORM, 0.1, 2.0, null));
        }
        // a one-layer model has nothing to freeze but 0; Param's INT needs low < high only when sampled
        p.add(layers > 1 ? new Param("max_layers_to_freeze", Param.Kind.INT, 0, layers - 1, null)
                : new Param("max_layers_to_freeze", Param.Kind.CHOICE, 0, 0, List.of(0)));
        p.add(new Param("pooling", Param.Kind.CHOICE, 0, 0, List.of("attention")));
        return new SearchSpace(List.copyOf(p));
    }

    /** What one trial trains with. */
    public record Trial(TrainSettings settings, MultiTaskRun.Spec spec, int freezeLayers) {}

    /** The trial's settings: {@code base} with the sampled values in place and the task weights normalised to sum 1. */
    public static Trial apply(TrainSettings base, Map<String, Object> p, List<String> tasks, int layers) {
        double lr = num(p, "learning_rate", base.learningRate());
        double wd = num(p, "weight_decay", base.weightDecay());
        double warmup = num(p, "warmup_ratio", base.warmupRatio());
        Schedule sched = p.containsKey("lr_scheduler_type") ? Schedule.parse(String.valueOf(p.get("lr_scheduler_type"))) : base.schedule();
        TrainSettings s = new TrainSettings(lr, wd, sched, 0, warmup, base.epochs(), base.batchSize(), base.gradientAccumulation(),
                base.maxGradNorm(), base.seed(), base.groupByLength(), base.evalSteps(), base.saveSteps(), base.logSteps(), OBJECTIVE,
                base.loadBestAtEnd(), base.beta1(), base.beta2(), base.epsilon(), base.saveTotalLimit());
        double[] w = new double[tasks.size()];
        double sum = 0;
        for (int t = 0; t < w.length; t++) {
            w[t] = num(p, WEIGHT + tasks.get(t), 1.0);
            sum += w[t];
        }
        if (!(sum > 0)) {
            throw new UserException("the sampled task weights sum to " + sum + "; a search space needs positive weights");
        }
        for (int t = 0; t < w.length; t++) {
            w[t] /= sum;
        }
        int freeze = (int) num(p, "max_layers_to_freeze", 0);
        if (freeze < 0 || freeze > layers) {
            throw new UserException("max_layers_to_freeze " + freeze + " is outside 0.." + layers);
        }
        MultiTaskModel.Pooling pooling = MultiTaskModel.Pooling.parse(String.valueOf(p.getOrDefault("pooling", "attention")));
        return new Trial(s, new MultiTaskRun.Spec(pooling, num(p, "dropout_rate", 0.1), w, false), freeze);
    }

    private static double num(Map<String, Object> p, String k, double dflt) {
        Object v = p.get(k);
        return v instanceof Number n ? n.doubleValue() : v == null ? dflt : Double.parseDouble(v.toString());
    }
}
