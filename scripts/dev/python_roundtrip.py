"""Shows that Python `datasets` loads what geneformer4j writes, unchanged (dev only).

    scripts/geneformer tokenize -i examples/pbmc68k_reduced_counts.h5ad -o /tmp/pbmc68k.dataset --attr bulk_labels=cell_type
    python scripts/dev/python_roundtrip.py /tmp/pbmc68k.dataset [REFERENCE.jsonl]

Prints the dataset as `datasets` sees it, and, given the reference tokens written by
scripts/fixtures/make_fixtures.py, how many cells carry identical input_ids.
"""
import json
import sys

from datasets import load_from_disk

d = load_from_disk(sys.argv[1])
print(d)
print("features:", d.features)
print("first row:", {k: (v[:10] + ["..."] if isinstance(v, list) else v) for k, v in d[0].items()})
if len(sys.argv) > 2:
    ref = [json.loads(line) for line in open(sys.argv[2])]
    same = sum(r["input_ids"] == ids and r["cell_id"] == cid for r, ids, cid in zip(ref, d["input_ids"], d["cell_id"]))
    print(f"identical to the reference: {same} of {len(ref)} cells")
d.set_format("torch", columns=["input_ids"])
print("as torch tensor:", d[0]["input_ids"][:5], d[0]["input_ids"].dtype)
