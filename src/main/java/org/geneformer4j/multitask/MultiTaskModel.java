package org.geneformer4j.multitask;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.UserException;

/**
 * Upstream's GeneformerMultiTask ({@code geneformer/mtl/model.py}) on the project's BertModel: the encoder, a pooled
 * cell vector (a learned attention vector over the tokens, or the first token), dropout, one linear head per task,
 * and the loss sum over tasks of weight x cross-entropy. Two departures, both on purpose:
 * <ul>
 * <li>the encoder is the checkpoint's, and a checkpoint that lacks any encoder tensor is refused; upstream builds
 * {@code BertModel(config)} and never loads the pretrained weights, so it fine-tunes a random encoder;</li>
 * <li>attention pooling gives padding no weight; upstream's softmax runs over the padded positions too, so a cell's
 * vector there depends on how long its batch-mates are.</li>
 * </ul>
 * The pooling vector and heads are {@linkplain BertModel#attach attached} to the encoder under upstream's state-dict
 * names ({@value #POOL}, {@code classification_heads.N.weight|bias}), so the project's one Trainer trains,
 * checkpoints, resumes and keeps the best of the whole model without knowing it is multi-task.
 */
public final class MultiTaskModel implements AutoCloseable {
    public static final String POOL = "attention_pool.attention_weights";
    /** What config.json names a saved multi-task model as, so that no tool takes it for a plain BERT. */
    public static final String ARCHITECTURE = "GeneformerMultiTask";
    public static final String SPEC = "multitask.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public enum Pooling {
        ATTENTION, CLS;

        public static Pooling parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "attention" -> ATTENTION;
                case "cls", "first" -> CLS;
                default -> throw new UserException("--pooling takes attention or cls, not '" + s + "'");
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a forward pass gives: the encoder's last hidden states, the pooled vectors (before dropout), per-task logits. */
    public record Output(Tensor hidden, Tensor pooled, List<Tensor> logits) {}

    private final BertModel encoder;
    private final List<MultiTaskCells.TaskLabels> tasks;
    private final Pooling pooling;
    private final double dropout;

    private MultiTaskModel(BertModel encoder, List<MultiTaskCells.TaskLabels> tasks, Pooling pooling, double dropout) {
        this.encoder = encoder;
        this.tasks = List.copyOf(tasks);
        this.pooling = pooling;
        this.dropout = dropout;
    }

    public static String headWeight(int task) {
        return "classification_heads." + task + ".weight";
    }

    public static String headBias(int task) {
        return "classification_heads." + task + ".bias";
    }

    /**
     * The checkpoint's encoder with new heads (and a new pooling vector), initialised from {@code seed} as upstream
     * initialises them: xavier-uniform weights, zero biases. Heads are always new, even from a multi-task model.
     */
    public static MultiTaskModel create(Checkpoint ckpt, List<MultiTaskCells.TaskLabels> tasks, Pooling pooling, double dropout,
            Device device, ScalarType dtype, long seed) {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UserException("--dropout must be in [0, 1), not " + dropout);
        }
        BertModel encoder = BertModel.load(ckpt, Head.NONE, 0, device, dtype, seed).model();
        try (PointerScope scope = new PointerScope()) {
            Random rng = new Random(seed);
            int h = encoder.config().hiddenSize();
            if (pooling == Pooling.ATTENTION) {
                encoder.attach(POOL, xavier(rng, h, 1).to(device, dtype));
            }
            for (int t = 0; t < tasks.size(); t++) {
                int n = tasks.get(t).classes().size();
                encoder.attach(headWeight(t), xavier(rng, n, h).to(device, dtype));
                encoder.attach(headBias(t), Tensors.floats(new float[n], n).to(device, dtype));
            }
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
        return new MultiTaskModel(encoder, tasks, pooling, dropout);
    }

