import { GraphBuilder } from "../ir/builder.js";
import type { DType } from "../ir/dtype.js";
import type { Graph, Node } from "../ir/graph.js";
import { numel } from "../ir/shape.js";
import type { Attributes } from "./attrs.js";
import { attributesOf, nodeRef } from "./attrs.js";
import { OnnxImportError } from "./errors.js";
import type { OnnxNodeRef } from "./errors.js";
import { FOLDERS, shapeOf } from "./fold.js";
import type { Fusion, GraphView } from "./fuse.js";
import { FUSIONS } from "./fuse.js";
import type { LowerArgs, Value } from "./lower.js";
import { LOWERINGS, linearOrMatmul } from "./lower.js";
import type { OnnxGraphProto, OnnxModelProto, OnnxNodeProto, OnnxValueInfoProto } from "./proto.js";
import { ONNX_DTYPE, decodeOnnxModel } from "./proto.js";
import type { ExternalDataReader, HostTensor } from "./tensor.js";
import { dtypeName, hostTensor, readTensor } from "./tensor.js";

/** Options of importOnnx. */
export interface ImportOnnxOptions {
  /**
   * Static shapes of graph inputs by name: needed for inputs exported with dynamic axes
   * (symbolic dims), and to import a model at another size than it was exported at (a plan is
   * specialised to one shape).
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Reads files that hold tensors stored outside the model (`readOnnxFile` provides it). */
  readonly externalData?: ExternalDataReader;
}

/** Op types importOnnx accepts, for messages and docs: lowered, folded or fused. */
export const SUPPORTED_ONNX_OPS: readonly string[] = [
  ...new Set([...Object.keys(LOWERINGS), ...Object.keys(FOLDERS), "Constant", "Erf (in GELU)"]),
].sort();

const DEFAULT_DOMAINS = new Set(["", "ai.onnx"]);
const MIN_OPSET = 13;

/**
 * Imports an ONNX model (a serialized `ModelProto`, as `torch.onnx.export` writes it; opset 13
 * or later, tested with 17) as an AutoChunk graph: initializers become parameters holding their
 * values, shape computations on constants and static shapes are folded, and every other op is
 * lowered to IR ops (`SUPPORTED_ONNX_OPS`). Graph inputs keep their ONNX names; float inputs are
 * f32, integer inputs i32. An op the IR cannot express raises an `OnnxImportError` naming the
 * node and its op type.
 *
 * @example
 * const graph = importOnnx(readFileSync("block.onnx"), { inputShapes: { x: [1, 2048, 768] } });
 * const plan = await autochunk(graph, { budget: 64 * 2 ** 20 });
 * const { outputs } = await plan.run({ x: tensor([1, 2048, 768], data) });
 */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions = {}): Graph {
  const model = decodeOnnxModel(bytes);
  const graph = model.graph;
  if (graph === undefined) throw new OnnxImportError("importOnnx: the model holds no graph.");
  const opset = defaultOpset(model);
  return new Importer(graph, opset, options).run();
}

function defaultOpset(model: OnnxModelProto): number {
  const entry = model.opsetImport.find((o) => DEFAULT_DOMAINS.has(o.domain ?? ""));
  const version = entry?.version ?? 0;
  if (version < MIN_OPSET) {
    throw new OnnxImportError(
      `importOnnx: the model uses ONNX opset ${version}; opset ${MIN_OPSET} or later is needed ` +
        `(re-export with torch.onnx.export(..., opset_version=17)).`,
    );
  }
  return version;
}

class Importer {
  readonly #g = new GraphBuilder();
  readonly #values = new Map<string, Value>();
  readonly #params = new WeakMap<HostTensor, Node>();
  readonly #names = new Set<string>();
  readonly #readers = new Map<string, OnnxNodeProto[]>();
  readonly #graphOutputs: Set<string>;
  readonly #done = new Set<OnnxNodeProto>();

  constructor(
    readonly graph: OnnxGraphProto,
    readonly opset: number,
    readonly options: ImportOnnxOptions,
  ) {
    this.#graphOutputs = new Set(graph.output.map((o) => o.name ?? ""));
    for (const node of graph.node) {
      for (const name of node.input) {
        if (name !== "") this.#readers.set(name, [...(this.#readers.get(name) ?? []), node]);
      }
    }
  }

