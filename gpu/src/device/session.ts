import type { Backend } from "./backend.js";
import { cpuBackend, selectBackend, type BackendOptions } from "./select.js";

/**
 * The backend a notebook works with. When a WebGPU device is lost, the operation that was
 * running fails with a DeviceLostError, and from then on the session hands out a CPU backend,
 * saying so in one line.
 *
 * @example
 * const session = await Session.open();
 * const index = await cagra.build(session.backend, dataset);
 */
export class Session {
  #backend: Backend;
  readonly #notice: (line: string) => void;

  private constructor(backend: Backend, notice: (line: string) => void, threads: number) {
    this.#backend = backend;
    this.#notice = notice;
    if (backend.kind === "webgpu") {
      backend.lost.catch((error: Error) => {
        this.#backend = cpuBackend(threads);
        this.#notice(`Tessera: ${error.message.split(". ")[0]}; continuing on the CPU backend.`);
      });
    }
  }

  /** Selects a backend as selectBackend does and wraps it. */
  static async open(options: BackendOptions = {}): Promise<Session> {
    const notice = options.notice ?? ((line: string) => console.warn(line));
    const backend = await selectBackend({ ...options, notice });
    const threads = options.threads ?? (backend.kind === "cpu" ? backend.threads : 1);
    return new Session(backend, notice, threads);
  }

  /** The backend to use now. */
  get backend(): Backend {
    return this.#backend;
  }
}