    /** torch.nn.init.xavier_uniform_ of a [rows, cols] tensor: U(-b, b), b = sqrt(6 / (rows + cols)). */
    static Tensor xavier(Random rng, int rows, int cols) {
        double b = Math.sqrt(6.0 / (rows + cols));
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * b);
        }
        return Tensors.floats(v, rows, cols);
    }

    /** The encoder, with the pooling vector and heads attached: what the Trainer trains. */
    public BertModel encoder() {
        return encoder;
    }

    public List<MultiTaskCells.TaskLabels> tasks() {
        return tasks;
    }

    public Pooling pooling() {
        return pooling;
    }

    public double dropout() {
        return dropout;
    }

    private Tensor p(String name) {
        Tensor t = encoder.parameters().get(name);
        if (t == null) {
            throw new IllegalStateException("no parameter " + name);
        }
        return t;
    }

    /** Runs the model on [batch, len] int64 ids and attention mask (1 token, 0 padding, right-padded). */
    public Output forward(Tensor ids, Tensor mask) {
        Tensor hidden = encoder.forward(ids, mask, false, false).lastHiddenState();
        Tensor pooled = pool(hidden, mask);
        Tensor x = encoder.training() && dropout > 0 ? torch.dropout(pooled, dropout, true) : pooled;
        List<Tensor> logits = new ArrayList<>(tasks.size());
        for (int t = 0; t < tasks.size(); t++) {
            logits.add(torch.linear(x, p(headWeight(t)), new TensorOptional(p(headBias(t)))));
        }
        return new Output(hidden, pooled, logits);
    }

    /** [batch, hidden]: the first token, or the attention-weighted sum over each cell's tokens (padding weighs 0). */
    Tensor pool(Tensor hidden, Tensor mask) {
        if (pooling == Pooling.CLS) {
            return hidden.select(1, 0);
        }
        Tensor scores = torch.matmul(hidden, p(POOL)); // [batch, len, 1]
        scores = scores.masked_fill(mask.eq(new Scalar(0L)).unsqueeze(2), new Scalar(Float.NEGATIVE_INFINITY));
        Tensor weights = torch.softmax(scores, 1);
        return hidden.mul(weights).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
    }

    /**
     * Sum over tasks of weight x the mean cross-entropy over the cells labelled for the task ({@code labels[task][row]}
     * a class id, -1 for none): upstream's loss, with unlabelled cells left out of the mean as
     * {@code CrossEntropyLoss(ignore_index)} leaves them out. A task no cell of the batch is labelled for adds nothing.
     */
    public Tensor loss(List<Tensor> logits, int[][] labels, double[] weights) {
        Tensor total = null;
        for (int t = 0; t < logits.size(); t++) {
            int n = 0;
            for (int y : labels[t]) {
                n += y >= 0 ? 1 : 0;
            }
            if (n == 0 || weights[t] == 0) {
                continue;
            }
            long[] rows = new long[n];
            long[] target = new long[n];
            for (int r = 0, k = 0; r < labels[t].length; r++) {
                if (labels[t][r] >= 0) {
                    rows[k] = r;
                    target[k++] = labels[t][r];
                }
            }
            Device d = logits.get(t).device();
            Tensor l = logits.get(t);
            if (n < labels[t].length) {
                l = l.index_select(0, Tensors.longs(rows, n).to(d, ScalarType.Long));
            }
            Tensor term = torch.cross_entropy(l, Tensors.longs(target, n).to(d, ScalarType.Long)).mul(new Scalar(weights[t]));
            total = total == null ? term : total.add(term);
        }
        // no label in the batch: a zero that still belongs to the graph, so backward() works and changes nothing
        return total != null ? total : logits.get(0).sum().mul(new Scalar(0.0));
    }

    /**
     * OUT/model: every parameter under upstream's state-dict names in model.safetensors, the encoder's config.json
     * naming the architecture {@value #ARCHITECTURE}, and {@value #SPEC} (tasks, classes, pooling, dropout).
     */
    public void save(Path dir) {
        encoder.save(dir);
        encoder.config().withHead(ARCHITECTURE, null).write(dir.resolve("config.json"));
        ObjectNode o = JSON.createObjectNode();
        o.put("pooling", pooling.label());
        o.put("dropout", dropout);
        ArrayNode ts = o.putArray("tasks");
        for (int t = 0; t < tasks.size(); t++) {
            ObjectNode x = ts.addObject();
            x.put("column", tasks.get(t).column());
            x.put("head", "classification_heads." + t);
            x.putPOJO("classes", tasks.get(t).classes());
        }
        try {
            AtomicFile.writeString(dir.resolve(SPEC), JSON.writeValueAsString(o) + "\n");
        } catch (IOException e) {
            throw new UserException("cannot write " + dir.resolve(SPEC) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The fine-tuned encoder alone, as transformers' BertForMaskedLM: the trained {@code bert.*} weights and, when the
     * starting checkpoint has one, its MLM head (untouched by fine-tuning), so that transformers loads it without
     * new weights and {@code embed}/{@code perturb} take it as any Geneformer model. Upstream's
     * save_model_without_heads writes the encoder alone.
     */
    public void saveBackbone(Path dir, Checkpoint source) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        encoder.hostParameters().forEach((k, v) -> {
            if (k.startsWith("bert.")) {
                out.put(k, v);
            }
        });
        source.tensors().forEach((k, v) -> {
            if (k.startsWith("cls.predictions.") && !k.startsWith("cls.predictions.decoder.")) {
                out.put(k, v);
            }
        });
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        SafeTensors.write(dir.resolve(Checkpoint.SAFETENSORS), new java.util.TreeMap<>(out), Map.of("format", "pt"));
        encoder.config().withHead(Head.MLM.architecture, null).write(dir.resolve("config.json"));
    }

    @Override
    public void close() {
        encoder.close();
    }
}
