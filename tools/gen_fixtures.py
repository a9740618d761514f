#!/usr/bin/python3
"""Write the PyTorch reference fixtures for the op-spec tests.

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_fixtures.py [module ...]`.
Each module tools/opspec/specs_<group>.py defines SPECS; its fixtures go to
test/fixtures/ops/<group>.json. Fixtures are committed, so tests need no Python.
"""

import importlib
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "opspec"))
OUT = os.path.join(HERE, "..", "test", "fixtures", "ops")

from framework import spec_json  # noqa: E402


def main():
    torch.set_num_threads(1)
    groups = sys.argv[1:] or sorted(
        f[len("specs_"):-3] for f in os.listdir(os.path.join(HERE, "opspec")) if f.startswith("specs_") and f.endswith(".py"))
    os.makedirs(OUT, exist_ok=True)
    for group in groups:
        mod = importlib.import_module(f"specs_{group}")
        specs = [spec_json(s) for s in mod.SPECS]
        path = os.path.join(OUT, f"{group}.json")
        with open(path, "w") as f:
            json.dump({"torch": torch.__version__, "specs": specs}, f, separators=(",", ":"))
        n = sum(len(s["cases"]) for s in specs)
        print(f"{group}: {len(specs)} specs, {n} cases -> {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
