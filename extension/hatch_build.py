"""Stops a build of the Python package that would ship without the labextension.

npm builds the labextension (into tessera_jupyterlab/labextension); without it, pip would
install a package that JupyterLab cannot load, and say nothing.
"""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class LabextensionPresent(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        built = Path(self.root, "tessera_jupyterlab", "labextension", "package.json")
        if not built.is_file():
            raise RuntimeError(
                f"The JupyterLab extension is not built ({built} is missing). From the "
                'repository root, run: PATH="$PWD/.venv/bin:$PATH" npm run build -w extension'
            )
