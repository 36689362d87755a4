#!/usr/bin/env bash
# Opens JupyterLab from .venv on notebooks/; extra arguments go to `jupyter lab`
# (e.g. `npm run lab -- --port 8890`). `npm run lab` runs scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -x .venv/bin/jupyter ]] || {
  echo "[lab] .venv has no JupyterLab yet: run bash scripts/setup.sh (npm run lab does)." >&2
  exit 1
}
# JupyterLab refuses to run as root without --allow-root (containers, CI machines).
root=()
((EUID != 0)) || root=(--allow-root)
exec .venv/bin/jupyter lab --notebook-dir=notebooks "${root[@]}" "$@"
