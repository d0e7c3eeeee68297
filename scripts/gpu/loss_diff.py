"""Training losses of two runs step by step (metrics.jsonl with --log-steps 1): python loss_diff.py A B
-> "FIRST MAX STEPS": the relative difference of the first step's loss (before any update: layout and precision
alone), the largest over all steps, and how many steps both logged."""
import json
import sys


def losses(d):
    return [json.loads(l)["loss"] for l in open(f"{d}/metrics.jsonl") if '"loss"' in l and "eval_" not in l]


a, b = losses(sys.argv[1]), losses(sys.argv[2])
n = min(len(a), len(b))
if n == 0:
    sys.exit("no losses logged")
rel = [abs(x - y) / abs(y) for x, y in zip(a[:n], b[:n])]
print(f"{rel[0]:.1e} {max(rel):.1e} {n}")
