import { execute } from "../executor/execute.js";
import type { Kernel } from "../executor/kernels/kernel.js";
import type { KernelOp } from "../executor/kernels/table.js";
import { cpuKernels } from "../executor/kernels/table.js";
import type { Tensor } from "../executor/tensor.js";
import { whenThreadsReady } from "../executor/wasm/runtime.js";
import { tensor } from "../executor/tensor.js";
import { GraphBuilder } from "../ir/builder.js";
import type { Graph, Node } from "../ir/graph.js";
import type { Op } from "../ir/op.js";
import { numel } from "../ir/shape.js";
import { flopsOf } from "../ops/registry.js";
import { allocateHeapTensor, releaseHeapTensor } from "../executor/wasm/heap-tensors.js";
import { planEinsum } from "../ops/einsum-spec.js";
import type { CostTable, RatePoint } from "./cost-table.js";
import { batchGatherElements } from "./cost-table.js";

// Problem sizes of the micro-benchmarks: few and small, so a calibration takes about a second.
// 1024 GEMM rows of 256 × 256 are the one size the kernels split over threads (~1 ms of work),
// as the unchunked programs' large products are.
const GEMM_ROWS = [1, 4, 16, 64, 256, 1024];
const GEMM_WIDTH = 256;
const OP_ELEMENTS = [1 << 10, 1 << 14, 1 << 18];
// Bytes per contiguous run of the copy benchmark, and the bytes each copies in all.
const COPY_RUN_BYTES = [16, 256, 4096, 1 << 16, 1 << 20];
const COPY_BYTES = 1 << 18;
const GATHER_SIDE = 256;
// The batch-gather benchmark, [rows, depth, columns, batch]: one 32-row chunk of a triangle
// multiplication over a 256-residue pair tensor of 64 channels (a 16 MiB unsliced operand).
const BATCH_GATHER_SIZES = [32, 256, 256, 64] as const;
const BATCH_GATHER_SPEC = "ikc,jkc->ijc";
const LOOP_LENGTHS = [16, 96] as const;
const LOOP_BODY_NODES = [1, 7] as const;
// Each timing repeats a call until this many milliseconds pass, and keeps the fastest batch
// (the first ones also warm the JIT up). On a shared machine a batch is often stretched by the
// scheduler, so batches go on, from BATCHES up to MAX_BATCHES, until the two fastest agree
// within STABLE: with 4 fixed batches under a load of 15 on 2 cores, rates were seen 1000× low.
const MIN_BATCH_MS = 1.5;
const BATCHES = 4;
const MAX_BATCHES = 32;
const STABLE = 0.05;

/** The fastest of repeated timings (seconds), once the two fastest agree (see STABLE). */
async function fastest(time: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < MAX_BATCHES; k++) {
    times.push(await time());
    if (times.length < BATCHES) continue;
    const [first, second] = [...times].sort((a, b) => a - b);
    if (second! <= first! * (1 + STABLE)) break;
  }
  return Math.min(...times);
}

function filled(shape: readonly number[]): Tensor {
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = (i % 97) / 97 - 0.5;
  return tensor(shape, data);
}

/**
 * Seconds per call of `node`'s CPU kernel on `inputs`: the fastest of the timed batches, less
 * `overhead` (a wasm kernel call's fixed cost, which `dispatchSeconds` already counts).
 */
async function kernelSeconds(
  node: Node,
  inputs: readonly Tensor[],
  overhead = 0,
  output = tensor(node.shape),
): Promise<number> {
  const kernel = cpuKernels[node.op as KernelOp] as Kernel<Op>;
  const outputs = [output];
  const run = () => {
    throw new TypeError("calibrate: a benchmarked kernel has no subgraphs");
  };
  const context = { node, attrs: node.attrs, inputs, outputs, workspace: new Uint8Array(0), run };
  const seconds = await fastest(async () => {
    const start = performance.now();
    let calls = 0;
    do {
      await kernel(context);
      calls++;
    } while (performance.now() - start < MIN_BATCH_MS);
    return (performance.now() - start) / 1000 / calls;
  });
  // A floor, so that timing noise on a tiny problem never makes a rate infinite.
  return Math.max(seconds - overhead, seconds / 10);
}

/** One node of `op` on fresh inputs of the given shapes, in a graph of its own. */
function single(
  shapes: readonly (readonly number[])[],
  make: (g: GraphBuilder, xs: Node[]) => Node,
) {
  const g = new GraphBuilder();
  const xs = shapes.map((shape, i) => g.input(`x${i}`, shape));
  const node = make(g, xs);
  g.output(node);
  return { node, inputs: shapes.map(filled) };
}

/** A wasm kernel call's fixed cost: an add of 16 elements (staging, splitting, dispatch). */
function callOverhead(): Promise<number> {
  const { node, inputs } = single([[16], [16]], (g, [a, b]) => g.add(a!, b!));
  return kernelSeconds(node, inputs);
}

