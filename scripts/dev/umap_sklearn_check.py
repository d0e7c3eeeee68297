"""Checks geneformer's UMAP against scikit-learn's own measures, once, by hand (not part of mvn test).

1. log1p(CP10k) of pbmc3k_hvg2000_clustifyr, PCA-50 with scikit-learn -> pbmc3k_pca50.csv (index, 0..49, cell_type);
2. `geneformer plot umap --save-layout` on it;
3. sklearn.manifold.trustworthiness(k=15) of the layout against the PCA input, and leave-one-out 15-NN label
   accuracy (sklearn KNeighborsClassifier) in 2-D and 50-D, to compare with what UmapQualityTest prints.

Usage: python scripts/dev/umap_sklearn_check.py OUTDIR   (after ./mvnw package -DskipTests; needs h5py, scikit-learn)
"""
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.model_selection import cross_val_predict, LeaveOneOut
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

ROOT = Path(__file__).resolve().parents[2]
H5AD = ROOT / "src/test/resources/data/pbmc3k/pbmc3k_hvg2000_clustifyr.h5ad"


def knn_accuracy(x, labels, k=15):
    # leave-one-out majority vote among the k nearest other cells (ties to the alphabetically first label, as the test)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(x)
    _, idx = nn.kneighbors(x)
    right = 0
    for i in range(len(x)):
        others = [j for j in idx[i] if j != i][:k]
        votes = pd.Series(labels[others]).value_counts()
        best = sorted(votes[votes == votes.max()].index)[0]
        right += best == labels[i]
    return right / len(x)


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with h5py.File(H5AD) as f:
        g = f["X"]
        x = sparse.csr_matrix((g["data"][:], g["indices"][:], g["indptr"][:]), shape=g.attrs["shape"])
        ct = f["obs/cell_type"]
        labels = np.array([c.decode() if isinstance(c, bytes) else c for c in ct["categories"][:]])[ct["codes"][:]] \
            if isinstance(ct, h5py.Group) else np.array([c.decode() for c in ct[:]])
    x = x.multiply(1e4 / x.sum(axis=1)).tocsr()
    x.data = np.log1p(x.data)
    pcs = PCA(n_components=50, svd_solver="full").fit_transform(x.toarray()).astype(np.float32)
    df = pd.DataFrame(pcs, columns=[str(i) for i in range(50)])
    df.insert(0, "cell", [f"cell{i}" for i in range(len(df))])
    df["cell_type"] = labels
    csv = out / "pbmc3k_pca50.csv"
    df.to_csv(csv, index=False)
    layout = out / "pbmc3k_umap.csv"
    subprocess.run([str(ROOT / "scripts/geneformer"), "plot", "umap", "-i", str(csv), "--color", "cell_type",
                    "-o", str(out / "pbmc3k_umap.png"), "--save-layout", str(layout), "--overwrite"], check=True)
    y = pd.read_csv(layout)[["UMAP1", "UMAP2"]].to_numpy()
    print(f"sklearn trustworthiness(k=15): {trustworthiness(pcs, y, n_neighbors=15):.4f}")
    print(f"15-NN accuracy: 2-D {knn_accuracy(y, labels):.4f}, 50-D {knn_accuracy(pcs, labels):.4f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/umap_check")
