import { join, Problems, type Validation } from "../common/problems.js";
import { checkLiveRef } from "../widget/live-ref.js";
import { unpackMemoryEvents } from "./pack.js";
import {
  MEMORY_TIMELINE_V2_LIMITS as LIMITS,
  NO_DETAIL,
  type MemoryEventColumns,
  type MemoryTimelineV2Payload,
} from "./types-v2.js";
import { checkPredicted } from "./validate.js";

const PAYLOAD_KEYS = ["version", "title", "xAxis", "align", "budgetBytes", "runs", "live"] as const;
const RUN_KEYS = ["name", "events", "predicted"] as const;
const EVENTS_KEYS = [
  "count",
  "kind",
  "allocation",
  "bytes",
  "timeMs",
  "index",
  "label",
  "op",
  "node",
  "detail",
  "strings",
] as const;
const REQUIRED_COLUMNS = ["kind", "allocation", "bytes", "timeMs", "label", "op"] as const;
const OPTIONAL_COLUMNS = ["index", "node", "detail"] as const;

/**
 * Checks that `x` is a v2 memory-timeline payload: its structure (`memoryTimelineV2Schema`),
 * that every column decodes to `count` values, and the rules between a run's events (as v1:
 * indexes increase, times do not decrease, each free follows its alloc with the same size).
 * Errors name the path and what is wrong, e.g. "runs[1].events[7]: allocation 3 is freed
 * but not allocated earlier in the run".
 *
 * @example
 * const r = validateMemoryTimelineV2(payload);
 * if (!r.ok) throw new Error(r.errors.join("\n"));
 */
export function validateMemoryTimelineV2(x: unknown): Validation<MemoryTimelineV2Payload> {
  const p = new Problems();
  if (p.record(x, "", PAYLOAD_KEYS)) {
    p.oneOf(x.version, "version", [2]);
    if (x.title !== undefined) p.text(x.title, "title", LIMITS.text);
    if (x.xAxis !== undefined) p.oneOf(x.xAxis, "xAxis", ["index", "time"]);
    if (x.align !== undefined) p.oneOf(x.align, "align", ["node", "none"]);
    if (x.budgetBytes !== undefined) p.number(x.budgetBytes, "budgetBytes", 0);
    if (x.live !== undefined) checkLiveRef(p, x.live, LIMITS.text);
    if (!Array.isArray(x.runs)) {
      p.add("runs", x.runs === undefined ? "is required" : "expected an array of runs");
    } else if (x.runs.length === 0 || x.runs.length > LIMITS.runs) {
      p.add("runs", `expected 1 to ${LIMITS.runs} runs, got ${x.runs.length}`);
    } else {
      x.runs.forEach((run, i) => checkRun(run, join("runs", i), p));
    }
  }
  return p.empty
    ? { ok: true, value: x as MemoryTimelineV2Payload }
    : { ok: false, errors: p.messages };
}

function checkRun(run: unknown, path: string, p: Problems): void {
  if (!p.record(run, path, RUN_KEYS)) return;
  p.text(run.name, join(path, "name"), LIMITS.text);
  if (run.predicted !== undefined) {
    checkPredicted(run.predicted, join(path, "predicted"), LIMITS.predictedPoints, p);
  }
  const columns = checkColumns(run.events, join(path, "events"), p);
  if (columns) checkEvents(columns, join(path, "events"), p);
}

/** The structure of the packed events; their decoded columns when it holds. */
function checkColumns(e: unknown, path: string, p: Problems): MemoryEventColumns | undefined {
  if (!p.record(e, path, EVENTS_KEYS)) return undefined;
  if (!p.count(e.count, join(path, "count"))) return undefined;
  if (e.count > LIMITS.events) {
    p.add(
      join(path, "count"),
      `${e.count} events exceed the limit of ${LIMITS.events}; summarise the log first`,
    );
    return undefined;
  }
  let ok = true;
  for (const name of REQUIRED_COLUMNS) {
    ok = p.text(e[name], join(path, name), Infinity) && ok;
  }
  for (const name of OPTIONAL_COLUMNS) {
    if (e[name] !== undefined) ok = p.text(e[name], join(path, name), Infinity) && ok;
  }
  if (!Array.isArray(e.strings)) {
    p.add(
      join(path, "strings"),
      e.strings === undefined ? "is required" : "expected an array of strings",
    );
    return undefined;
  }
  if (e.strings.length > LIMITS.strings) {
    p.add(
      join(path, "strings"),
      `${e.strings.length} strings exceed the limit of ${LIMITS.strings}`,
    );
    return undefined;
  }
  let characters = 0;
  e.strings.forEach((s, i) => {
    ok = p.text(s, join(join(path, "strings"), i), LIMITS.detail) && ok;
    if (typeof s === "string") characters += s.length;
  });
  if (characters > LIMITS.stringCharacters) {
    p.add(
      join(path, "strings"),
      `${characters} characters in all exceed the limit of ${LIMITS.stringCharacters}`,
    );
    return undefined;
  }
  if (!ok) return undefined;
  try {
    return unpackMemoryEvents(e as never, path);
  } catch (error) {
    // The decoder's message already starts with the column's path.
    const message = (error as Error).message;
    const at = message.indexOf(": ");
    p.add(at > 0 ? message.slice(0, at) : path, at > 0 ? message.slice(at + 2) : message);
    return undefined;
  }
}

