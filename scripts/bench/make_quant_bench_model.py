"""Writes a checkpoint directory (config.json + model.safetensors, BertForMaskedLM) of a registry model's shape,
for the quantization benchmark: no real weights can be downloaded here, so sizes are real and weights synthetic.

    python scripts/bench/make_quant_bench_model.py REGISTRY_JSON OUT_DIR [--weights fixture|heavy]

fixture: the project's deterministic fixture weights (scripts/fixtures/fixture_weights.py, uniform, no outliers),
         the weights every other benchmark uses.
heavy:   a stress test for int8/NF4: Student-t (3 degrees of freedom) weights of std ~0.04, and in every LayerNorm
         two hidden dimensions with gain 8, which gives the few huge activation features trained BERTs have and
         per-tensor activation quantization suffers from.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from transformers import BertConfig, BertForMaskedLM

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import fixture_weights as fw  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("registry_json")
p.add_argument("out")
p.add_argument("--weights", default="fixture", choices=["fixture", "heavy"])
a = p.parse_args()
arch = json.load(open(a.registry_json))["architecture"]
config = BertConfig(vocab_size=arch["vocab_size"], hidden_size=arch["hidden_size"], num_hidden_layers=arch["layers"],
                    num_attention_heads=arch["heads"], intermediate_size=arch["intermediate_size"],
                    max_position_embeddings=arch["max_positions"], hidden_act="relu", layer_norm_eps=1e-12,
                    type_vocab_size=2, pad_token_id=0, initializer_range=0.02, hidden_dropout_prob=0.02,
                    attention_probs_dropout_prob=0.02, architectures=["BertForMaskedLM"])
model = BertForMaskedLM(config).eval()
rng = np.random.default_rng(17)
sd = {}
for name, t in model.state_dict().items():
    if name in ("cls.predictions.decoder.weight", "cls.predictions.decoder.bias") or "position_ids" in name:
        continue
    if a.weights == "fixture":
        v = fw.tensor(name, tuple(t.shape))
    elif name.endswith("LayerNorm.weight"):
        v = (1 + 0.1 * rng.standard_normal(t.shape)).astype(np.float32)
        v[[7, 300 % t.shape[0]]] = 8.0
    elif name.endswith("bias"):
        v = (0.02 * rng.standard_normal(t.shape)).astype(np.float32)
    else:
        v = (0.04 / np.sqrt(3) * rng.standard_t(3, t.shape)).astype(np.float32)
    sd[name] = torch.from_numpy(np.ascontiguousarray(v))
model.load_state_dict(sd, strict=False)
model.tie_weights()
model.save_pretrained(a.out)
print(a.out)
