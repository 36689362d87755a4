"""Tessera's JupyterLab renderers, as a prebuilt labextension (built by npm into ./labextension)."""


def _jupyter_labextension_paths():
    # Where `jupyter labextension develop` finds the build; pip installs it through shared-data.
    return [{"src": "labextension", "dest": "@tessera/jupyterlab"}]
