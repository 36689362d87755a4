#!/usr/bin/env bash
# Prepares a clone for `npm run lab` and `npm test`: system packages, npm packages, the
# Python environment in .venv, the build and the kernelspec. Safe to run again: a step is
# skipped while the files it depends on are unchanged (their hashes are kept in .stamps/),
# so a second run takes seconds.
#
# Usage: setup.sh [--test]; --test also installs what the tests and benchmarks need
# (requirements-test.txt: PyTorch, faiss-cpu, h5py).
# Environment: PYTHON (default python3) creates .venv; PIP_RETRIES (default 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REQUIREMENTS=requirements.txt
[[ ${1:-} == --test ]] && REQUIREMENTS=requirements-test.txt
STAMPS=.stamps
VENV=.venv
PYTHON=${PYTHON:-python3}
# pip backs off for seconds per package on an index it cannot reach (here pypi.org beside a
# local mirror: 13 minutes for JupyterLab's ~100 packages); one retry keeps it to seconds.
export PIP_RETRIES=${PIP_RETRIES:-1} PIP_DISABLE_PIP_VERSION_CHECK=1
# chromium: browser tests (Playwright drives Debian's binary; its fonts for legible
# screenshots). python3-jupyter-kernel-test: the official conformance suite, which is not
# on PyPI's mirror here; it installs into Debian's /usr/bin/python3.
APT_PACKAGES=(chromium fonts-dejavu-core python3-jupyter-kernel-test)

say() { printf '[setup] %s\n' "$*"; }
fail() {
  printf '[setup] error: %s\n' "$*" >&2
  exit 1
}