  run(): Graph {
    const initializers = new Set<string>();
    for (const t of this.graph.initializer) {
      const name = t.name ?? "";
      initializers.add(name);
      this.#bind(name, {
        kind: "const",
        tensor: readTensor(t, this.options.externalData, "importOnnx"),
      });
    }
    for (const info of this.graph.input) {
      if (!initializers.has(info.name ?? "")) this.#input(info);
    }
    this.#checkInputShapes();
    // Constants first (they read nothing): a pattern may reach one written after its start.
    this.graph.node.forEach((node, index) => {
      if (node.opType !== "Constant" || !DEFAULT_DOMAINS.has(node.domain ?? "")) return;
      const ref = nodeRef(node, index);
      this.#bind(node.output[0]!, {
        kind: "const",
        tensor: constantOf(attributesOf(node, ref), ref),
      });
      this.#done.add(node);
    });
    this.graph.node.forEach((node, index) => {
      if (!this.#done.has(node)) this.#visit(node, index);
    });
    if (this.graph.output.length === 0)
      throw new OnnxImportError("importOnnx: the graph has no outputs.");
    for (const info of this.graph.output) {
      const value = this.#value(info.name ?? "", null);
      this.#g.output(
        value.kind === "node" ? value.node : this.#param(value.tensor, info.name ?? "output"),
      );
    }
    return this.#g.build();
  }

  #input(info: OnnxValueInfoProto): void {
    const name = info.name ?? "";
    const tensorType = info.type?.tensorType;
    const elem = tensorType?.elemType ?? 0;
    const dtype: DType | null =
      elem === ONNX_DTYPE.FLOAT
        ? "f32"
        : elem === ONNX_DTYPE.INT64 || elem === ONNX_DTYPE.INT32
          ? "i32"
          : null;
    if (dtype === null) {
      throw new OnnxImportError(
        `importOnnx: input "${name}" is ${dtypeName(elem)}; inputs must be float32 or integer ` +
          `(export the model and its example inputs in float32).`,
      );
    }
    const given = this.options.inputShapes?.[name];
    const dims = tensorType?.shape?.dim ?? [];
    const shape = given ?? dims.map((d) => d.dimValue ?? -1);
    if (
      given === undefined &&
      dims.some((d) => d.dimValue === undefined || d.dimParam !== undefined)
    ) {
      const shown = dims.map((d) => d.dimParam ?? d.dimValue ?? "?").join(", ");
      throw new OnnxImportError(
        `importOnnx: input "${name}" has symbolic dims [${shown}]; AutoChunk plans for static ` +
          `shapes: pass options.inputShapes, e.g. { "${name}": [${dims.map((d) => d.dimValue ?? 1).join(", ")}] }.`,
      );
    }
    this.#names.add(name);
    this.#bind(name, { kind: "node", node: this.#g.input(name, shape, dtype) });
  }

  #checkInputShapes(): void {
    for (const name of Object.keys(this.options.inputShapes ?? {})) {
      const value = this.#values.get(name);
      if (value?.kind !== "node") {
        const inputs = [...this.#values]
          .filter(([, v]) => v.kind === "node")
          .map(([n]) => `"${n}"`);
        throw new OnnxImportError(
          `importOnnx: options.inputShapes names "${name}", which is not a graph input; the ` +
            `inputs are ${inputs.join(", ")}.`,
        );
      }
    }
  }

  #visit(node: OnnxNodeProto, index: number): void {
    const ref = nodeRef(node, index);
    const domain = node.domain ?? "";
    if (!DEFAULT_DOMAINS.has(domain)) {
      throw unsupported(ref, `it is in the custom domain "${domain}"`);
    }
    const attrs = attributesOf(node, ref);
    try {
      for (const match of FUSIONS[ref.opType] ?? []) {
        const fusion = match(this.#view(), node);
        if (fusion !== null) return this.#fuse(fusion, ref, attrs);
      }
      const inputs = node.input.map((name) => (name === "" ? undefined : this.#value(name, ref)));
      const folder = FOLDERS[ref.opType];
      if ((ref.opType === "Shape" || ref.opType === "Size") && inputs[0] !== undefined) {
        // Known for activations too: every shape is static.
        const shape = inputs[0].kind === "node" ? inputs[0].node.shape : inputs[0].tensor.shape;
        const tensor =
          ref.opType === "Shape" ? shapeOf(shape, attrs) : hostTensor("int", [], [numel(shape)]);
        this.#bind(node.output[0]!, { kind: "const", tensor });
      } else if (folder !== undefined && inputs.every((v) => v?.kind !== "node")) {
        const constants = inputs.map((v) => (v?.kind === "const" ? v.tensor : undefined));
        const results = folder({ attrs, opset: this.opset, inputs: constants });
        results.forEach((t, k) => this.#bind(node.output[k]!, { kind: "const", tensor: t }));
      } else {
        const lower = LOWERINGS[ref.opType];
        if (lower === undefined) throw unsupported(ref, "the IR has no such op");
        const args = this.#lowerArgs(
          irName(ref.nodeName),
          attrs,
          node.output.length,
          node.input,
          inputs,
        );
        const results = lower(args);
        node.output.forEach((name, k) => {
          const result = results[k];
          if (result !== undefined) this.#bind(name, { kind: "node", node: result });
          else if (name !== "" && this.#isRead(name)) {
            throw new RangeError(
              `output ${k} ("${name}") is read, but only the first ${results.length} are supported`,
            );
          }
        });
      }
    } catch (e) {
      if (e instanceof OnnxImportError) throw e;
      if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
      throw new OnnxImportError(
        `importOnnx: node "${ref.nodeName}" (${ref.opType}): ${e.message}.`,
        ref,
        {
          cause: e,
        },
      );
    }
  }

  #fuse(fusion: Fusion, ref: OnnxNodeRef, attrs: Attributes): void {
    for (const n of fusion.nodes) this.#done.add(n);
    const inputs = fusion.inputs.map((name) => this.#value(name, ref));
    // Named after the scope of the first node and the fused op: "mlp.mlp.1.gelu".
    const base = irName(ref.nodeName).replace(/[^.]*$/, fusion.op);
    const args = this.#lowerArgs(base, attrs, 1, fusion.inputs, inputs);
    const node =
      fusion.op === "gelu"
        ? this.#g.op("gelu", [args.node(0)], {}, args.name())
        : linearOrMatmul(args, args.node(2));
    this.#bind(fusion.output, { kind: "node", node });
  }

  #lowerArgs(
    base: string,
    attrs: Attributes,
    outputCount: number,
    names: readonly string[],
    inputs: readonly (Value | undefined)[],
  ): LowerArgs {
    return {
      g: this.#g,
      attrs,
      opset: this.opset,
      outputCount,
      inputs,
      name: (suffix = "") => this.#unique(suffix === "" ? base : `${base}.${suffix}`),
      node: (k) => {
        const v = inputs[k];
        if (v === undefined) throw new RangeError(`input ${k} is required`);
        return v.kind === "node" ? v.node : this.#param(v.tensor, names[k] || base);
      },
      constant: (k) => {
        const v = inputs[k];
        if (v !== undefined && v.kind !== "const") {
          throw new RangeError(
            `input ${k} ("${names[k]}") must be a constant (computed only from ` +
              `initializers and static shapes) for the IR's static shapes`,
          );
        }
        return v?.tensor;
      },
      param: (t, suffix) => this.#param(t, `${base}.${suffix}`),
    };
  }

  #param(t: HostTensor, name: string): Node {
    const cached = this.#params.get(t);
    if (cached !== undefined) return cached;
    if (t.kind === "bool") throw new RangeError(`boolean constant "${name}" cannot be a parameter`);
    const data = t.kind === "float" ? t.data : Int32Array.from(t.data);
    const node = this.#g.param(this.#unique(irName(name)), t.shape, data);
    this.#params.set(t, node);
    return node;
  }

  #bind(name: string, value: Value): void {
    this.#values.set(name, value);
  }

  #value(name: string, ref: OnnxNodeRef | null): Value {
    const v = this.#values.get(name);
    if (v === undefined) {
      throw new OnnxImportError(
        `importOnnx: ${ref === null ? "graph output" : `node "${ref.nodeName}" (${ref.opType}) reads`} ` +
          `"${name}", which no earlier node, input or initializer defines; the graph is not in ` +
          `topological order or is malformed.`,
        ref,
      );
    }
    return v;
  }

  #isRead(name: string): boolean {
    return this.#graphOutputs.has(name) || (this.#readers.get(name)?.length ?? 0) > 0;
  }

  #view(): GraphView {
    return {
      readers: (value) => (this.#graphOutputs.has(value) ? null : (this.#readers.get(value) ?? [])),
      constant: (value) => {
        const v = this.#values.get(value);
        return v?.kind === "const" ? v.tensor : undefined;
      },
    };
  }

  #unique(base: string): string {
    let name = base;
    for (let k = 1; this.#names.has(name); k++) name = `${base}_${k}`;
    this.#names.add(name);
    return name;
  }
}

