// Builds the prebuilt (federated) labextension into tessera_jupyterlab/labextension with
// @jupyterlab/builder, against the core package.json of the JupyterLab that `python3` on
// PATH has installed (the venv's: PATH="$PWD/.venv/bin:$PATH" npm run build -w extension).
//
// Not `jupyter labextension build`: since JupyterLab 4.6 it hands over to jupyter_builder,
// which runs `jlpm` (a yarn install) in an extension without its own node_modules (npm
// workspaces hoist them to the root) and may fetch the core metadata from the network.
// This runs the same builder command it ends with, minus those steps.
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const extensionDir = dirname(fileURLToPath(import.meta.url));

let jupyterlabDir;
try {
  jupyterlabDir = execFileSync(
    "python3",
    ["-c", "import jupyterlab, os; print(os.path.dirname(jupyterlab.__file__))"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  ).trim();
} catch {
  process.stderr.write(
    "build-labextension: `python3` on PATH has no JupyterLab. From the repository root run\n" +
      '  PATH="$PWD/.venv/bin:$PATH" npm run build -w extension\n',
  );
  process.exit(1);
}

const builder = createRequire(import.meta.url).resolve(
  "@jupyterlab/builder/lib/build-labextension.js",
);
const corePath = join(jupyterlabDir, "staging");
const { status } = spawnSync(process.execPath, [builder, "--core-path", corePath, extensionDir], {
  stdio: "inherit",
});
process.exit(status ?? 1);
