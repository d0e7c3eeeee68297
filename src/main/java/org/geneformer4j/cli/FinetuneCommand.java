package org.geneformer4j.cli;

import picocli.CommandLine.Command;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune a Geneformer classifier (upstream's Classifier).",
                "  cell   classify cells (BertForSequenceClassification)",
                "  gene   classify genes (BertForTokenClassification), cross-validated over genes",
                "  multitask  classify cells on several label columns at once (upstream's MTLClassifier)",
                "OUTPUT holds model/ (transformers-loadable), metrics.json, predictions.csv, metrics.jsonl (curves);",
                "a killed run resumes from its newest OUTPUT/checkpoint-STEP when run again."},
        subcommands = {FinetuneCellCommand.class, FinetuneGeneCommand.class, FinetuneMultitaskCommand.class})
final class FinetuneCommand {
    private FinetuneCommand() {}
}
