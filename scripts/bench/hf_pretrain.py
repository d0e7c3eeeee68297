"""The transformers side of scripts/bench/pretrain_bench.sh: upstream's pretraining step (BertForMaskedLM, 15 % masking
with 80/10/10, right padding, AdamW without decay on biases and LayerNorm, linear warmup, clipping at 1.0) on the same
cells, batches, batch size and threads, timed over steps after a warm-up. Prints one JSON line.

The batches are geneformer4j's (epoch_order.py reproduces its epoch order for SEED, default 42 as `--seed`), and the
5 warm-up steps match the first log window our side leaves out, so both sides time the very same batches.

    python hf_pretrain.py MODEL DATASET BATCH STEPS THREADS [DEVICE [fp32|bf16]]
DEVICE: cpu (default) or cuda; bf16: autocast, as transformers' Trainer runs with bf16=True. SDPA_KERNEL=efficient
(or flash, math, cudnn) in the environment fixes the attention kernel, as GENEFORMER_SDPA does on our side."""
import contextlib
import json
import os
import sys
import time

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from transformers import BertForMaskedLM

import epoch_order
import hfmlm
from hfdata import load_from_disk

model_dir, dataset, batch, steps, threads, warm = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), 5
device = sys.argv[6] if len(sys.argv) > 6 else "cpu"
bf16 = len(sys.argv) > 7 and sys.argv[7] == "bf16"
torch.set_num_threads(threads)
torch.manual_seed(42)
cells = load_from_disk(dataset)["input_ids"]
model = BertForMaskedLM.from_pretrained(model_dir, attn_implementation="sdpa").to(device)
model.train()
vocab = model.config.vocab_size
opt = hfmlm.adamw(model, 1e-3)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10))

# geneformer4j's batches: transformers' LengthGroupedSampler structure with our seeded order
lengths, seed = [len(c) for c in cells], int(os.environ.get("SEED", "42"))
epoch_batches = {}


def batch_of(step):
    """The step's cells: epoch after epoch, as our run goes on into the next epoch's order."""
    per_epoch = (len(cells) + batch - 1) // batch
    epoch = step // per_epoch
    if epoch not in epoch_batches:
        epoch_batches.clear()
        epoch_batches[epoch] = epoch_order.batches(lengths, batch, seed, epoch)
    return epoch_batches[epoch][step % per_epoch]


def sync():
    if device.startswith("cuda"):
        torch.cuda.synchronize()


kernels = {"flash": SDPBackend.FLASH_ATTENTION, "efficient": SDPBackend.EFFICIENT_ATTENTION, "math": SDPBackend.MATH,
           "cudnn": SDPBackend.CUDNN_ATTENTION}
fixed = sdpa_kernel(kernels[os.environ["SDPA_KERNEL"]]) if os.environ.get("SDPA_KERNEL") else contextlib.nullcontext()
fixed.__enter__()
tokens, t0 = 0, None
for step in range(warm + steps):
    ids, att, labels = hfmlm.collate([cells[i] for i in batch_of(step)], vocab)
    n = int(att.sum())
    ids, att, labels = ids.to(device), att.to(device), labels.to(device)
    if step == warm:
        sync()
        t0 = time.perf_counter()
    with torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=bf16):
        loss = model(input_ids=ids, attention_mask=att, labels=labels).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
    if step >= warm:
        tokens += n
sync()
secs = time.perf_counter() - t0
print(json.dumps({"steps": steps, "tokens": tokens, "seconds": secs, "tokens_per_s": tokens / secs}))
