package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.classify.CellTable;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.CrossValidation;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.quant.LoraSettings;
import org.geneformer4j.quant.Quantization;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every classifier command reads and how it runs the model: shared by finetune cell, finetune gene and tune. */
final class ClassifierOptions {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "DATASET", description = "Tokenized dataset (geneformer tokenize).")
    Path input;

    @Mixin
    FilterOption filter;

    @Mixin
    MaxCellsOption cells = new MaxCellsOption();

    @Option(names = "--freeze-layers", defaultValue = "0", description = "Freeze the first N encoder layers. Default: ${DEFAULT-VALUE}.")
    int freezeLayers;

    @Option(names = "--eval-batch-size", defaultValue = "32", description = "Cells per evaluation batch. Default: ${DEFAULT-VALUE}.")
    int evalBatch;

    @Option(names = "--lora-r", paramLabel = "R", description = "Train LoRA adapters of rank R (and the head) over frozen"
            + " base weights instead of the whole model; --quantize nf4 implies LoRA (QLoRA), with R 64 unless given."
            + " The model directory then holds a peft adapter.")
    Integer loraR;

    @Option(names = "--lora-alpha", defaultValue = "128", description = "LoRA alpha (the update is scaled by alpha / r). Default: ${DEFAULT-VALUE}.")
    double loraAlpha;

    @Option(names = "--lora-dropout", defaultValue = "0.1", description = "Dropout on the adapters' input. Default: ${DEFAULT-VALUE}.")
    double loraDropout;

    @Option(names = "--lora-targets", split = ",", defaultValue = "query,value", paramLabel = "MODULE",
            description = "Encoder modules that get adapters: query, key, value, dense. Default: ${DEFAULT-VALUE} (peft's for BERT, as upstream).")
    List<String> loraTargets;

    /** The filtered cells, checked against the model's vocabulary and positions. */
    List<LabeledCell> read(ModelSession s, String labelColumn, String groupColumn) {
        return CellTable.read(input, labelColumn, groupColumn, filter.map(), s.tokenCheck());
    }

    /** The starting checkpoint and where runs train (on the session's one device, in fp32 or bf16 mixed precision). */
    ClassifierRun.Base base(ModelSession s, TrainOptions train) {
        org.geneformer4j.train.Trainer.requirePrecision(s.dtype());
        return new ClassifierRun.Base(s.checkpoint(), s.name(), s.device(), s.dtype(), freezeLayers, evalBatch, lora(s), s.parallel(train.timeout(), train.backend()),
                train.packed);
    }

    /** The adapters to train, or null for full fine-tuning: LoRA when asked for, or implied by NF4 weights. */
    LoraSettings lora(ModelSession s) {
        Quantization q = s.quantize();
        if (s.adapter() != null) {
            throw new UserException("fine-tuning starts from a base model, not from the LoRA adapter in " + model(s));
        }
        if (q == Quantization.INT8) {
            throw new UserException("--quantize int8 is for embed, perturb and predict; fine-tune with --quantize nf4 (LoRA) or full precision");
        }
        if (loraR == null && q == Quantization.NONE) {
            return null;
        }
        return new LoraSettings(loraR == null ? 64 : loraR, loraAlpha, loraDropout, loraTargets, q);
    }

    private static String model(ModelSession s) {
        return s.adapter().dir().toString();
    }
}
