"""Model FLOPs per trained token of masked gene modelling, for model FLOP utilisation in scripts/gpu/verify.sh:
3 x the forward pass (backward twice the forward), counting the encoder's matrix products (4h^2 + 2hI per layer and
token), attention's two products over the cell's length (2 x 2 x h x n per layer and token, weighted by length over
the dataset: sum n^2 / sum n), and the MLM head (transform h^2 and decoder h x V) on the masked 15 % of positions,
the ones the loss needs. The same count for both programs: their MFU ratio is their tokens/s ratio.

    python pretrain_flops.py MODEL DATASET   -> flops per token
"""
import json
import sys

from hfdata import load_from_disk

c = json.load(open(f"{sys.argv[1]}/config.json"))
h, inter, layers, vocab = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"], c["vocab_size"]
lengths = [len(x) for x in load_from_disk(sys.argv[2])["input_ids"]]
n_eff = sum(n * n for n in lengths) / sum(lengths)
forward = layers * (2 * (4 * h * h + 2 * h * inter) + 2 * 2 * h * n_eff) + 0.15 * 2 * (h * h + h * vocab)
print(f"{3 * forward:.6e}")
