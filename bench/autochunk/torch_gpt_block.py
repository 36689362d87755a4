"""PyTorch eager CPU timing of the GPT block that bench/autochunk/executor-speed.ts times.

Usage: python torch_gpt_block.py DIR THREADS

DIR holds manifest.json ({"config": {...}}), params/NAME.npy and inputs/NAME.npy as written by
executor-speed.ts. The model is the float64 reference of the parity tests
(gpu/test/fixtures/autochunk_reference.py) run in float32 with THREADS intra-op threads. After
loading (and one warm-up run) it prints "ready"; then each line "run" on stdin runs the forward
once and prints its wall time in seconds, so the caller can interleave these runs with its own.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "gpu" / "test" / "fixtures"))
from autochunk_reference import gpt  # noqa: E402


def load(folder):
    arrays = {}
    for path in sorted(folder.glob("*.npy")):
        t = torch.from_numpy(np.load(path))
        arrays[path.stem] = t.float() if t.is_floating_point() else t.long()
    return arrays


def main(folder, threads):
    torch.set_num_threads(threads)
    config = json.loads((folder / "manifest.json").read_text())["config"]
    params, inputs = load(folder / "params"), load(folder / "inputs")
    with torch.no_grad():
        gpt(config, params, inputs)
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() != "run":
                break
            start = time.perf_counter()
            gpt(config, params, inputs)
            print(time.perf_counter() - start, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
