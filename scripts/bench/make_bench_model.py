"""Writes a checkpoint directory (config.json + model.safetensors) shaped like a real Geneformer model, with the
deterministic fixture weights (scripts/fixtures/fixture_weights.py): the benchmark needs real sizes, not real
weights, and no weights can be downloaded here.

    python scripts/bench/make_bench_model.py SHAPE OUT_DIR      (SHAPE: gf-6L-30M-i2048 or gf-12L-95M-i4096)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import make_model_fixtures as mf  # noqa: E402
from transformers import BertForMaskedLM  # noqa: E402

shape, out = sys.argv[1], sys.argv[2]
model = BertForMaskedLM(mf.config(shape)).eval()
model.load_state_dict(mf.fixture_state_dict(model), strict=False)
model.tie_weights()
model.save_pretrained(out)
print(out)