/** An ONNX node or value name as an IR name: "/attn/qkv/MatMul" → "attn.qkv.MatMul". */
function irName(name: string): string {
  return name.replace(/^\/+/, "").replaceAll("/", ".") || "value";
}

function unsupported(ref: OnnxNodeRef, why: string): OnnxImportError {
  return new OnnxImportError(
    `importOnnx: node "${ref.nodeName}" has op type ${ref.opType}, which AutoChunk cannot import: ` +
      `${why}. Supported: ${SUPPORTED_ONNX_OPS.join(", ")}. Rewrite that part of the model with ` +
      `supported ops before exporting, or add the op to the IR and a lowering in ` +
      `gpu/src/autochunk/onnx/lower.ts (see gpu/src/autochunk/README.md, "Adding an op").`,
    ref,
  );
}

function constantOf(attrs: Attributes, ref: OnnxNodeRef): HostTensor {
  const t = attrs.raw("value")?.t;
  if (t !== undefined) return readTensor(t, undefined, `importOnnx: node "${ref.nodeName}"`);
  const f = attrs.raw("value_float")?.f;
  if (f !== undefined) return { kind: "float", shape: [], data: Float32Array.of(f) };
  const floats = attrs.raw("value_floats")?.floats;
  if (floats !== undefined)
    return { kind: "float", shape: [floats.length], data: Float32Array.from(floats) };
  const i = attrs.raw("value_int")?.i;
  if (i !== undefined) return { kind: "int", shape: [], data: Float64Array.of(i) };
  const ints = attrs.raw("value_ints")?.ints;
  if (ints !== undefined)
    return { kind: "int", shape: [ints.length], data: Float64Array.from(ints) };
  throw unsupported(ref, "only tensor, float and int constants are supported");
}
