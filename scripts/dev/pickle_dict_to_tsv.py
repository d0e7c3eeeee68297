"""Converts an upstream Geneformer dictionary pickle (token, median, mapping or name dictionary) to the TSV
that geneformer4j reads: key<TAB>value per line, in the dictionary's order, floats as exact round-trip repr.

    python scripts/dev/pickle_dict_to_tsv.py token_dictionary.pkl token_dictionary.tsv

Only unpickle files you trust: pickle can run code.
"""
import pickle
import sys

with open(sys.argv[1], "rb") as f:
    d = pickle.load(f)
if not isinstance(d, dict):
    sys.exit(f"{sys.argv[1]}: not a dict pickle")
with open(sys.argv[2], "w") as out:
    for k, v in d.items():
        v = v.item() if hasattr(v, "item") else v
        out.write(f"{k}\t{v!r}\n")
print(f"{sys.argv[2]}: {len(d)} entries")
