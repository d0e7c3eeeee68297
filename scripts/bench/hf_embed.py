"""Upstream's embedding path with Hugging Face transformers, for the benchmark: EmbExtractor's get_embs for
emb_mode "cell" (V1) / "cls" (V2): load_model("Pretrained") = BertForMaskedLM with output_hidden_states, eval; the
dataset sorted by length (descending); batches of forward_batch_size right-padded; hidden_states[L-1]
(emb_layer -1); mean over non-padding positions (V1) or position 0 (V2). Writes the embeddings as .npy (rows in
sorted order) and prints cells/s of the model loop.

    python scripts/bench/hf_embed.py MODEL_DIR DATASET OUT.npy [--threads N] [--batch-size 100] [--device cpu|cuda]
        [--dtype fp32|bf16] [--attn eager|sdpa] [--mode cell|cls]
"""
import argparse
import time

import numpy as np
import torch
from hfdata import load_from_disk
from transformers import BertForMaskedLM

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("dataset")
p.add_argument("out")
p.add_argument("--threads", type=int, default=0)
p.add_argument("--batch-size", type=int, default=100)
p.add_argument("--device", default="cpu")
p.add_argument("--dtype", default="fp32")
p.add_argument("--attn", default="sdpa")
p.add_argument("--mode", default="cell")
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[a.dtype]
model = BertForMaskedLM.from_pretrained(a.model, output_hidden_states=True, attn_implementation=a.attn,
                                        dtype=dtype).eval().to(a.device)
ds = load_from_disk(a.dataset).sort("length", reverse=True)
ids_all = ds["input_ids"]
L = model.config.num_hidden_layers
out = []
t0 = time.perf_counter()
with torch.no_grad():
    for i in range(0, len(ids_all), a.batch_size):
        batch = ids_all[i:i + a.batch_size]
        n = max(len(x) for x in batch)
        ids = torch.zeros(len(batch), n, dtype=torch.long)
        mask = torch.zeros(len(batch), n, dtype=torch.long)
        for r, x in enumerate(batch):
            ids[r, :len(x)] = torch.tensor(x)
            mask[r, :len(x)] = 1
        ids, mask = ids.to(a.device), mask.to(a.device)
        h = model(input_ids=ids, attention_mask=mask).hidden_states[L - 1]
        if a.mode == "cls":
            e = h[:, 0]
        else:
            lens = mask.sum(1, keepdim=True)
            e = (h * mask.unsqueeze(2)).sum(1) / lens
        out.append(e.float().cpu().numpy())
if a.device.startswith("cuda"):
    torch.cuda.synchronize()
secs = time.perf_counter() - t0
np.save(a.out, np.concatenate(out))
print(f"cells={len(ids_all)} seconds={secs:.3f} cells_per_s={len(ids_all) / secs:.2f}")