/** The rules between events, over the decoded columns (a million events in well under a second). */
function checkEvents(c: MemoryEventColumns, path: string, p: Problems): void {
  const nStrings = c.strings.length;
  const named = new Uint8Array(nStrings);
  // Where each allocation was allocated (event position + 1; 0: not allocated), and whether
  // it was freed. Allocation ids are usually dense: an array; a Map when they are not.
  const maxId = c.count === 0 ? 0 : c.allocation.reduce((m, a) => (a > m ? a : m), 0);
  const dense = maxId < 4 * c.count + 1024;
  const allocatedAt = dense ? new Float64Array(maxId + 1) : undefined;
  const sparse = dense ? undefined : new Map<number, number>();
  const freed = new Uint8Array(dense ? maxId + 1 : 0);
  const freedSparse = dense ? undefined : new Set<number>();
  const names = [
    ["label", c.label],
    ["op", c.op],
    ["node", c.node],
  ] as const;
  // Paths are built only for a message: a million string joins would cost more than the checks.
  const at = (k: number, key?: string) => (key ? join(join(path, k), key) : join(path, k));
  for (let k = 0; k < c.count; k++) {
    if (c.kind[k]! > 1) {
      p.add(at(k, "kind"), `expected 0 (alloc) or 1 (free), got ${c.kind[k]}`);
      return;
    }
    const b = c.bytes[k]!;
    if (!(Number.isSafeInteger(b) && b >= 0)) {
      p.add(at(k, "bytes"), `expected a non-negative integer, got ${b}`);
      return;
    }
    const t = c.timeMs[k]!;
    if (!(Number.isFinite(t) && t >= 0)) {
      p.add(at(k, "timeMs"), `expected a non-negative number, got ${t}`);
      return;
    }
    if (k > 0 && !(c.index[k]! > c.index[k - 1]!)) {
      p.add(
        at(k, "index"),
        `${c.index[k]} does not follow ${c.index[k - 1]}; indexes must strictly increase`,
      );
      return;
    }
    if (k > 0 && t < c.timeMs[k - 1]!) {
      p.add(
        at(k, "timeMs"),
        `${t} is earlier than the previous event's ${c.timeMs[k - 1]}; times must not decrease`,
      );
      return;
    }
    for (const [name, col] of names) {
      const s = col[k]!;
      if (s >= nStrings) {
        p.add(at(k, name), `string ${s} is not in strings (${nStrings} of them)`);
        return;
      }
      named[s] = 1;
    }
    const d = c.detail[k]!;
    if (d !== NO_DETAIL && d >= nStrings) {
      p.add(at(k, "detail"), `string ${d} is not in strings (${nStrings} of them)`);
      return;
    }
    const a = c.allocation[k]!;
    const first = (allocatedAt ? allocatedAt[a]! : (sparse!.get(a) ?? 0)) - 1;
    if (c.kind[k] === 0) {
      if (first >= 0) {
        p.add(at(k), `allocation ${a} is allocated again (first at ${at(first)})`);
        return;
      }
      if (allocatedAt) allocatedAt[a] = k + 1;
      else sparse!.set(a, k + 1);
    } else if (first < 0) {
      p.add(at(k), `allocation ${a} is freed but not allocated earlier in the run`);
      return;
    } else if (freedSparse ? freedSparse.has(a) : freed[a]) {
      p.add(at(k), `allocation ${a} is freed again`);
      return;
    } else {
      if (freedSparse) freedSparse.add(a);
      else freed[a] = 1;
      if (b !== c.bytes[first]) {
        p.add(
          at(k, "bytes"),
          `${b} differs from the ${c.bytes[first]} bytes allocation ${a} has (${at(first)})`,
        );
        return;
      }
    }
  }
  // Names are one line of the hover and the legend; only details (stack traces) run long.
  named.forEach((used, s) => {
    const text = c.strings[s]!;
    if (used && text.length > LIMITS.text && Array.from(text).length > LIMITS.text) {
      p.add(
        join(join(path, "strings"), s),
        `a label, op or node of at most ${LIMITS.text} characters, got ${text.length}`,
      );
    }
  });
}
