/** The inputs (and plain-text outputs) of executed cells, answering `history_request`. */

export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  output?: string;
}

/** [session, line, input] or [session, line, [input, output]], as the protocol lists them. */
export type HistoryTuple = [number, number, string | [string, string | null]];

export interface HistoryRequest {
  hist_access_type: "tail" | "range" | "search";
  output?: boolean;
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/**
 * @example
 * const h = new History(1);
 * h.record(1, "6 * 7", "42");
 * h.query({ hist_access_type: "tail", n: 1 }); // [[1, 1, "6 * 7"]]
 */
export class History {
  readonly #entries: HistoryEntry[] = [];

  /** @param session this kernel run's session number (1 for the first run). */
  constructor(readonly session: number) {}

  record(line: number, input: string, output?: string): void {
    this.#entries.push({
      session: this.session,
      line,
      input,
      ...(output === undefined ? {} : { output }),
    });
  }

  /** Sets the plain-text output of a line recorded earlier. */
  setOutput(line: number, output: string): void {
    const e = this.#entries.findLast((x) => x.line === line);
    if (e) e.output = output;
  }

  query(req: HistoryRequest): HistoryTuple[] {
    return this.#select(req).map((e) => [
      e.session,
      e.line,
      req.output ? [e.input, e.output ?? null] : e.input,
    ]);
  }

  #select(req: HistoryRequest): HistoryEntry[] {
    const n = req.n ?? 10;
    switch (req.hist_access_type) {
      case "tail":
        return n > 0 ? this.#entries.slice(-n) : [];
      case "range": {
        // session 0 means this one; negative sessions count back, and there are none before it.
        const session = req.session === undefined || req.session === 0 ? this.session : req.session;
        const start = req.start ?? 1;
        const stop = req.stop ?? Infinity;
        return this.#entries.filter(
          (e) => e.session === session && e.line >= start && e.line < stop,
        );
      }
      case "search": {
        const re = globToRegExp(req.pattern ?? "*");
        let hits = this.#entries.filter((e) => re.test(e.input));
        if (req.unique) {
          const seen = new Set<string>();
          hits = hits
            .reverse()
            .filter((e) => !seen.has(e.input) && seen.add(e.input))
            .reverse();
        }
        return n > 0 ? hits.slice(-n) : hits;
      }
      default:
        throw new Error(
          `history_request: hist_access_type must be "tail", "range" or "search", got ${JSON.stringify(req.hist_access_type)}.`,
        );
    }
  }
}

/** IPython's history globs: `*` any run of characters, `?` one character, whole input. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("")
    .map((c) =>
      c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${body}$`);
}