/**
 * GEMM FLOP/s by rows, made non-decreasing: packing B is amortised over more rows as m grows, so
 * a dip is timing noise (the machine is shared), not the kernel.
 */
async function gemmRates(overhead: number): Promise<RatePoint[]> {
  const points: RatePoint[] = [];
  for (const m of GEMM_ROWS) {
    const { node, inputs } = single(
      [
        [m, GEMM_WIDTH],
        [GEMM_WIDTH, GEMM_WIDTH],
      ],
      (g, [a, b]) => g.matmul(a!, b!),
    );
    const rate = (2 * m * GEMM_WIDTH * GEMM_WIDTH) / (await kernelSeconds(node, inputs, overhead));
    points.push([m, Math.max(rate, points[points.length - 1]?.[1] ?? 0)]);
  }
  return points;
}

/** An arithmetic op measured on its own kernel: the ops it stands for share its rates. */
interface OpBenchmark {
  readonly ops: readonly Op[];
  readonly make: (g: GraphBuilder, n: number) => Node;
  /** Whether it runs in WebAssembly (and pays a kernel call's fixed cost). */
  readonly wasm: boolean;
}

// Rows of 256 for the row-wise ops; group norm as a UNet's [1, C, H, W] with 32 groups.
const OP_BENCHMARKS: readonly OpBenchmark[] = [
  {
    ops: ["add", "sub", "mul", "div"],
    make: (g, n) => g.add(g.input("a", [n]), g.input("b", [n])),
    wasm: true,
  },
  {
    ops: ["scale", "neg", "exp", "relu", "sigmoid", "silu"],
    make: (g, n) => g.scale(g.input("x", [n]), 0.5),
    wasm: true,
  },
  { ops: ["gelu"], make: (g, n) => g.gelu(g.input("x", [n])), wasm: true },
  { ops: ["softmax"], make: (g, n) => g.softmax(g.input("x", [n / 256, 256]), -1), wasm: true },
  {
    ops: ["layer_norm"],
    make: (g, n) => g.layerNorm(g.input("x", [n / 256, 256])),
    wasm: true,
  },
  {
    ops: ["group_norm"],
    make: (g, n) => g.groupNorm(g.input("x", [1, 32, n / 32]), 32),
    wasm: false,
  },
];

/** FLOP/s of `benchmark`'s node by output elements. */
async function opRates(benchmark: OpBenchmark, overhead: number): Promise<RatePoint[]> {
  const points: RatePoint[] = [];
  for (const n of OP_ELEMENTS) {
    const g = new GraphBuilder();
    const node = benchmark.make(g, n);
    g.output(node);
    const graph = g.build();
    const inputs = graph.inputs.map((id) => filled(graph.nodes[id]!.shape));
    const seconds = await kernelSeconds(node, inputs, benchmark.wasm ? overhead : 0);
    points.push([n, flopsOf(graph, node) / seconds]);
  }
  return points;
}

// A JavaScript elementwise kernel: the rate of the arithmetic ops not measured on their own.
const STREAM: OpBenchmark = { ops: [], make: (g, n) => g.tanh(g.input("x", [n])), wasm: false };

/** Bytes/s of a slice's copy by the bytes of each contiguous run (one per row). */
async function copyRates(): Promise<RatePoint[]> {
  const points: RatePoint[] = [];
  for (const run of COPY_RUN_BYTES) {
    const rows = Math.max(1, COPY_BYTES / run);
    const width = run / 4;
    const { node, inputs } = single([[rows, 2 * width]], (g, [x]) => g.slice(x!, 1, 0, width));
    points.push([run, (rows * run) / (await kernelSeconds(node, inputs))]);
  }
  return points;
}

/** Elements/s of a transpose, which moves the last dim: a copy one element at a time. */
async function gatherRate(): Promise<number> {
  const { node, inputs } = single([[GATHER_SIDE, GATHER_SIDE]], (g, [x]) => g.permute(x!, [1, 0]));
  return (GATHER_SIDE * GATHER_SIDE) / (await kernelSeconds(node, inputs));
}

/**
 * Elements/s of the CPU einsum's batch gathers: an einsum whose batch is every operand's
 * innermost dim against the same products as a batched matmul of contiguous matrices, timed
 * one after the other with their operands in the kernels' heap as a program's activations are
 * (elsewhere each call would copy them in); the difference per element that
 * batchGatherElements counts.
 */
