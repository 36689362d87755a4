/*
 * Just enough of the WebAssembly binary format to hand-assemble small SIMD kernels from
 * TypeScript, so the CPU backend gets 128-bit SIMD without a toolchain or an npm dependency.
 * Instruction helpers return byte arrays that a function body concatenates; the names follow
 * the text format (WAT) so a kernel reads like its WAT listing.
 */

/** Value types of the binary format. */
export const i32 = 0x7f;
export const f32 = 0x7d;
export const v128 = 0x7b;
export type ValueType = typeof i32 | typeof f32 | typeof v128;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((ch) => [ch.charCodeAt(0)]));
const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** Instructions, named as in the text format. Memory immediates are (align log2, offset 0). */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  return: [0x0f],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  call: (functionIndex: number) => [0x10, ...uleb(functionIndex)],
  select: [0x1b],
  /** memory.copy(dst, src, bytes) on memory 0 (bulk memory). */
  memoryCopy: [0xfc, 0x0a, 0x00, 0x00],
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Load: [0x28, 2, 0],
  f32Load: [0x2a, 2, 0],
  i32Store: [0x36, 2, 0],
  f32Store: [0x38, 2, 0],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32Ne: [0x47],
  i32LtU: [0x49],
  i32GtU: [0x4b],
  i32GeU: [0x4f],
  f32Eq: [0x5b],
  f32Lt: [0x5d],
  f32Gt: [0x5e],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32And: [0x71],
  i32Or: [0x72],
  i32Shl: [0x74],
  i32ShrU: [0x76],
  v128Load: simd(0x00).concat([4, 0]),
  v128Load32Splat: simd(0x09).concat([2, 0]),
  v128Store: simd(0x0b).concat([4, 0]),
  v128Const0: simd(0x0c).concat(new Array<number>(16).fill(0)),
  /** i8x16.shuffle picking whole f32 lanes: lanes 0–3 from the first operand, 4–7 the second. */
  f32x4Shuffle: (lanes: [number, number, number, number]) =>
    simd(0x0d).concat(lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  f32x4Splat: simd(0x13),
  i32x4Splat: simd(0x11),
  i32x4ExtractLane: (lane: number) => [...simd(0x1b), lane],
  i32x4LtU: simd(0x3a),
  f32x4Eq: simd(0x41),
  f32x4Lt: simd(0x43),
  f32x4Le: simd(0x45),
  v128And: simd(0x4e),
  v128Or: simd(0x50),
  v128AnyTrue: simd(0x53),
  i32x4Add: simd(0xae),
  i32x4Sub: simd(0xb1),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Max: simd(0xe9),
  /** v128.const of four i32 lanes (little-endian). */
  v128ConstI32x4: (lanes: [number, number, number, number]) =>
    simd(0x0c).concat(
      lanes.flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]),
    ),
  i16x8ExtendLowI8x16S: simd(0x87),
  i16x8ExtendHighI8x16S: simd(0x88),
  i32x4ExtendLowI16x8S: simd(0xa7),
  i32x4ExtendHighI16x8S: simd(0xa8),
  i32x4ExtendLowI16x8U: simd(0xa9),
  i32x4ExtendHighI16x8U: simd(0xaa),
  i32x4Shl: simd(0xab),
  f32x4ConvertI32x4S: simd(0xfa),
} as const;

/** `count` copies of a value type, for `locals`. */
export function repeat(type: ValueType, count: number): ValueType[] {
  return new Array<ValueType>(count).fill(type);
}

/** Pushes the byte address base + index·4 of a 4-byte element; base and index are locals. */
export function elementAddress(base: number, index: number): number[] {
  return [
    ...op.localGet(base),
    ...op.localGet(index),
    ...op.i32Const(2),
    ...op.i32Shl,
    ...op.i32Add,
  ];
}

/**
 * One exported function of a module. Functions are numbered in the order given to
 * assembleModule, which is what `op.call` takes.
 */
export interface WasmFunction {
  readonly name: string;
  readonly params: readonly ValueType[];
  /** Result types; none by default. */
  readonly results?: readonly ValueType[];
  /** Locals after the parameters, in order. */
  readonly locals: readonly ValueType[];
  readonly body: readonly number[];
}

/**
 * A module with one growable memory exported as `memory` (initially `pages` × 64 KiB) and
 * the given functions, each exported under its name. With `memory` "shared" the module
 * imports a shared memory of at least `pages` as `env.memory` instead of owning one (see
 * instantiateWithMemory), so that threads can run it over the same bytes.
 *
 * @example
 * const bytes = assembleModule(1, [{ name: "noop", params: [], locals: [], body: [] }]);
 * new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.noop;
 */
export function assembleModule(
  pages: number,
  functions: readonly WasmFunction[],
  memory: "own" | "shared" = "own",
): Uint8Array {
  const valueTypes = (types: readonly ValueType[]) => vec(types.map((t) => [t]));
  const types = section(
    1,
    vec(functions.map((f) => [0x60, ...valueTypes(f.params), ...valueTypes(f.results ?? [])])),
  );
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))));
  // Limits: 0x00 = minimum only; 0x03 = minimum, maximum (wasm32's 65536 pages) and shared.
  const memoryLimits =
    memory === "own" ? [0x00, ...uleb(pages)] : [0x03, ...uleb(pages), ...uleb(65536)];
  const imports =
    memory === "own"
      ? []
      : section(2, vec([[...name("env"), ...name("memory"), 0x02, ...memoryLimits]]));
  const memories = memory === "own" ? section(5, vec([memoryLimits])) : [];
  const exports = section(
    7,
    vec([
      [...name("memory"), 0x02, 0],
      ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]),
    ]),
  );
  const code = section(
    10,
    vec(
      functions.map((f) => {
        const locals = vec(f.locals.map((t) => [1, t]));
        const body = [...locals, ...f.body, ...op.end];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([
    ...header,
    ...types,
    ...imports,
    ...funcs,
    ...memories,
    ...exports,
    ...code,
  ]);
}
