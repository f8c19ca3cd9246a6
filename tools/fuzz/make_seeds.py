"""Writes the fuzzers' seed corpora: small valid files as Python writes them.

    .venv/bin/python tools/fuzz/make_seeds.py tools/fuzz/seeds
"""
import os
import sys
import zipfile

import torch
from safetensors.torch import save_file


def safetensors_seeds(directory):
    torch.manual_seed(0)
    save_file({"w": torch.randn(2, 3)}, os.path.join(directory, "one_f32.safetensors"))
    save_file(
        {
            "f16": torch.randn(4).half(),
            "bf16": torch.randn(2, 2).bfloat16(),
            "i64": torch.arange(3),
            "i8": torch.tensor([1, -1], dtype=torch.int8),
            "flag": torch.tensor([True, False]),
            "scalar": torch.tensor(1.5, dtype=torch.float64),
            "empty": torch.empty(0, 4),
        },
        os.path.join(directory, "mixed.safetensors"),
        metadata={"format": "pt", "note": "seed"},
    )
    save_file({}, os.path.join(directory, "no_tensors.safetensors"))
    save_file(
        {f"encoder.layer.{i}.attention.self.query.weight": torch.randn(2, 2) for i in range(3)},
        os.path.join(directory, "bert_names.safetensors"),
        metadata={"format": "pt"},
    )


def pickle_seeds(directory, scratch):
    """The data.pkl of torch.save archives: the unpickler's input."""
    shared = torch.randn(3, 2)
    module = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LayerNorm(2))
    cases = {
        "dict": ({"w": torch.randn(2, 3), "b": torch.ones(2).half(), "s": torch.tensor(2)}, 2),
        "views": ({"all": shared, "rows": shared[1:], "t": shared.t(), "e": torch.empty(0, 2)}, 2),
        "module": (module.state_dict(), 2),
        "protocol4": (module.state_dict(), 4),
        "parameter": ({"p": torch.nn.Parameter(torch.randn(2)), "m": torch.tensor([True])}, 2),
    }
    for name, (state, protocol) in cases.items():
        archive = os.path.join(scratch, name + ".bin")
        torch.save(state, archive, pickle_protocol=protocol)
        with zipfile.ZipFile(archive) as zip_file:
            pickle_name = next(entry for entry in zip_file.namelist() if entry.endswith("/data.pkl"))
            with open(os.path.join(directory, name + ".pkl"), "wb") as out:
                out.write(zip_file.read(pickle_name))
        os.remove(archive)


def main():
    root = sys.argv[1]
    for corpus in ("safetensors_header", "state_dict_pickle"):
        os.makedirs(os.path.join(root, corpus), exist_ok=True)
    safetensors_seeds(os.path.join(root, "safetensors_header"))
    pickle_seeds(os.path.join(root, "state_dict_pickle"), root)


if __name__ == "__main__":
    main()
