"""The largest absolute difference between two models' weights (model.safetensors in each folder), and the largest
change of either from a starting model when given: python weights_diff.py A B [START] -> "D [MOVED]"."""
import sys

import numpy as np
from safetensors.numpy import load_file


def load(d):
    return load_file(f"{d}/model.safetensors")


a, b = load(sys.argv[1]), load(sys.argv[2])
if a.keys() != b.keys():
    sys.exit(f"different tensors: {sorted(a.keys() ^ b.keys())[:3]}")
d = max(float(np.abs(a[k].astype(np.float64) - b[k]).max()) for k in a)
out = [f"{d:.1e}"]
if len(sys.argv) > 3:
    s = load(sys.argv[3])
    out.append(f"{max(float(np.abs(a[k].astype(np.float64) - s[k]).max()) for k in a if k in s and 'encoder' in k):.1e}")
print(" ".join(out))