# A hash of the contents of the given files and folders, build outputs left out.
digest() {
  local paths=() p
  for p in "$@"; do [[ -e $p ]] && paths+=("$p"); done
  ((${#paths[@]})) || { echo none; return; }
  find "${paths[@]}" -type f \
    -not -path '*/node_modules/*' -not -path '*/dist/*' -not -path '*/lib/*' \
    -not -path '*/labextension/*' -not -path '*/__pycache__/*' -not -path '*.egg-info/*' \
    -not -name '_version.py' -not -name '*.tsbuildinfo' -print0 |
    sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32
}

up_to_date() { [[ -f $STAMPS/$1 && $(<"$STAMPS/$1") == "$2" ]]; }

mark() {
  mkdir -p "$STAMPS"
  printf '%s\n' "$2" >"$STAMPS/$1"
}

check_tools() {
  # 20.16 brought process.getBuiltinModule, which the CPU's WebAssembly loaders use.
  command -v node >/dev/null || fail "Node.js 20.16 or later is needed (https://nodejs.org)."
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 16) ? 0 : 1)' ||
    fail "Node.js 20.16 or later is needed; this is $(node -v)."
  command -v "$PYTHON" >/dev/null ||
    fail "Python 3.10 or later is needed (set PYTHON to choose one)."
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
    fail "Python 3.10 or later is needed; $PYTHON is $("$PYTHON" -V 2>&1)."
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Only the browser and conformance tests need these, so without root, sudo or apt (Binder)
# the setup goes on and says what is missing.
system_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  # Debian's own python3 creates virtual environments only with python3-venv (ensurepip).
  if [[ ! -x $VENV/bin/python ]] && ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
    missing+=(python3-venv)
  fi
  ((${#missing[@]})) || return 0
  local sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      say "warning: not installing ${missing[*]} (needs root or password-less sudo)."
      say "warning: without them the browser and conformance tests fail; npm run lab works."
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    say "warning: no apt-get here; install the equivalents of ${missing[*]} by hand."
    return 0
  fi
  say "installing ${missing[*]} (apt)"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

npm_key() { echo "$(digest package.json package-lock.json ./*/package.json)-$(node -v)"; }

npm_packages() {
  [[ -d node_modules ]] && up_to_date npm "$(npm_key)" && return
  say "installing npm packages"
  if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund
  else
    npm install --no-audit --no-fund
  fi
  optional_addon
  # Taken after the install: npm install writes the lock file.
  mark npm "$(npm_key)"
}

# hnswlib-node, an optional dependency, is built by node-gyp during the install; when that
# build fails npm drops the package without a word (seen once in a fresh clone, cause not
# shown). One more install shows the build's output; the tests need the addon, `npm run lab`
# does not.
optional_addon() {
  node -e 'require("hnswlib-node")' 2>/dev/null && return
  say "hnswlib-node's native build did not install; building it again, with its output"
  npm install --no-save --no-audit --no-fund --foreground-scripts \
    "hnswlib-node@$(node -p 'require("./package-lock.json").packages["node_modules/hnswlib-node"].version')" ||
    true
  node -e 'require("hnswlib-node")' 2>/dev/null && return
  local why="hnswlib-node (an optional native addon) could not be built (see npm's output above)"
  [[ $REQUIREMENTS == requirements-test.txt ]] &&
    fail "$why; the tests and the CAGRA benchmark need it: a C++ compiler and make are required"
  say "warning: $why; the tutorials' hnswlib cells say how to add it."
}

# The benchmarks' npm peers (tslab) live in their own project, outside the workspace: tslab's
# TypeScript 5.0 fork would otherwise shadow the project's tsc in node_modules/.bin.
bench_peers() {
  local key
  key="$(digest bench/peers/package.json bench/peers/package-lock.json)-$(node -v)"
  [[ -d bench/peers/node_modules ]] && up_to_date peers "$key" && return
  say "installing the benchmarks' npm peers (bench/peers)"
  npm ci --prefix bench/peers --no-audit --no-fund
  mark peers "$key"
}

python_version() { "$1" -c 'import platform; print(platform.python_version())'; }

python_env() {
  local version key current=""
  version=$(python_version "$PYTHON")
  key=$(digest requirements.txt "$REQUIREMENTS")-$version
  [[ -x $VENV/bin/python ]] && up_to_date venv "$key" && return
  [[ -x $VENV/bin/python ]] && current=$(python_version "$VENV/bin/python")
  # A venv made by another Python breaks when that one goes: start it afresh.
  if [[ $current != "$version" ]]; then
    say "creating $VENV with $PYTHON ($version)"
    "$PYTHON" -m venv --clear "$VENV" ||
      fail "$PYTHON -m venv failed; on Debian/Ubuntu: apt-get install python3-venv."
  fi
  # This repository's package.json says "type": "module"; without a package.json of its
  # own, Node would load the .js files that JupyterLab runs from .venv as ES modules.
  printf '{ "type": "commonjs" }\n' >"$VENV/package.json"
  say "installing Python packages ($REQUIREMENTS)"
  "$VENV/bin/python" -m pip install -q -r "$REQUIREMENTS"
  mark venv "$key"
}

build() {
  # The AutoChunk CPU kernels and CAGRA's CPU search (AssemblyScript → gpu/dist/wasm), which
  # tests run from src too.
  local wasm_key
  wasm_key=$(digest gpu/src/autochunk/executor/wasm/assembly gpu/src/cagra/search/wasm/assembly package-lock.json)
  if [[ ! -f gpu/dist/wasm/autochunk-kernels.wasm || ! -f gpu/dist/wasm/autochunk-kernels-relaxed.wasm ||
    ! -f gpu/dist/wasm/cagra-search.wasm ]] ||
    ! up_to_date wasm "$wasm_key"; then
    say "compiling the CPU kernels (AssemblyScript)"
    npm run --silent build:wasm
    mark wasm "$wasm_key"
  fi
  say "compiling gpu, viz, kernel"
  npx tsc -b gpu viz kernel
  # The extension bundles viz and is installed into the venv: redo both when any changes.
  local key
  key=$(digest extension viz/src viz/package.json package-lock.json)-$(<"$STAMPS/venv")
  if [[ ! -d extension/tessera_jupyterlab/labextension ]] || ! up_to_date extension "$key"; then
    say "building and installing the JupyterLab extension"
    # The build finds JupyterLab through `python3` on PATH: the venv's.
    PATH="$PWD/$VENV/bin:$PATH" npm run build -w extension
    "$VENV/bin/python" -m pip install -q --no-build-isolation ./extension
    mark extension "$key"
  fi
  # Always: the kernelspec holds absolute paths to node and to this clone.
  node kernel/dist/main.js install --prefix "$VENV"
}

check_tools
system_packages
npm_packages
[[ $REQUIREMENTS == requirements-test.txt ]] && bench_peers
python_env
build
say "ready"
