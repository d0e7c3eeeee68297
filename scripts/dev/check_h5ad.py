"""Reads an .h5ad that geneformer embed wrote with Python anndata (Debian: apt install python3-anndata) and prints
what anndata sees, so the on-disk layout is checked by the reader people use. Dev only.

    python3 scripts/dev/check_h5ad.py cells.h5ad [LABEL_COLUMN ...]
"""
import sys

import anndata

path, labels = sys.argv[1], sys.argv[2:]
a = anndata.read_h5ad(path)
emb = a.obsm["X_geneformer"]
print(path, ": anndata", anndata.__version__, "|", a.n_obs, "cells x", a.n_vars, "dims | obs columns", list(a.obs.columns),
      "| obsm", list(a.obsm.keys()))
assert emb.shape == (a.n_obs, a.n_vars), emb.shape
assert list(a.obs.columns) == labels, (list(a.obs.columns), labels)
assert (a.X == emb).all()
print("ok")
