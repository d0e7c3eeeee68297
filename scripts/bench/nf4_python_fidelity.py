"""What bitsandbytes' NF4 does to a model's embeddings, computed without this project: transformers' BertModel with
every encoder linear weight replaced by its NF4 round trip from scripts/fixtures/nf4_reference.py (the numpy
transcription of bitsandbytes' rules that the Java quantizer equals bit for bit), on the first CELLS cells of a
tokenized dataset; prints the per-cell cosine to fp32 (median, min) of the <cls> vector of the second-to-last layer
(upstream's V2 default) and of the mean over the genes. The check beside quant_bench.sh's NF4 row: if both give the
same cosine, the loss of fidelity is NF4's, not this project's.

    python nf4_python_fidelity.py MODEL_DIR DATASET [CELLS]
"""
import os
import sys

import numpy as np
import torch
from transformers import BertModel

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import nf4_reference as nf4  # noqa: E402
from hfdata import load_from_disk  # noqa: E402

model_dir, dataset = sys.argv[1], sys.argv[2]
cells = int(sys.argv[3]) if len(sys.argv) > 3 else 10
torch.set_num_threads(int(os.environ.get("THREADS", "1")))
rows = load_from_disk(dataset)["input_ids"][:cells]


def embed(model):
    cls, mean = [], []
    with torch.no_grad():
        for r in rows:
            h = model(input_ids=torch.tensor([r]), output_hidden_states=True).hidden_states[-2][0]
            cls.append(h[0].numpy())
            mean.append(h[1:-1].mean(0).numpy())
    return np.array(cls), np.array(mean)


def cosines(a, b):
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


model = BertModel.from_pretrained(model_dir, add_pooling_layer=False).eval()
ref = embed(model)
dyn = nf4.dynamic_map()
with torch.no_grad():
    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.Linear) and ".layer." in name:
            w = mod.weight.detach().numpy().astype(np.float32)
            packed, q8, absmax2, offset = nf4.quantize(w.ravel(), dyn)
            mod.weight.copy_(torch.from_numpy(nf4.dequantize(packed, q8, absmax2, offset, dyn, w.size).reshape(w.shape)))
quant = embed(model)
for what, a, b in [("cls", ref[0], quant[0]), ("mean", ref[1], quant[1])]:
    c = cosines(a, b)
    print(f"{what}: cosine NF4 to fp32 over {len(c)} cells: median {np.median(c):.6f}, min {c.min():.6f}")
