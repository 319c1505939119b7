"""Start and stop the official Liveblocks dev server (npm package ``liveblocks``).

The dev server speaks the same REST API and WebSocket protocol as the cloud, with the secret
``sk_localdev``. It needs the ``liveblocks`` and ``bun`` npm packages; point ``node_modules`` at
the folder where they are installed (or set ``LIVEBLOCKS_NODE_MODULES``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

import httpx

from ._service import Service

__all__ = ["DevServer", "DevServerError", "find_node_modules"]

ENV_NODE_MODULES = "LIVEBLOCKS_NODE_MODULES"
DEV_SECRET = "sk_localdev"


class DevServerError(RuntimeError):
    """The dev server could not be found or started; the message says what to do."""


def find_node_modules(start: Path | None = None) -> Path:
    """``$LIVEBLOCKS_NODE_MODULES``, else a ``node_modules`` with the ``liveblocks`` CLI found
    in ``start`` (default: the working directory), its ``tests/realstack`` or a parent of it."""
    env = os.environ.get(ENV_NODE_MODULES)
    candidates = [Path(env)] if env else []
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidates += [folder / "node_modules", folder / "tests" / "realstack" / "node_modules"]
    for candidate in candidates:
        if (candidate / ".bin" / "liveblocks").exists():
            return candidate
    raise DevServerError(
        "the Liveblocks dev server is not installed: run `./run setup` in the liveblocks-auth "
        "checkout, or `npm install liveblocks bun` and set "
        f"{ENV_NODE_MODULES}=/path/to/node_modules"
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class DevServer(Service):
    """The official dev server on a loopback port, with throwaway storage.

    >>> with DevServer() as server:
    ...     client = Liveblocks(server.secret, base_url=server.base_url)
    """

    secret = DEV_SECRET

    def __init__(
        self,
        node_modules: Path | str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.node_modules = (Path(node_modules) if node_modules else find_node_modules()).resolve()
        self.host = host
        self.port = port or free_port(host)
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log(self) -> str:
        """What the dev server printed so far (for failure reports)."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(errors="replace")

    def start(self) -> Self:
        if self._process is not None:
            return self
        binary = self.node_modules / ".bin" / "liveblocks"
        if not binary.exists():
            raise DevServerError(f"no liveblocks CLI at {binary}: run `./run setup`")
        if shutil.which("node") is None:
            raise DevServerError("node is not on PATH: install Node.js 20 or later")
        self._workdir = tempfile.TemporaryDirectory(prefix="liveblocks-dev-")
        self._log_path = Path(self._workdir.name) / "server.log"
        env = {
            **os.environ,
            "PATH": f"{self.node_modules / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "NO_COLOR": "1",
        }
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    str(binary),
                    "dev",
                    "--no-check",
                    "--no-persist",
                    "--host",
                    self.host,
                    "-p",
                    str(self.port),
                ],
                cwd=self._workdir.name,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # so stop() can end bun and its children together
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                log = self.log()
                self.stop()
                raise DevServerError(f"the dev server exited at start:\n{log[-2000:]}")
            try:
                answer = httpx.get(f"{self.base_url}/health", timeout=1.0)
                if answer.status_code == 200 and answer.json().get("status") == "ok":
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.2)
        log = self.log()
        self.stop()
        raise DevServerError(
            f"the dev server gave no healthy /health within {self.startup_timeout:.0f}s:\n"
            f"{log[-2000:]}"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
