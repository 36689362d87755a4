// The part of jsfive (a pure-JS, read-only HDF5 reader; no bundled types) that hdf5.ts uses.
declare module "jsfive" {
  export class Dataset {
    readonly shape: number[];
    /** numpy-style descr, e.g. "<f4", "<i8"; other forms for compound or string types. */
    readonly dtype: unknown;
    /** The values, flattened row-major. */
    readonly value: ArrayLike<number | bigint>;
    readonly attrs: Record<string, unknown>;
  }
  export class Group {
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    get(path: string): Group | Dataset;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
}
