"""Replicates an .h5ad's cells to at least N cells (benchmark input; dev only).

    python make_replicated_h5ad.py SRC.h5ad DST.h5ad N [--compression gzip|none]

Cell ids get a copy suffix so they stay unique; obs keeps n_counts (and the label columns as strings).
"""
import argparse

import h5py
import numpy as np

STR = h5py.string_dtype()


def dec(a):
    return np.array([x.decode() if isinstance(x, bytes) else str(x) for x in a], dtype=object)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("n", type=int)
    ap.add_argument("--compression", default="gzip")
    a = ap.parse_args()
    comp = None if a.compression == "none" else a.compression
    with h5py.File(a.src, "r") as s, h5py.File(a.dst, "w") as d:
        X = s["X"]
        data, indices, indptr = X["data"][:], X["indices"][:], X["indptr"][:].astype(np.int64)
        n0, g = (int(v) for v in X.attrs["shape"])
        reps = -(-a.n // n0)
        for k, v in s.attrs.items():
            d.attrs[k] = v
        x = d.create_group("X")
        for k, v in X.attrs.items():
            x.attrs[k] = v
        x.attrs["shape"] = np.array([n0 * reps, g])
        nnz = len(data)
        chunk = (1 << 16,)
        dd = x.create_dataset("data", shape=(nnz * reps,), dtype=data.dtype, compression=comp, chunks=chunk)
        di = x.create_dataset("indices", shape=(nnz * reps,), dtype=indices.dtype, compression=comp, chunks=chunk)
        for r in range(reps):
            dd[r * nnz:(r + 1) * nnz] = data
            di[r * nnz:(r + 1) * nnz] = indices
        x.create_dataset("indptr", data=np.concatenate([indptr[:-1] + r * nnz for r in range(reps)] + [[nnz * reps]]))
        h5py.h5o.copy(s.id, b"var", d.id, b"var")
        obs_src = s["obs"]
        obs = d.create_group("obs")
        obs.attrs["encoding-type"] = "dataframe"
        obs.attrs["encoding-version"] = "0.2.0"
        obs.attrs["_index"] = "_index"
        idx = dec(obs_src[obs_src.attrs["_index"]][:])
        obs.create_dataset("_index", data=np.concatenate([np.array([f"{c}-{r}" for c in idx], dtype=object)
                                                          for r in range(reps)]), dtype=STR)
        obs.create_dataset("n_counts", data=np.tile(obs_src["n_counts"][:], reps))
        obs.attrs["column-order"] = np.array(["n_counts"], dtype=object)
    print(f"{a.dst}: {n0 * reps} cells x {g} genes, {nnz * reps} non-zeros")


if __name__ == "__main__":
    main()
