"""Largest difference between geneformer perturb's values (CSV shards, cell_emb rows) and hf_isp.py's, matched per
perturbed gene (each gene's values sorted, since both programs order cells differently). Fails when the two
programs perturbed different genes.

    python scripts/bench/isp_diff.py PERTURB_DIR HF_ISP.csv
"""
import glob
import sys

import pandas as pd

j = pd.concat(pd.read_csv(f) for f in glob.glob(sys.argv[1] + "/part-*.csv"))
p = pd.read_csv(sys.argv[2])
j = j[j.affected == "cell_emb"].groupby("perturbed").value.apply(sorted)
p = p.groupby("perturbed").value.apply(sorted)
assert set(j.index) == set(p.index), "different perturbations"
print(f"{max(abs(a - b) for k in p.index for a, b in zip(j[k], p[k])):.1e}")
