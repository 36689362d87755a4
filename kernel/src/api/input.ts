import type { Stdin } from "../session/stdin.js";

let stdin: Stdin | undefined;

/** Called once by the kernel at start-up. */
export function bindStdin(s: Stdin): void {
  stdin = s;
}

function reader(caller: string): Stdin {
  if (stdin === undefined) {
    throw new Error(
      `${caller} works inside the Tessera kernel only (a notebook cell with the "TypeScript (Tessera)" kernel).`,
    );
  }
  return stdin;
}

export interface InputOptions {
  /** Hide what the user types (a password field). */
  password?: boolean;
}

/**
 * Asks the user for a line of text in the notebook and resolves with it. The cell's other
 * work (timers, outputs) goes on while it waits; an interrupt ends the wait with
 * KeyboardInterrupt. Fails with StdinNotImplementedError in front ends that cannot answer
 * (nbconvert, nbclient and papermill run cells with `allow_stdin: false`).
 *
 * @example
 * const name = await input("Your name: ");
 * const token = await input("Token: ", { password: true });
 */
export function input(prompt = "", options: InputOptions = {}): Promise<string> {
  try {
    return reader("input()").read(prompt, options.password === true, "input()");
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Asks the user for a line of text and blocks until it comes, as `prompt()` does in
 * browsers and Deno: nothing else of the kernel runs meanwhile. An empty answer gives
 * `defaultValue` when there is one.
 *
 * @example
 * const n = Number(prompt("How many?", "10"));
 */
export function prompt(message = "", defaultValue?: string): string {
  const shown = defaultValue === undefined ? message : `${message} [${defaultValue}] `;
  const answer = reader("prompt()").readSync(shown, false, "prompt()");
  return answer === "" && defaultValue !== undefined ? defaultValue : answer;
}
