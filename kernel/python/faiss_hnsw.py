"""faiss-cpu HNSW as CAGRA's peer, driven by kernel/src/api/peers/faiss.ts (for
bench/cagra.bench.ts and the paper notebook notebooks/03-cagra-paper.ipynb).

Reads the dataset and queries as .fbin (u32 rows, u32 dim, then f32 row-major), builds
IndexHNSWFlat (or, with --storage sq8, IndexHNSWSQ with 8-bit codes) for each M with the
given efConstruction on the given number of threads, searches for every efSearch (best of
--repeats passes), and prints one JSON object on stdout: {"version": ..., "quantizer": ...,
"runs": [{"M", "ef_construction", "build_s", "searches": [{"ef", "threads", "search_s" (best),
"repeat_s" (every pass), "ids": [[...], ...]}]}]}.
"""

import argparse
import json
import time

import faiss
import numpy as np


def read_fbin(path):
    with open(path, "rb") as f:
        rows, dim = np.fromfile(f, dtype="<u4", count=2)
        return np.fromfile(f, dtype="<f4", count=int(rows) * int(dim)).reshape(int(rows), int(dim))


def quantizer(data):
    """8-bit codes as faiss offers them: the bytes themselves when every value is an integer in
    [0, 255] (exact, as for SIFT), else each dimension's range mapped onto 0..255."""
    exact = np.all(data == np.round(data)) and data.min() >= 0 and data.max() <= 255
    if exact:
        return "QT_8bit_direct", faiss.ScalarQuantizer.QT_8bit_direct
    return "QT_8bit", faiss.ScalarQuantizer.QT_8bit


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--m", type=int, nargs="+", default=[16, 32])
    p.add_argument("--ef-construction", type=int, default=200)
    p.add_argument("--ef", type=int, nargs="+", required=True)
    # Thread counts each search is repeated at (the build uses --threads); default --threads.
    p.add_argument("--search-threads", type=int, nargs="+")
    p.add_argument("--storage", choices=["flat", "sq8"], default="flat")
    args = p.parse_args()
    search_threads = args.search_threads or [args.threads]

    faiss.omp_set_num_threads(args.threads)
    data = np.ascontiguousarray(read_fbin(args.dataset))
    queries = np.ascontiguousarray(read_fbin(args.queries))
    qname, qtype = quantizer(data) if args.storage == "sq8" else ("none", None)
    runs = []
    for m in args.m:
        if qtype is None:
            index = faiss.IndexHNSWFlat(data.shape[1], m)
        else:
            index = faiss.IndexHNSWSQ(data.shape[1], qtype, m)
        index.hnsw.efConstruction = args.ef_construction
        t = time.perf_counter()
        index.train(data)
        index.add(data)
        build_s = time.perf_counter() - t
        searches = []
        for threads in search_threads:
            faiss.omp_set_num_threads(threads)
            for ef in args.ef:
                index.hnsw.efSearch = max(ef, args.k)
                repeat_s = []
                for _ in range(args.repeats):
                    t = time.perf_counter()
                    _, ids = index.search(queries, args.k)
                    repeat_s.append(time.perf_counter() - t)
                searches.append(
                    {
                        "ef": ef,
                        "threads": threads,
                        "search_s": min(repeat_s),
                        "repeat_s": repeat_s,
                        "ids": ids.tolist(),
                    }
                )
        faiss.omp_set_num_threads(args.threads)
        runs.append(
            {"M": m, "ef_construction": args.ef_construction, "build_s": build_s, "searches": searches}
        )
    print(json.dumps({"version": faiss.__version__, "quantizer": qname, "runs": runs}))


if __name__ == "__main__":
    main()
