import { packedLength, type PackedArray, type PackedDType } from "./packed.js";

/** What a payload validator returns: the payload, typed, or every problem found (up to a cap). */
export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Problems past this many are counted, not listed: one is enough to fix, a screenful is noise. */
const MAX_LISTED = 20;

/**
 * Collects "path: problem" messages for a validator, with small typed checks that
 * report what they expected and what they got.
 *
 * @example
 * const p = new Problems();
 * p.count(-1, "events[0].bytes"); // false; records "events[0].bytes: expected a non-negative integer, got -1"
 */
export class Problems {
  readonly #listed: string[] = [];
  #unlisted = 0;

  add(path: string, message: string): void {
    if (this.#listed.length < MAX_LISTED) this.#listed.push(`${path || "(payload)"}: ${message}`);
    else this.#unlisted++;
  }

  get empty(): boolean {
    return this.#listed.length === 0;
  }

  get messages(): string[] {
    return this.#unlisted > 0
      ? [...this.#listed, `(${this.#unlisted} more problems not listed)`]
      : [...this.#listed];
  }

  /**
   * Checks that `value` is a plain object, reporting keys outside `allowed` (a typo would
   * otherwise pass silently). Its fields are then checked one by one; a missing one
   * reports "is required" from its own check.
   */
  record(
    value: unknown,
    path: string,
    allowed: readonly string[],
  ): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.add(path, `expected an object, got ${describe(value)}`);
      return false;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.add(join(path, key), `unknown property (allowed: ${allowed.join(", ")})`);
      }
    }
    return true;
  }

  /** A non-negative safe integer (a count, an id, a size in bytes). */
  count(value: unknown, path: string): value is number {
    return this.#expect(
      Number.isSafeInteger(value) && (value as number) >= 0,
      value,
      path,
      "a non-negative integer",
    );
  }

  /** A finite number, at least `min` when given. */
  number(value: unknown, path: string, min = -Infinity): value is number {
    const ok = typeof value === "number" && Number.isFinite(value) && value >= min;
    return this.#expect(ok, value, path, min === 0 ? "a non-negative number" : "a finite number");
  }

  /** A string of at most `maxLength` characters (code points, as JSON Schema counts them). */
  text(value: unknown, path: string, maxLength: number): value is string {
    if (!this.#expect(typeof value === "string", value, path, "a string")) return false;
    return this.#expect(
      characters(value as string, maxLength) <= maxLength,
      value,
      path,
      `at most ${maxLength} characters`,
    );
  }

  /** One of a few literal values. */
  oneOf<T extends string | number>(
    value: unknown,
    path: string,
    options: readonly T[],
  ): value is T {
    const list = options.map((o) => JSON.stringify(o)).join(" or ");
    return this.#expect(options.includes(value as T), value, path, list);
  }

  /**
   * A packed typed array (`{ dtype, length, base64 }`, see packed.ts) of one of `dtypes`, with
   * `length` elements when given (`per` says what one element stands for, e.g. "one per
   * node"). The base64 is checked for the length it must have, not decoded.
   */
  packedArray(
    value: unknown,
    path: string,
    dtypes: readonly PackedDType[],
    length?: number,
    per?: string,
  ): value is PackedArray {
    if (!this.record(value, path, ["dtype", "length", "base64"])) return false;
    const okType = this.oneOf(value.dtype, join(path, "dtype"), dtypes);
    const okLength = this.count(value.length, join(path, "length"));
    if (okLength && length !== undefined && value.length !== length) {
      const expected = per === undefined ? `${length}` : `${length} (${per})`;
      this.add(join(path, "length"), `expected ${expected}, got ${String(value.length)}`);
      return false;
    }
    if (typeof value.base64 !== "string") {
      this.add(
        join(path, "base64"),
        value.base64 === undefined ? "is required" : "expected a string",
      );
      return false;
    }
    if (okType && okLength) {
      const want = packedLength(value.dtype as PackedDType, value.length as number);
      if (value.base64.length !== want) {
        this.add(
          join(path, "base64"),
          `${String(value.length)} ${String(value.dtype)} values pack to ${want} characters, got ${value.base64.length}`,
        );
        return false;
      }
    }
    return okType && okLength;
  }

  #expect(ok: boolean, value: unknown, path: string, expected: string): boolean {
    if (!ok) {
      this.add(
        path,
        value === undefined ? "is required" : `expected ${expected}, got ${describe(value)}`,
      );
    }
    return ok;
  }
}

/** `events` + 3 -> "events[3]"; `events[3]` + "bytes" -> "events[3].bytes". */
export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Code points in `s`, counted only as far as needed to compare with `limit` (a label may be huge). */
function characters(s: string, limit: number): number {
  if (s.length <= limit || s.length > 2 * limit) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A short description of a value for an error message. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    return value.length > 40
      ? `a string of ${value.length} characters`
      : `the string ${JSON.stringify(value)}`;
  }
  return String(value);
}