async function batchGatherRate(overhead: number): Promise<number> {
  const [m, k, n, batch] = BATCH_GATHER_SIZES;
  const shapes = [
    [m, k, batch],
    [n, k, batch],
    [batch, m, k],
    [batch, k, n],
  ];
  const g = new GraphBuilder();
  const [x, y, xt, yt] = shapes.map((shape, i) => g.input(`x${i}`, shape));
  const gathered = g.einsum(BATCH_GATHER_SPEC, x!, y!);
  const contiguous = g.matmul(xt!, yt!);
  const held = [...shapes, gathered.shape, contiguous.shape].map((shape) =>
    allocateHeapTensor({ shape, dtype: "f32" }),
  );
  try {
    const [a, b, at, bt, out, outT] = held;
    const withGathers = await kernelSeconds(gathered, [a!, b!], overhead, out);
    const without = await kernelSeconds(contiguous, [at!, bt!], overhead, outT);
    const elements = batchGatherElements(planEinsum(BATCH_GATHER_SPEC, a!.shape, b!.shape));
    return elements / Math.max(withGathers - without, withGathers / 10);
  } finally {
    held.forEach(releaseHeapTensor);
  }
}

/** A chunk loop of `length` iterations of one row each, whose body is `nodes` negations. */
function loopGraph(length: number, nodes: number): Graph {
  const body = new GraphBuilder();
  let h = body.input("row", [1, 4]);
  for (let i = 0; i < nodes; i++) h = body.neg(h);
  body.output(h);
  const g = new GraphBuilder();
  const x = g.input("x", [length, 4]);
  const loop = g.chunkLoop([x], {
    body: body.build(),
    tail: null,
    inputDims: [0],
    outputDims: [0],
    length,
    chunkSize: 1,
  });
  g.output(loop);
  return g.build();
}

function runSeconds(graph: Graph, input: Tensor): Promise<number> {
  return fastest(async () => {
    const start = performance.now();
    await execute(graph, [input]);
    return (performance.now() - start) / 1000;
  });
}

/** Per-iteration and per-node costs: the slopes of run time in iterations, for two body sizes. */
async function loopOverheads(): Promise<{ iteration: number; dispatch: number }> {
  const [short, long] = LOOP_LENGTHS;
  const [few, many] = LOOP_BODY_NODES;
  const slope = async (nodes: number) => {
    const t0 = await runSeconds(loopGraph(short, nodes), filled([short, 4]));
    const t1 = await runSeconds(loopGraph(long, nodes), filled([long, 4]));
    return Math.max(0, (t1 - t0) / (long - short));
  };
  await slope(many); // warms the executor up
  const perFew = await slope(few);
  const perMany = await slope(many);
  const dispatch = Math.max(0, (perMany - perFew) / (many - few));
  return { dispatch, iteration: Math.max(0, perFew - few * dispatch) };
}

/**
 * Measures the CPU executor's cost table with micro-benchmarks (about a second): the
 * per-iteration and per-node overheads of a chunk loop (from run time against iteration count,
 * for two body sizes), GEMM FLOP/s by rows, each arithmetic kernel's FLOP/s by size (net of a
 * wasm call's fixed cost, which the per-node overhead holds), copy bytes/s by contiguous run, the
 * rate of element-by-element copies and that of the batched einsum's gathers.
 *
 * @example
 * const table = await measureCostTable();
 * table.iterationSeconds; // e.g. 6e-6
 */
export async function measureCostTable(): Promise<CostTable> {
  // The kernels stay on this thread until the pool's workers have started: measured before
  // that, the large GEMM point would miss the thread split the programs it predicts get.
  await whenThreadsReady().catch(() => {});
  const { iteration, dispatch } = await loopOverheads();
  const overhead = await callOverhead();
  const ops: { [O in Op]?: readonly RatePoint[] } = {};
  for (const benchmark of OP_BENCHMARKS) {
    const points = await opRates(benchmark, overhead);
    for (const op of benchmark.ops) ops[op] = points;
  }
  return {
    backend: "cpu",
    iterationSeconds: iteration,
    dispatchSeconds: dispatch,
    gemm: await gemmRates(overhead),
    stream: await opRates(STREAM, 0),
    copy: await copyRates(),
    ops,
    gatherPerSecond: await gatherRate(),
    batchGatherPerSecond: await batchGatherRate(overhead),
  };
}

const measured = new Map<string, Promise<CostTable>>();

/**
 * The cost table of `backend`, measured once per process and cached (the executor is the CPU
 * backend; other backends are not measurable here).
 *
 * @example
 * const table = await cachedCostTable(); // measured on first use, then shared
 */
export function cachedCostTable(backend = "cpu"): Promise<CostTable> {
  if (backend !== "cpu") {
    throw new RangeError(
      `cachedCostTable: backend must be "cpu" (the executor's backend), got ${JSON.stringify(backend)}; pass a CostTable for others`,
    );
  }
  let table = measured.get(backend);
  if (table === undefined) {
    table = measureCostTable();
    measured.set(backend, table);
  }
  return table;
}
