"""Points for the UMAP benchmark: pbmc3k's 2,638 cells in PCA-50 (from scripts/dev/umap_sklearn_check.py) plus
synthetic cells until N rows, each a random point on the segment between a real cell and one of its 15 nearest
neighbours (SMOTE-style), so that the extra cells lie on the data's manifold instead of forming tight clumps of
copies. Writes POINTS.npy + POINTS.cells.tsv (cell_type of the real cell, copy number)."""
import sys

import numpy as np
import pandas as pd

src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
df = pd.read_csv(src)
x = df[[str(i) for i in range(50)]].to_numpy(np.float32)
from sklearn.neighbors import NearestNeighbors

rng = np.random.default_rng(0)
reps = -(-n // len(x))
_, nbr = NearestNeighbors(n_neighbors=16).fit(x).kneighbors(x)
copies = [x]
for _ in range(reps - 1):
    j = nbr[np.arange(len(x)), rng.integers(1, 16, len(x))]
    u = rng.random((len(x), 1)).astype(np.float32)
    copies.append(x + u * (x[j] - x))
big = np.concatenate(copies)[:n]
np.save(out + ".npy", big.astype(np.float32))
cells = pd.DataFrame({"cell": [f"c{i}" for i in range(n)], "cell_type": np.tile(df["cell_type"].to_numpy(), reps)[:n],
                      "copy": (np.arange(n) // len(x)).astype(str)})
cells.to_csv(out + ".cells.tsv", sep="\t", index=False)
print(f"wrote {out}.npy: {big.shape}")
