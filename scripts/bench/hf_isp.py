"""Python reference for the perturbation benchmark: in silico deletion of every gene of each cell, V1 "cell" mode
(mean over the remaining genes of cos(gene in perturbed cell, same gene in original cell)), with upstream's model
path (BertForMaskedLM with output_hidden_states, emb_layer -1), in one of two ways:
  --style one      one perturbation per forward pass (how the issue describes upstream's cost)
  --style batched  upstream's isp_perturb_all: the cell's perturbations in minibatches of forward_batch_size (100)
Cells: the dataset sorted longest first (ties by row), then the --cells START:END slice, as geneformer perturb
orders and slices them (--cell-range).
Prints values as CSV (cell row, perturbed Ensembl ID, value) to --out and a last line with the timing.

    python scripts/bench/hf_isp.py MODEL DATASET --cells 48:51 --style one --threads 2 --out values.csv [--device cuda]
"""
import argparse
import gzip
import time
from pathlib import Path

import torch
from hfdata import load_from_disk
from transformers import BertForMaskedLM

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("dataset")
p.add_argument("--cells", default="0:3", help="START:END of the length-sorted cells")
p.add_argument("--style", choices=["one", "batched"], default="one")
p.add_argument("--batch-size", type=int, default=100)
p.add_argument("--threads", type=int, default=0)
p.add_argument("--device", default="cpu")
p.add_argument("--out", required=True)
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
vocab = Path(__file__).resolve().parents[2] / "src/main/resources/org/geneformer4j/vocab/token_dictionary_gc30M.tsv.gz"
token_name = {int(t): g for g, t in (l.rstrip("\n").split("\t") for l in gzip.open(vocab, "rt"))}
model = BertForMaskedLM.from_pretrained(a.model, output_hidden_states=True).eval().to(a.device)
layer = model.config.num_hidden_layers - 1  # emb_layer -1
ds = load_from_disk(a.dataset)
lengths = ds["length"]
start, end = map(int, a.cells.split(":"))
order = sorted(range(len(ds)), key=lambda i: (-lengths[i], i))[start:end]
cos = torch.nn.CosineSimilarity(dim=-1, eps=1e-8)


def hidden(batch):
    with torch.no_grad():
        ids = torch.tensor(batch, device=a.device)
        return model(input_ids=ids, attention_mask=torch.ones_like(ids)).hidden_states[layer]


rows, n = [], 0
start = time.perf_counter()
for row in order:
    ids = ds[row]["input_ids"]
    orig = hidden([ids])[0]
    positions = list(range(len(ids)))
    step = 1 if a.style == "one" else a.batch_size
    for s in range(0, len(positions), step):
        chunk = positions[s:s + step]
        h = hidden([ids[:i] + ids[i + 1:] for i in chunk])
        comp = torch.stack([torch.cat([orig[:i], orig[i + 1:]]) for i in chunk])
        vals = cos(h, comp).mean(dim=1)
        for i, v in zip(chunk, vals.tolist()):
            rows.append(f"{row},{token_name[ids[i]]},{v}")
        n += len(chunk)
if a.device.startswith("cuda"):
    torch.cuda.synchronize()
seconds = time.perf_counter() - start
Path(a.out).write_text("row,perturbed,value\n" + "\n".join(rows) + "\n")
print(f"cells={len(order)} perturbations={n} seconds={seconds:.3f} rate={n / seconds:.2f}")
