/*
 * What the benchmarks record of the CPU they ran on beyond its model name: the widest vector
 * instructions it has. Native peers (PyTorch's MKL, faiss, hnswlib built for the CPU) use them,
 * while the WebAssembly kernels stay at 128 bits, so a ratio measured on an AVX-512 host is not
 * comparable with one from an AVX2 host; the VMs here have been both.
 */
import { readFileSync } from "node:fs";

/** The CPU's feature flags from /proc/cpuinfo (empty where there is none). */
export function cpuFlags(): Set<string> {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("flags"));
    return new Set(line?.split(":")[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/**
 * The widest x86 vector extensions present, for a report.
 *
 * @example
 * vectorExtensions(new Set(["avx2", "fma"])); // "AVX2+FMA"
 */
export function vectorExtensions(flags: ReadonlySet<string> = cpuFlags()): string {
  if (flags.has("avx512f")) return "AVX-512";
  if (flags.has("avx2")) return flags.has("fma") ? "AVX2+FMA" : "AVX2";
  if (flags.has("sse4_2")) return "SSE4.2";
  return "unknown";
}
