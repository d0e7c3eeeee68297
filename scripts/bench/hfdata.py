"""`load_from_disk` for the benchmark scripts, also where the `datasets` package is missing (the GPU machine has
PyTorch and transformers but not it): a `save_to_disk` directory is Arrow IPC stream files listed in state.json,
which pyarrow reads. Only what the scripts use: len, ds[column], ds[row], sort (stable, as datasets') and select."""
try:
    from datasets import load_from_disk  # noqa: F401
except ImportError:
    import json
    import os

    import pyarrow as pa
    import pyarrow.compute as pc

    class _Rows:
        def __init__(self, table):
            self.table = table

        def __len__(self):
            return self.table.num_rows

        def __getitem__(self, key):
            if isinstance(key, str):
                return self.table.column(key).to_pylist()
            return {c: self.table.column(c)[key].as_py() for c in self.table.column_names}

        def sort(self, column, reverse=False):
            order = pc.sort_indices(self.table, sort_keys=[(column, "descending" if reverse else "ascending")])
            return _Rows(self.table.take(order))

        def select(self, rows):
            return _Rows(self.table.take(pa.array(list(rows), type=pa.int64())))

    def load_from_disk(path):
        with open(os.path.join(path, "state.json")) as f:
            files = [os.path.join(path, d["filename"]) for d in json.load(f)["_data_files"]]
        return _Rows(pa.concat_tables([pa.ipc.open_stream(f).read_all() for f in files]))
