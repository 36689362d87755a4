import { roundUp } from "../../common/sizes.js";

/*
 * A kernel's parameter block (its uniform struct) described once, as a table of fields and
 * their WGSL types, from which both the WGSL struct text and the host-side packer come: the
 * byte offsets are computed by the WGSL layout rules (WGSL spec, "Alignment and Size"), never
 * counted by hand, so the struct and the bytes written into its buffer cannot drift apart.
 * Scalar: align 4, size 4; vec2: align 8, size 8; vec3: align 16, size 12 (a scalar after it
 * takes its fourth word); vec4: align 16, size 16; the struct: aligned to its largest member,
 * its size rounded up to that alignment.
 */

/** The scalar types a parameter may have (f16 needs a device feature, so it is left out). */
export type ParamScalar = "u32" | "i32" | "f32";

/** The WGSL type of a parameter field. */
export type ParamType = ParamScalar | `vec${2 | 3 | 4}<${ParamScalar}>`;

/** A block's fields in declaration order: name → WGSL type. */
export type ParamFields = Readonly<Record<string, ParamType>>;

type Components<T extends ParamType> = T extends `vec2<${string}>`
  ? readonly [number, number]
  : T extends `vec3<${string}>`
    ? readonly [number, number, number]
    : T extends `vec4<${string}>`
      ? readonly [number, number, number, number]
      : number;

/** The host values of a block's fields: a number per scalar, a tuple per vector. */
export type ParamValues<F extends ParamFields> = { readonly [K in keyof F]: Components<F[K]> };

/** Where a field sits in the block. */
export interface ParamFieldLayout {
  readonly name: string;
  readonly type: ParamType;
  readonly scalar: ParamScalar;
  /** 1 for a scalar, else the vector's length. */
  readonly components: number;
  /** Byte offset of the field's first component. */
  readonly offset: number;
  readonly align: number;
  readonly size: number;
}

/** A parameter block: its WGSL struct, its layout and its packer. */
export interface ParamBlock<F extends ParamFields> {
  /** The WGSL struct's name. */
  readonly struct: string;
  readonly fields: readonly ParamFieldLayout[];
  /** SizeOf(struct): the bytes of the uniform buffer that holds it. */
  readonly bytes: number;
  /** The struct declaration, ready to paste into a kernel. */
  readonly wgsl: string;
  /** The block's bytes for `values`; throws a RangeError naming a missing or invalid value. */
  pack(values: ParamValues<F>): Uint8Array;
}

const SCALARS: readonly ParamScalar[] = ["u32", "i32", "f32"];
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$|^_[A-Za-z0-9_]+$/;

/**
 * The parameter block of struct `struct` with `fields` in declaration order (WGSL identifiers).
 *
 * @example
 * const PARAMS = paramBlock("Params", { n: "u32", scale: "f32", origin: "vec3<f32>" });
 * PARAMS.wgsl; // "struct Params {\n  n: u32,\n  scale: f32,\n  origin: vec3<f32>,\n}\n"
 * PARAMS.bytes; // 32: origin is 16-aligned
 * writeBuffer(gpu, buffer, PARAMS.pack({ n: 10, scale: 0.5, origin: [0, 0, 1] }));
 */
export function paramBlock<const F extends ParamFields>(struct: string, fields: F): ParamBlock<F> {
  checkIdentifier(struct, `paramBlock: the struct name`);
  const layout: ParamFieldLayout[] = [];
  let end = 0;
  let structAlign = 4;
  for (const [name, type] of Object.entries(fields)) {
    checkIdentifier(name, `paramBlock ${struct}: field name`);
    const { scalar, components } = parseType(struct, name, type);
    const align = components === 1 ? 4 : components === 2 ? 8 : 16;
    const offset = roundUp(end, align);
    const size = 4 * components;
    layout.push({ name, type, scalar, components, offset, align, size });
    end = offset + size;
    structAlign = Math.max(structAlign, align);
  }
  if (layout.length === 0) {
    throw new RangeError(`paramBlock ${struct}: a WGSL struct needs at least one field.`);
  }
  const bytes = roundUp(end, structAlign);
  const body = layout.map((f) => `  ${f.name}: ${f.type},\n`).join("");
  return {
    struct,
    fields: layout,
    bytes,
    wgsl: `struct ${struct} {\n${body}}\n`,
    pack: (values) => pack(struct, layout, bytes, values as Readonly<Record<string, unknown>>),
  };
}

function checkIdentifier(name: string, what: string): void {
  if (!IDENTIFIER.test(name) || name.startsWith("__")) {
    throw new RangeError(
      `${what} must be a WGSL identifier (a letter, then letters, digits or _), got "${name}".`,
    );
  }
}

function parseType(
  struct: string,
  name: string,
  type: string,
): { scalar: ParamScalar; components: number } {
  const vector = /^vec([234])<(\w+)>$/.exec(type);
  const scalar = (vector?.[2] ?? type) as ParamScalar;
  if (!SCALARS.includes(scalar)) {
    throw new RangeError(
      `paramBlock ${struct}.${name}: type must be u32, i32, f32 or vec2/3/4 of one, got "${type}".`,
    );
  }
  return { scalar, components: vector ? Number(vector[1]) : 1 };
}

function pack(
  struct: string,
  layout: readonly ParamFieldLayout[],
  bytes: number,
  values: Readonly<Record<string, unknown>>,
): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  for (const f of layout) {
    const value = values[f.name];
    const parts = f.components === 1 ? [value] : value;
    const numbers = Array.isArray(parts) && parts.every((x) => typeof x === "number");
    if (!numbers || parts.length !== f.components) {
      throw new RangeError(
        `${struct}.${f.name} (${f.type}) needs ${f.components === 1 ? "a number" : `${f.components} numbers`}, got ${String(value)}.`,
      );
    }
    parts.forEach((x: number, i) => write(view, f.offset + 4 * i, f, x, struct));
  }
  return out;
}

/** Writes one component little-endian, as every WebGPU implementation lays out buffers. */
function write(view: DataView, at: number, f: ParamFieldLayout, x: number, struct: string) {
  const bad = (range: string) =>
    new RangeError(`${struct}.${f.name} (${f.type}) must hold ${range}, got ${String(x)}.`);
  if (f.scalar === "f32") {
    // WGSL may assume no infinities or NaNs at run time.
    if (!Number.isFinite(x)) throw bad("finite numbers");
    view.setFloat32(at, x, true);
  } else if (f.scalar === "u32") {
    if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw bad("integers in [0, 2^32)");
    view.setUint32(at, x, true);
  } else {
    if (!Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31) {
      throw bad("integers in [-2^31, 2^31)");
    }
    view.setInt32(at, x, true);
  }
}
