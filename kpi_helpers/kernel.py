"""Run notebooks with this environment's interpreter, whatever kernelspecs the machine has.

A machine may carry a stale ``python3`` (or even ``kpi-review``) kernelspec that
points at another interpreter. :class:`CurrentEnvKernelManager` ignores the
kernelspec lookup and always starts ``sys.executable -m ipykernel_launcher``.
"""

from __future__ import annotations

import sys

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec

__all__ = ["CurrentEnvKernelManager", "KERNEL_NAME", "kernel_manager_for", "execute_in_place"]

#: The kernelspec name the notebooks carry (installed with ``--sys-prefix`` for JupyterLab).
KERNEL_NAME = "kpi-review"


class CurrentEnvKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is always this interpreter's ipykernel.

    ``kernel_log``, when set (see :func:`kernel_manager_for`), receives the
    kernel process's stdout and stderr instead of the terminal.
    """

    kernel_log: str | None = None

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if not self.kernel_log:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        with open(self.kernel_log, "ab") as log:  # the child keeps its own copy of the handle
            return await super()._async_launch_kernel(kernel_cmd, **kw | {"stdout": log, "stderr": log})

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"Python {sys.version.split()[0]} (kpi-review)",
                language="python",
                resource_dir="",
            )
        return self._kernel_spec


def kernel_manager_for(log_path) -> type[CurrentEnvKernelManager]:
    """A :class:`CurrentEnvKernelManager` class whose kernels write their output to ``log_path``."""
    return type("LoggedKernelManager", (CurrentEnvKernelManager,), {"kernel_log": str(log_path)})


def execute_in_place(path: str) -> None:
    """Re-execute a notebook in its own folder with this interpreter and save its outputs.

    ``make notebook-outputs`` uses it to refresh the committed demo outputs that
    nbval compares; cell timing metadata is not recorded, so diffs stay small.
    """
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_manager_class=CurrentEnvKernelManager, record_timing=False, timeout=600,
                   resources={"metadata": {"path": str(Path(path).resolve().parent)}}).execute()
    nbformat.write(nb, path)


if __name__ == "__main__":
    execute_in_place(sys.argv[1])
