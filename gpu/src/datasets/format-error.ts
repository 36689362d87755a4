/**
 * A file that is not what its reader expects: truncated, corrupt, or of another format.
 * `offset` is the byte where the problem was found, so the file can be inspected there.
 * It is a RangeError, like every other bad-input error in Tessera.
 *
 * @example
 * try {
 *   parseFvecs(bytes);
 * } catch (e) {
 *   if (e instanceof FormatError) console.log(e.format, e.offset, e.problem);
 * }
 */
export class FormatError extends RangeError {
  /** The format being read, e.g. ".fvecs" or "cuVS CAGRA index". */
  readonly format: string;
  /** Byte offset of the problem from the start of the input. */
  readonly offset: number;
  /** What is wrong, without the format and offset. */
  readonly problem: string;

  constructor(format: string, offset: number, problem: string) {
    super(`${format}: ${problem} (at byte ${offset})`);
    this.name = "FormatError";
    this.format = format;
    this.offset = offset;
    this.problem = problem;
  }
}

/** Bytes as spaced hex ("93 4e 55"), for messages that show what a file holds. */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
