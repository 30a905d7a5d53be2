"""Run notebooks with this environment's interpreter, whatever kernelspecs the machine has.

A machine may carry a stale ``python3`` (or even ``kpi-review``) kernelspec that
points at another interpreter. :class:`CurrentEnvKernelManager` ignores the
kernelspec lookup and always starts ``sys.executable -m ipykernel_launcher``.

A *warm* manager (``kernel_manager_for(log, warm=True)``, what the batch uses) does not start a new
Python per client: it forks the kernel from a fork server of the runner process that has imported
ipykernel and the analysis stack (:data:`WARM_MODULES`) and nothing else. Each client still gets a
new process, used once and discarded, in its own session (timeouts kill its process group as
before).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import time
import types
from pathlib import Path
from queue import Empty

from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from traitlets import DottedObjectName, Type

__all__ = [
    "CurrentEnvKernelManager",
    "KERNEL_NAME",
    "kernel_manager_for",
    "execute_in_place",
    "WARM_MODULES",
    "ONE_CORE_ENV",
    "kernel_env",
]

#: The kernelspec name the notebooks carry (installed with ``--sys-prefix`` for JupyterLab).
KERNEL_NAME = "kpi-review"

#: What a warm kernel has imported before it is handed a client: ipykernel, the analysis stack the
#: notebook's first cell imports, and what the package imports only where it is used (so that
#: ``import kpi_helpers`` stays light) but every report reaches: statsmodels' ETS and OLS, seaborn
#: (the cohort heatmap), openpyxl (``tables.xlsx``), the Persian calendar and shaping. Nothing runs
#: but imports, so no client's state can be in it.
WARM_MODULES = [
    "ipykernel.kernelapp",
    # what starting the kernel imports: its debugger (debugpy), IPython's, history (sqlite3), psutil
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "sqlite3",
    "psutil",
    "tornado.platform.asyncio",
    "matplotlib_inline.backend_inline",
    "kpi_helpers",
    "kpi_helpers.report.plots",
    "kpi_helpers.report.show",
    "kpi_helpers.report.export",
    "kpi_helpers.loaders.readers",
    "statsmodels.tsa.exponential_smoothing.ets",
    "statsmodels.regression.linear_model",
    "seaborn",
    "openpyxl",
    "pandas.io.excel._openpyxl",
    "jdatetime",
    "arabic_reshaper",
    "bidi",
    "PIL.Image",
]

#: One BLAS / OpenMP thread per kernel, unless the environment already says otherwise. The batch
#: runs one kernel per core; a multithreaded OpenBLAS then only adds threads that wait for each
#: other: with two of them on a busy core, each of the forecast's L-BFGS-B steps (tiny BLAS calls)
#: took about a millisecond instead of microseconds, and the report's ``build_review`` twice the
#: CPU. Results do not change.
ONE_CORE_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: Also set in a kernel's environment where it sets nothing: the debugger the kernel imports
#: (debugpy) would otherwise warn on stderr, at every start, that frozen modules hide breakpoints.
QUIET_ENV = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def kernel_env(env: dict | None = None) -> dict[str, str]:
    """A kernel's environment: ``env`` (default this process's) with :data:`ONE_CORE_ENV` and
    :data:`QUIET_ENV` where it sets nothing."""
    out = dict(os.environ if env is None else env)
    for key, value in (ONE_CORE_ENV | QUIET_ENV).items():
        out.setdefault(key, value)
    return out


def _warm_context():
    """The fork server of this process: started once, it imports :data:`WARM_MODULES`; each kernel
    is a fork
    of it, so a client pays neither the interpreter's start nor the imports. It starts with
    :data:`ONE_CORE_ENV` (BLAS reads it when numpy is imported, in the fork server, not in the
    kernel)."""
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WARM_MODULES)
    saved = dict(os.environ)
    os.environ.update(kernel_env())
    try:
        forkserver.ensure_running()  # once per process; later calls find it running
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return ctx


def _kernel_main(
    argv: list[str], cwd: str | None, env: dict | None, log: str | None, ready
) -> None:
    """Body of a forked kernel: its own session (the runner signals its process group), the log as
    its
    stdout and stderr, the launch's folder and environment, then ipykernel as ``ipykernel_launcher``
    runs it."""
    os.setsid()
    # What the fork server imported lives as long as the kernel: out of the collector's sight, a
    # full collection does not walk its ~200 000 objects again and again (0.3 s of a report's
    # CPU), nor touch their pages (copy-on-write). The kernel's own objects are collected as usual.
    gc.freeze()
    try:  # a name for ps and leftover-kernel checks: the command line is the fork server's
        Path("/proc/self/comm").write_text("kpi-kernel")
    except OSError:
        pass
    ready.set()
    if log:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    if cwd:
        os.chdir(cwd)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    from ipykernel import kernelapp

    sys.argv = ["ipykernel_launcher", *argv]
    kernelapp.launch_new_instance(argv=argv)


@contextlib.contextmanager
def _main_not_rerun():
    """While a kernel is started, ``__main__`` is a bare module: multiprocessing would otherwise
    re-run this
    process's main script in the kernel (``kpi-review``'s imports the runner: papermill, nbformat,
    jsonschema),
    at every client's expense and against the rule that a kernel imports only what the notebook
    needs."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class ForkedKernel:
    """A :class:`subprocess.Popen`-like handle on a kernel forked from the warm fork server: what
    jupyter_client's
    local provisioner uses (``pid``, ``poll``, ``wait``, ``send_signal``, ``kill``,
    ``terminate``)."""

    stdin = stdout = stderr = None

    def __init__(
        self,
        argv: list[str],
        cwd=None,
        env=None,
        log: str | None = None,
        start_timeout: float = 60.0,
    ):
        ctx = _warm_context()
        ready = ctx.Event()
        self.returncode: int | None = None
        self._proc = ctx.Process(
            target=_kernel_main,
            args=(argv, str(cwd) if cwd else None, env, log, ready),
            name="kpi-review-kernel",
        )
        with _main_not_rerun():
            self._proc.start()
        self.pid = self._proc.pid
        deadline = time.monotonic() + start_timeout
        while not ready.wait(
            0.05
        ):  # setsid done: the process group the provisioner signals is the kernel's own
            if not self._proc.is_alive() or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the warm kernel did not start (exit code {self.poll()})")

    def poll(self) -> int | None:
        if self.returncode is None and not self._proc.is_alive():
            self.returncode = self._proc.exitcode
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        self._proc.join(timeout)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ReadyKernelClient(AsyncKernelClient):
    """A kernel client that knows the kernel is ready as soon as it is.

    jupyter_client's ``wait_for_ready`` ends every kernel start by waiting for 0.2 s of silence on
    IOPub, and a batch pays that once per client with both processes idle. Here the kernel is ready
    when it has answered ``kernel_info`` on the shell channel and its ``idle`` status for that
    request has come on IOPub: the subscription is live and nothing of the start is left unread.
    When that status does not come within 50 ms (IOPub subscribed after the kernel published it, or
    a busy machine), the request is sent again, as jupyter_client does, with twice the wait each
    time up to jupyter_client's 0.2 s.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        wait = 0.05  # for the status after the reply; doubled each try, up to jupyter_client's 0.2
        while True:
            msg_id = self.kernel_info()
            reply = await self._next(self.shell_channel, msg_id, "kernel_info_reply", 1.0)
            if reply is not None and await self._next(self.iopub_channel, msg_id, "status", wait):
                self._handle_kernel_info_reply(reply)
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
            wait = min(2 * wait, 0.2)

    @staticmethod
    async def _next(channel, msg_id: str, msg_type: str, within: float) -> dict | None:
        """The first ``msg_type`` message on ``channel`` answering ``msg_id`` (for a status: the
        kernel back to ``idle``) within ``within`` seconds; other messages are read and dropped."""
        until = time.monotonic() + within
        while (left := until - time.monotonic()) > 0:
            try:
                msg = await channel.get_msg(timeout=left)
            except Empty:
                return None
            if msg["msg_type"] == msg_type and msg["parent_header"].get("msg_id") == msg_id:
                if msg_type != "status" or msg["content"].get("execution_state") == "idle":
                    return msg
        return None


class CurrentEnvKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is always this interpreter's ipykernel.

    ``kernel_log``, when set (see :func:`kernel_manager_for`), receives the
    kernel process's stdout and stderr instead of the terminal.
    """

    kernel_log: str | None = None
    client_class = DottedObjectName("kpi_helpers.run.kernel.ReadyKernelClient")
    client_factory = Type(default_value=ReadyKernelClient, klass=AsyncKernelClient)
    # fork the kernel from the warm fork server (:class:`ForkedKernel`) instead of a new Python
    warm: bool = False

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        kw["env"] = kernel_env(kw.get("env"))
        if self.warm:
            return self._launch_warm(kernel_cmd, kw)
        if not self.kernel_log:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        with open(self.kernel_log, "ab") as log:  # the child keeps its own copy of the handle
            return await super()._async_launch_kernel(
                kernel_cmd, **kw | {"stdout": log, "stderr": log}
            )

    async def _async_finish_shutdown(self, waittime=None, pollinterval=0.1, restart=False):
        # jupyter_client looks every 0.1 s whether the kernel has exited after its shutdown request;
        # a kernel that exits at once then still costs a client up to 0.1 s with nothing running.
        await super()._async_finish_shutdown(waittime, min(pollinterval, 0.01), restart)

    def _launch_warm(self, kernel_cmd: list[str], kw: dict) -> None:
        """What the local provisioner's ``launch_kernel`` does, with a forked kernel instead of a
        Popen."""
        prov = self.provisioner
        argv = kernel_cmd[
            kernel_cmd.index("-m") + 2 :
        ]  # after "-m ipykernel_launcher": "-f", the connection file
        prov.process = ForkedKernel(argv, kw.get("cwd"), kw.get("env"), self.kernel_log)
        prov.pid = prov.pgid = prov.process.pid
        prov.cwd = kw.get("cwd", Path.cwd())
        self._reconcile_connection_info(prov.connection_info)

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


def kernel_manager_for(log_path, warm: bool = False) -> type[CurrentEnvKernelManager]:
    """A :class:`CurrentEnvKernelManager` class whose kernels write their output to ``log_path``;
    ``warm``: each
    kernel is forked from this process's warm fork server (on platforms with ``fork``)."""
    warm = (
        warm
        and "forkserver" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )  # a daemonic worker (some Dask setups) may not fork
    return type(
        "LoggedKernelManager",
        (CurrentEnvKernelManager,),
        {"kernel_log": str(log_path), "warm": warm},
    )


def execute_in_place(path: str) -> None:
    """Re-execute a notebook in its own folder with this interpreter and save its outputs.

    ``make notebook-outputs`` uses it to refresh the committed demo outputs that
    nbval compares; cell timing metadata is not recorded, so diffs stay small.
    """
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        kernel_manager_class=CurrentEnvKernelManager,
        record_timing=False,
        timeout=600,
        resources={"metadata": {"path": str(Path(path).resolve().parent)}},
    ).execute()
    nbformat.write(nb, path)


if __name__ == "__main__":
    execute_in_place(sys.argv[1])
