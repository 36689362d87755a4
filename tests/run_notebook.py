"""Executes a notebook with the Tessera kernel as CI does (nbclient, at most 120 s a cell)
and writes the executed copy, also when a cell fails, so its outputs can be read. The
kernel's working directory is the notebook's folder, or CWD when given (a notebook moved
out of the repository).

usage: .venv/bin/python tests/run_notebook.py NOTEBOOK OUTPUT [CWD]
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KERNEL = "tessera"
CELL_TIMEOUT_S = 120


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-1])
    source, target = Path(argv[1]), Path(argv[2])
    cwd = Path(argv[3]) if len(argv) == 4 else source.resolve().parent
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except CellExecutionError as e:
        sys.exit(f"{source}: a cell failed:\n{e}")
    finally:
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)


if __name__ == "__main__":
    main(sys.argv)
