"""Nearest-centroid baseline on the same split as a fine-tuning run (../shared/data/DATA.md's floor).

log1p of counts per 10k, the 500 most variable genes (by variance on the training cells), one centroid per class
from the training and validation cells, each test cell to the nearest centroid (Euclidean). Prints accuracy and
macro F1 on the run's test cells.
Usage: python scripts/bench/nearest_centroid.py DATA.h5ad RUN_DIR/splits.csv LABEL_COLUMN
"""
import csv, sys

import h5py
import numpy as np
import scipy.sparse as sp
from sklearn.metrics import accuracy_score, f1_score


def read(path, label):
    with h5py.File(path) as f:
        X = f["X"]
        shape = X.attrs["shape"] if "shape" in X.attrs else X.attrs["h5sparse_shape"]
        m = sp.csr_matrix((X["data"][:], X["indices"][:], X["indptr"][:]), shape=tuple(shape))
        obs = f["obs"]
        idx_key = obs.attrs.get("_index", "_index")
        ids = [x.decode() if isinstance(x, bytes) else x for x in obs[idx_key][:]]
        col = obs[label]
        if isinstance(col, h5py.Group):
            cats = [x.decode() if isinstance(x, bytes) else x for x in col["categories"][:]]
            labels = [cats[i] for i in col["codes"][:]]
        else:
            labels = [x.decode() if isinstance(x, bytes) else str(x) for x in col[:]]
    return m, ids, np.array(labels)


def main():
    path, splits, label = sys.argv[1:4]
    m, ids, labels = read(path, label)
    row = {c: i for i, c in enumerate(ids)}
    sets = {"train": [], "valid": [], "test": []}
    with open(splits) as f:
        for r in csv.DictReader(f):
            sets[r["split"]].append(row[r["cell_id"]])
    x = m.multiply(1e4 / np.asarray(m.sum(1))).tocsr()
    x = np.log1p(x.toarray())
    fit = np.array(sets["train"] + sets["valid"])
    test = np.array(sets["test"])
    genes = np.argsort(-x[fit].var(0))[:500]
    classes = sorted(set(labels[fit]))
    cent = np.stack([x[fit][labels[fit] == c][:, genes].mean(0) for c in classes])
    d = ((x[test][:, genes][:, None, :] - cent[None]) ** 2).sum(-1)
    pred = np.array(classes)[d.argmin(1)]
    print(f"nearest centroid on {len(test)} test cells: accuracy {accuracy_score(labels[test], pred):.4f}, "
          f"macro F1 {f1_score(labels[test], pred, average='macro'):.4f}")


if __name__ == "__main__":
    main()
