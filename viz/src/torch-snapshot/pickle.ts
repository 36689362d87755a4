/**
 * A data-only reader of Python pickles (protocols 0 to 5): the dicts, lists, tuples,
 * strings, numbers, booleans, None and bytes that a PyTorch memory snapshot is made of. It
 * never runs code: a reference to a Python class or function (GLOBAL, REDUCE, NEWOBJ…)
 * becomes a `PickledObject` naming it, so an unexpected or hostile pickle is only data.
 */

/** What a pickle decodes to. Dicts become Maps (keys may be numbers or tuples). */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | PickledObject;

/** A Python object the reader did not construct: its class (or callable) and arguments. */
export interface PickledObject {
  readonly pickled: string;
  readonly args: PickleValue[];
  state?: PickleValue;
}

/** The pickle is malformed, truncated or uses what this reader does not support. */
export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PickleError";
  }
}

const MARK = Symbol("mark");
type Slot = PickleValue | typeof MARK;

/**
 * Decodes `bytes` as one pickle. Throws a PickleError saying where and why when the bytes
 * are not a pickle, end early (a truncated file) or hold out-of-band buffers.
 *
 * @example
 * readPickle(bytes); // Map { "segments" => [...], "device_traces" => [[...]] }
 */
export function readPickle(bytes: Uint8Array): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder("utf-8");
  const latin1 = new TextDecoder("latin1");
  const stack: Slot[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;

  const need = (n: number, what: string): void => {
    if (pos + n > bytes.length) {
      throw new PickleError(
        `the pickle ends at byte ${bytes.length} inside ${what} (byte ${pos}): the file is truncated`,
      );
    }
  };
  const u8 = () => (need(1, "an opcode argument"), bytes[pos++]!);
  const u16 = () => (need(2, "an opcode argument"), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4, "an opcode argument"), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4, "an opcode argument"), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8, "an opcode argument");
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new PickleError(`a length of ${v} bytes at byte ${pos - 8}`);
    return Number(v);
  };
  const take = (n: number, what: string): Uint8Array => {
    need(n, what);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const line = (): string => {
    const end = bytes.indexOf(10, pos);
    if (end < 0)
      throw new PickleError(
        `the pickle ends at byte ${bytes.length} inside a text argument: the file is truncated`,
      );
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK)
      throw new PickleError(`the stack is empty at byte ${pos - 1}`);
    return v;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new PickleError(`no MARK on the stack at byte ${pos - 1}`);
    const items = stack.splice(at) as PickleValue[];
    items.shift();
    return items;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK)
      throw new PickleError(`the stack is empty at byte ${pos - 1}`);
    return v;
  };
  const setItems = (target: PickleValue, items: PickleValue[]): void => {
    if (target instanceof Map) {
      for (let i = 0; i + 1 < items.length; i += 2) target.set(key(items[i]!), items[i + 1]!);
    } else if (isObject(target)) {
      // A dict subclass (e.g. OrderedDict) built by REDUCE: keep its items as its state.
      const state =
        target.state instanceof Map ? target.state : new Map<PickleValue, PickleValue>();
      for (let i = 0; i + 1 < items.length; i += 2) state.set(key(items[i]!), items[i + 1]!);
      target.state = state;
    } else throw new PickleError(`SETITEM(S) on a ${kindOf(target)} at byte ${pos - 1}`);
  };
  const append = (target: PickleValue, items: PickleValue[]): void => {
    // A loop, not push(...items): a MARK may hold more items than a call takes arguments.
    if (Array.isArray(target)) for (const item of items) target.push(item);
    else if (isObject(target)) for (const item of items) target.args.push(item);
    else throw new PickleError(`APPEND(S) on a ${kindOf(target)} at byte ${pos - 1}`);
  };
  const long = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
    if (raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(raw.length * 8);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v;
  };

  if (bytes.length === 0) throw new PickleError("the file is empty");
  for (;;) {
    if (pos >= bytes.length) {
      throw new PickleError(
        `the pickle ends at byte ${bytes.length} before its STOP opcode: the file is truncated`,
      );
    }
    const at = pos;
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: {
        const version = u8();
        if (version > 5) throw new PickleError(`pickle protocol ${version} is newer than 5`);
        break;
      }
      case 0x95: // FRAME: a length prefix only
        need(8, "a FRAME header");
        pos += 8;
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) {
          throw new PickleError(
            `the pickle stops with ${stack.length} values on the stack, expected 1`,
          );
        }
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x8f: // EMPTY_SET
        stack.push([]);
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const m = new Map<PickleValue, PickleValue>();
        setItems(m, items);
        stack.push(m);
        break;
      }
      case 0x6c: // LIST
      case 0x74: // TUPLE
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x85:
        stack.push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: // APPENDS
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(long(take(u8(), "a LONG1")));
        break;
      case 0x8b: // LONG4
        stack.push(long(take(u32(), "a LONG4")));
        break;
      case 0x49: {
        // INT (text); "01"/"00" are protocol 0's booleans
        const s = line();
        stack.push(s === "01" ? true : s === "00" ? false : parseIntText(s, at));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(parseIntText(line().replace(/L$/, ""), at));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8, "a BINFLOAT");
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x46: // FLOAT (text)
        stack.push(Number.parseFloat(line()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(take(u8(), "a string")));
        break;
      case 0x58: // BINUNICODE
        stack.push(text.decode(take(u32(), "a string")));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text.decode(take(u64(), "a string")));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text)
        stack.push(
          line().replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) =>
            String.fromCharCode(parseInt(h, 16)),
          ),
        );
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8(), "a string")));
        break;
      case 0x54: // BINSTRING
        stack.push(latin1.decode(take(u32(), "a string")));
        break;
      case 0x53: // STRING (quoted text)
        stack.push(line().slice(1, -1));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8(), "bytes").slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32(), "bytes").slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64(), "bytes").slice());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT
        memo.set(parseIntText(line(), at), top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET
        const id = op === 0x68 ? u8() : op === 0x6a ? u32() : parseIntText(line(), at);
        if (!memo.has(id))
          throw new PickleError(`memo ${id} is read before it is written (byte ${at})`);
        stack.push(memo.get(id)!);
        break;
      }
      case 0x30: // POP
        if (stack.pop() === undefined) throw new PickleError(`POP on an empty stack at byte ${at}`);
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push({ pickled: `${module}.${line()}`, args: [] });
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        stack.push({ pickled: `${String(module)}.${String(name)}`, args: [] });
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const callable = pop();
        stack.push({
          pickled: describeCallable(callable),
          args: Array.isArray(args) ? args : [args],
        });
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        const args = pop();
        const cls = pop();
        stack.push({ pickled: describeCallable(cls), args: Array.isArray(args) ? args : [args] });
        break;
      }
      case 0x69: {
        // INST
        const module = line();
        const name = line();
        stack.push({ pickled: `${module}.${name}`, args: popMark() });
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        const cls = items.shift() ?? null;
        stack.push({ pickled: describeCallable(cls), args: items });
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (isObject(target)) target.state = state;
        break;
      }
      case 0x97:
      case 0x98:
        throw new PickleError(
          `out-of-band buffers (protocol 5's NEXT_BUFFER) are not supported (byte ${at})`,
        );
      case 0x50:
      case 0x51:
        throw new PickleError(
          `persistent ids (PERSID) are not supported (byte ${at}): is this a torch.save file?`,
        );
      case 0x82:
      case 0x83:
      case 0x84:
        throw new PickleError(`extension codes (EXT) are not supported (byte ${at})`);
      default:
        throw new PickleError(
          at === 0
            ? `not a pickle: it starts with byte 0x${op.toString(16).padStart(2, "0")}`
            : `unknown pickle opcode 0x${op.toString(16).padStart(2, "0")} at byte ${at}`,
        );
    }
  }
}

function parseIntText(s: string, at: number): number {
  const v = Number.parseInt(s, 10);
  if (!Number.isFinite(v)) throw new PickleError(`not an integer: "${s}" (byte ${at})`);
  return v;
}

function isObject(v: PickleValue | undefined): v is PickledObject {
  return typeof v === "object" && v !== null && "pickled" in v;
}

/** Dict keys: strings and numbers as they are; anything else by its JSON-ish text. */
function key(k: PickleValue): PickleValue {
  return typeof k === "string" ||
    typeof k === "number" ||
    typeof k === "bigint" ||
    k === null ||
    typeof k === "boolean"
    ? k
    : JSON.stringify(k, (_, v: unknown) =>
        typeof v === "bigint" ? String(v) : v instanceof Map ? [...v] : v,
      );
}

function describeCallable(v: PickleValue): string {
  return isObject(v) ? v.pickled : `(${kindOf(v)})`;
}

function kindOf(v: PickleValue): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return "list";
  if (v instanceof Map) return "dict";
  if (v instanceof Uint8Array) return "bytes";
  if (isObject(v)) return v.pickled;
  return typeof v;
}
