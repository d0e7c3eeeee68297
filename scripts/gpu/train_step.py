"""The training-step reference for scripts/gpu/verify.sh: transformers' BertForSequenceClassification on the same
checkpoint and dataset, AdamW, batches of real cells (random order, padded to the batch's longest cell), in fp32
and in bf16 autocast. Prints steps/s, tokens/s (non-padding) and model FLOP utilisation (6 x parameters x tokens)
against --peak-tflops when given.

    python scripts/gpu/train_step.py MODEL DATASET [--device cuda] [--batch-size 8] [--steps 20] [--peak-tflops P]
"""
import argparse
import random
import time

import torch
from hfdata import load_from_disk
from transformers import BertForSequenceClassification

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("dataset")
p.add_argument("--device", default="cpu")
p.add_argument("--batch-size", type=int, default=8)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--peak-tflops", type=float, default=0)
a = p.parse_args()
cells = load_from_disk(a.dataset)["input_ids"]
random.seed(1)
for dtype in ("fp32", "bf16"):
    if dtype == "bf16" and a.device == "cpu":
        continue
    torch.manual_seed(1)
    model = BertForSequenceClassification.from_pretrained(a.model, num_labels=9).to(a.device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5)
    params = sum(t.numel() for t in model.parameters())
    tokens = 0
    for step in range(a.steps + 3):  # 3 warm-up steps
        if step == 3:
            if a.device.startswith("cuda"):
                torch.cuda.synchronize()
            start, tokens = time.perf_counter(), 0
        batch = random.sample(cells, a.batch_size)
        n = max(len(c) for c in batch)
        ids = torch.zeros(len(batch), n, dtype=torch.long)
        mask = torch.zeros(len(batch), n, dtype=torch.long)
        for r, c in enumerate(batch):
            ids[r, :len(c)] = torch.tensor(c)
            mask[r, :len(c)] = 1
        labels = torch.randint(0, 9, (len(batch),))
        ids, mask, labels = ids.to(a.device), mask.to(a.device), labels.to(a.device)
        with torch.autocast(a.device.split(":")[0], dtype=torch.bfloat16, enabled=dtype == "bf16"):
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        tokens += int(mask.sum())
    if a.device.startswith("cuda"):
        torch.cuda.synchronize()
    secs = time.perf_counter() - start
    mfu = f", MFU {6 * params * tokens / secs / 1e12 / a.peak_tflops:.1%}" if a.peak_tflops else ""
    print(f"transformers {dtype}: {a.steps / secs:.2f} steps/s, {tokens / secs:.0f} tokens/s{mfu}")
