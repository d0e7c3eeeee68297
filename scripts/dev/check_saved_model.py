"""Loads a model directory that geneformer4j saved with Python transformers (unchanged API) and compares its
outputs with the fixture's expected ones. Dev only.

    /work/venv/bin/python scripts/dev/check_saved_model.py SAVED_DIR FIXTURE_NAME   (e.g. tiny_cls_bin)
"""
import os
import sys

import torch
from safetensors.torch import load_file
from transformers import AutoModelForMaskedLM, AutoModelForSequenceClassification, AutoConfig

saved, fixture = sys.argv[1], sys.argv[2]
root = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "fixtures", "model")
exp = load_file(os.path.join(root, fixture + ".expected.safetensors"))
arch = AutoConfig.from_pretrained(saved).architectures[0]
cls = AutoModelForSequenceClassification if "Sequence" in arch else AutoModelForMaskedLM
model = cls.from_pretrained(saved, attn_implementation="eager").eval()
with torch.no_grad():
    out = model(input_ids=exp["input_ids"], attention_mask=exp["attention_mask"])
logits = out.logits if "Sequence" in arch else out.logits[:, :4]
print(type(model).__name__, "loaded from", saved, "; max |logits - expected| =",
      float((logits - exp["logits"]).abs().max()))
