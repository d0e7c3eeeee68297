"""transformers' side of the real pretraining run (docs/benchmarks.md, "Pretraining, a real run"): the same model
directory, datasets, batch size, learning rate, warmup and schedule as `geneformer pretrain`, trained with a plain
transformers loop (upstream's masking, length-grouped batches, AdamW without decay on biases and LayerNorm,
clipping at 1.0), and evaluated every EVAL steps on a held-out share: masked-token loss, accuracy, and the
unigram baseline (training-cell frequencies, add-one smoothed, as geneformer4j's). One JSON line per evaluation.
Its split and masks are its own, so the curves compare as curves, not value for value.

    python hf_pretrain_curve.py MODEL_DIR DATASET[,DATASET...] BATCH STEPS LR WARMUP EVAL THREADS [cosine|linear]
"""
import json
import math
import random
import sys

import torch
from transformers import BertForMaskedLM, get_scheduler

import hfmlm
from hfdata import load_from_disk

model_dir, sets = sys.argv[1], sys.argv[2].split(",")
batch, steps, lr, warmup, every, threads = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
schedule = sys.argv[9] if len(sys.argv) > 9 else "linear"
torch.set_num_threads(threads)
torch.manual_seed(42)
rng = random.Random(42)
cells = [list(c) for d in sets for c in load_from_disk(d)["input_ids"]]
rng.shuffle(cells)
n_valid = max(1, round(len(cells) * 0.05))
valid, train = cells[:n_valid], cells[n_valid:]
model = BertForMaskedLM.from_pretrained(model_dir, attn_implementation="sdpa")
vocab = model.config.vocab_size
counts = [1.0] * vocab
for c in train:
    for t in c:
        counts[t] += 1
total = sum(counts)
log_freq = torch.tensor([math.log(x / total) for x in counts])
opt = hfmlm.adamw(model, lr)
sched = get_scheduler(schedule, opt, num_warmup_steps=warmup, num_training_steps=steps)


def batches(epoch):
    # transformers' LengthGroupedSampler: megabatches of 50 batches, each sorted longest first
    order = list(range(len(train)))
    random.Random(epoch).shuffle(order)
    mega = batch * 50
    order = [i for m in range(0, len(order), mega) for i in sorted(order[m:m + mega], key=lambda i: -len(train[i]))]
    return [order[i:i + batch] for i in range(0, len(order), batch)]


def evaluate(step):
    model.eval()
    gen = torch.Generator().manual_seed(7)
    loss_sum = uni_sum = correct = masked = 0
    with torch.no_grad():
        for i in range(0, len(valid), 32):
            ids, att, labels = hfmlm.collate(valid[i:i + 32], vocab, gen)
            logits = model(input_ids=ids, attention_mask=att).logits
            sel = labels != -100
            y = labels[sel]
            lp = torch.log_softmax(logits[sel], -1)
            loss_sum += -lp.gather(1, y[:, None]).sum().item()
            uni_sum += -log_freq[y].sum().item()
            correct += (lp.argmax(-1) == y).sum().item()
            masked += y.numel()
    model.train()
    print(json.dumps({"step": step, "eval_loss": loss_sum / masked, "eval_accuracy": correct / masked,
                      "eval_unigram_loss": uni_sum / masked}), flush=True)


gen = torch.Generator().manual_seed(42)
model.train()
step, epoch = 0, 0
while step < steps:
    for b in batches(epoch):
        ids, att, labels = hfmlm.collate([train[i] for i in b], vocab, gen)
        model(input_ids=ids, attention_mask=att, labels=labels).loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        if step % every == 0 or step == steps:
            evaluate(step)
        if step == steps:
            break
    epoch += 1
