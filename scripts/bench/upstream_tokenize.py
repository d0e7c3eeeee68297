"""Upstream Geneformer's h5ad tokenization path (tokenizer.py @ ff551ee), replicated line for line for timing.

The geneformer package itself cannot be installed on this machine (no network beyond the package registries,
and it is not on them), so this script reproduces what TranscriptomeTokenizer.tokenize_anndata and
create_dataset execute: scipy row slicing in chunks of 512, X / n_counts * target_sum / medians,
csr_matrix, np.argsort(-v) per cell, Dataset.from_dict, .map() to truncate and add <cls>/<eos>, save_to_disk.
Only scanpy.read_h5ad is replaced by an h5py loader of the same in-memory CSR (anndata is not installable here).

    python upstream_tokenize.py INPUT.h5ad OUTPUT.dataset [--version V1|V2] [--nproc N] [--stable-sort]
"""
import argparse
import os
import sys
import time
from collections import Counter

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import reference_tokenizer as ref  # noqa: E402  (dictionaries only)


SORT_KIND = None  # upstream: np.argsort's default, which is not stable


def rank_genes(gene_vector, gene_tokens):
    sorted_indices = np.argsort(-gene_vector, kind=SORT_KIND)
    return gene_tokens[sorted_indices]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--version", default="V2")
    ap.add_argument("--nproc", type=int, default=1)
    ap.add_argument("--stable-sort", action="store_true",
                    help="break ties by gene order (to show that remaining differences are tie order only)")
    a = ap.parse_args()
    global SORT_KIND
    SORT_KIND = "stable" if a.stable_sort else None
    t0 = time.time()
    vocab = ref.Vocab(a.version)
    import h5py
    with h5py.File(a.input, "r") as h:
        X = h["X"]
        shape = tuple(int(v) for v in X.attrs["shape"])
        X = sp.csr_matrix((X["data"][:], X["indices"][:], X["indptr"][:]), shape=shape)
        ids = ref._decode(h["var"]["ensembl_id"][:])
        n_counts_all = h["obs"]["n_counts"][:]
    # sum_ensembl_ids (collapse_gene_ids=True): map IDs, drop unmapped genes, sum the columns of IDs that map to
    # one gene and append those summed genes after the unique ones (sc.concat([data_dedup, processed_genes]))
    mapped = [vocab.mapping.get(g.upper()) for g in ids]
    cols = [i for i, g in enumerate(mapped) if g is not None]
    X, names = X[:, cols], [mapped[i] for i in cols]
    count = Counter(names)
    dup_genes = [g for g, c in count.items() if c > 1]
    if dup_genes:
        unique = [i for i, g in enumerate(names) if count[g] == 1]
        summed = [X[:, [i for i, g in enumerate(names) if g == d]].sum(axis=1) for d in dup_genes]
        X = sp.hstack([X[:, unique], sp.csr_matrix(np.hstack(summed))]).tocsr()
        names = [names[i] for i in unique] + dup_genes
    collapsed = names
    coding_miRNA_loc = np.where([vocab.tokens.get(i) is not None if i else False for i in collapsed])[0]
    norm_factor_vector = np.array([vocab.medians[collapsed[i]] for i in coding_miRNA_loc])
    coding_miRNA_tokens = np.array([vocab.tokens[collapsed[i]] for i in coding_miRNA_loc])
    filter_pass_loc = np.arange(shape[0])
    tokenized_cells = []
    target_sum = 10_000
    chunk_size = 512
    for i in range(0, len(filter_pass_loc), chunk_size):
        idx = filter_pass_loc[i:i + chunk_size]
        n_counts = n_counts_all[idx][:, None]
        X_view0 = X[idx, :]
        X_view = X_view0[:, coding_miRNA_loc]
        X_norm = X_view / n_counts * target_sum / norm_factor_vector
        X_norm = sp.csr_matrix(X_norm)
        tokenized_cells += [rank_genes(X_norm[j].data, coding_miRNA_tokens[X_norm[j].indices])
                            for j in range(X_norm.shape[0])]
    t_tok = time.time()

    from datasets import Dataset
    dataset_dict = {"input_ids": tokenized_cells}
    output_dataset = Dataset.from_dict(dataset_dict)
    cls, eos = vocab.tokens.get("<cls>"), vocab.tokens.get("<eos>")

    def format_cell_features(example):
        if vocab.special:
            example["input_ids"] = example["input_ids"][0:vocab.input_size - 2]
            example["input_ids"] = np.insert(example["input_ids"], 0, cls)
            example["input_ids"] = np.append(example["input_ids"], eos)
        else:
            example["input_ids"] = example["input_ids"][0:vocab.input_size]
        example["length"] = len(example["input_ids"])
        return example

    output_dataset_truncated = output_dataset.map(format_cell_features, num_proc=a.nproc)
    output_dataset_truncated.save_to_disk(a.output)
    t1 = time.time()
    print(f"python-upstream cells={shape[0]} total_s={t1 - t0:.2f} rank_s={t_tok - t0:.2f} "
          f"cells_per_s={shape[0] / (t1 - t0):.0f}")


if __name__ == "__main__":
    main()
