"""Fidelity of quantized runs against fp32 for scripts/bench/quant_bench.sh.

    python quant_fidelity.py emb FP32.npy OTHER.npy        per-cell cosine: median, 1st percentile, min
    python quant_fidelity.py isp FP32_DIR OTHER_DIR        deletion effects (cell_emb rows of the CSV shards):
                                                           Spearman over the perturbed genes, and the largest |diff|
Both outputs must hold the same cells in the same order (the same --max-ncells sample and seed).
"""
import glob
import sys

import numpy as np
import pandas as pd

kind, a, b = sys.argv[1:4]
if kind == "emb":
    x, y = np.load(a).astype(np.float64), np.load(b).astype(np.float64)
    c = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    print(f"{np.median(c):.6f} {np.percentile(c, 1):.6f} {c.min():.6f} {len(c)}")
else:
    def effects(d):
        t = pd.concat(pd.read_csv(f) for f in sorted(glob.glob(d + "/part-*.csv")))
        t = t[t.affected == "cell_emb"]
        return t.groupby("perturbed").value.mean()
    x, y = effects(a), effects(b)
    assert set(x.index) == set(y.index), "different perturbations"
    y = y[x.index]
    rho = x.rank().corr(y.rank())  # Spearman: Pearson of the ranks, ties averaged
    print(f"{rho:.4f} {np.abs(x.values - y.values).max():.2e} {len(x)}")
