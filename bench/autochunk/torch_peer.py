"""PyTorch eager on the CPU: the AutoChunk benchmark's peer (driven by bench/autochunk/torch-peer.ts).

Reads one JSON command per line on stdin and answers one JSON line on stdout, so the benchmark
can interleave PyTorch's runs with its own executor's runs in the same session:

  {"cmd": "load", "model": "gpt", "config": {...}, "threads": 1,
   "params": [[name, shape], ...], "inputs": [[name, shape, dtype, values], ...]}
      builds the model's weights and inputs (float32, seeded), runs it once to warm up;
  {"cmd": "time"}    one forward pass under no_grad: {"seconds": wall seconds};
  {"cmd": "memory"}  one forward pass under torch.profiler with profile_memory=True:
                     {"peak_bytes": the high-water mark of the bytes its allocation events
                      hold, "events": how many}.
  {"cmd": "matmul", "batch": b, "m": m, "k": k, "n": n, "runs": r}
                     one product [b, m, k] · [b, k, n] into a preallocated output, after a
                     warm-up: {"seconds": the median of r runs}.

The forward pass is the test reference's (gpu/test/fixtures/autochunk_reference.py), written
with plain torch ops as PyTorch code usually is. Weights and inputs only need the graph's
shapes: their values do not change time or memory.
"""

import importlib.util
import json
import sys
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "autochunk_reference", ROOT / "gpu" / "test" / "fixtures" / "autochunk_reference.py"
)
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def make_input(shape, dtype, values, generator):
    if values["kind"] == "uniform":
        low, high = int(values["low"]), int(values["high"])
        if dtype == "i32":
            return torch.randint(low, high, shape, generator=generator)
        return torch.rand(shape, generator=generator) * (high - low) + low
    return torch.randn(shape, generator=generator) * values["std"]


def peak_allocated(forward):
    """Bytes held at the high-water mark of the allocations made while `forward` runs."""
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        forward()
    events = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
    live = peak = 0
    for event in sorted(events, key=lambda e: e.start_ns()):
        live += event.nbytes()  # negative for a free
        peak = max(peak, live)
    return peak, len(events)


def matmul_seconds(message):
    """Median wall seconds of torch.matmul on random [b, m, k] and [b, k, n] operands."""
    b, m, k, n = (message[key] for key in ("batch", "m", "k", "n"))
    left, right, out = torch.rand(b, m, k), torch.rand(b, k, n), torch.empty(b, m, n)
    torch.matmul(left, right, out=out)
    seconds = []
    for _ in range(message["runs"]):
        start = time.perf_counter()
        torch.matmul(left, right, out=out)
        seconds.append(time.perf_counter() - start)
    return sorted(seconds)[len(seconds) // 2]


def main():
    forward = None
    for line in sys.stdin:
        message = json.loads(line)
        command = message["cmd"]
        if command == "load":
            torch.set_num_threads(message["threads"])
            generator = torch.Generator().manual_seed(0)
            weights = {
                name: torch.randn(shape, generator=generator) * 0.02
                for name, shape in message["params"]
            }
            inputs = {
                name: make_input(shape, dtype, values, generator)
                for name, shape, dtype, values in message["inputs"]
            }
            model = getattr(reference, message["model"])
            config = message["config"]

            def forward():
                with torch.no_grad():
                    return model(config, weights, inputs)

            forward()
            reply({"threads": torch.get_num_threads(), "torch": torch.__version__})
        elif command == "time":
            start = time.perf_counter()
            forward()
            reply({"seconds": time.perf_counter() - start})
        elif command == "memory":
            peak, count = peak_allocated(forward)
            reply({"peak_bytes": peak, "events": count})
        elif command == "matmul":
            reply({"seconds": matmul_seconds(message)})
        else:
            raise ValueError(f"unknown command {command!r}: want load, time, memory or matmul")


if __name__ == "__main__":
    main()
