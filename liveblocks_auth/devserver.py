"""Start and stop the official Liveblocks dev server (npm package ``liveblocks``).

The dev server speaks the same REST API and WebSocket protocol as the cloud, with the secret
``sk_localdev``. It needs the ``liveblocks`` and ``bun`` npm packages: from a ``node_modules``
where they are installed (``$LIVEBLOCKS_NODE_MODULES``, or found from the working directory, as
``./run setup`` installs them in this checkout), else fetched by ``npx`` at the pinned versions.
``liveblocks-auth dev-server`` runs it for your own app; tests use it through
``liveblocks_auth.testing``.
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
from .config import LOCAL_DEV_SECRET

__all__ = ["DevServer", "DevServerError", "find_node_modules", "free_port", "port_in_use"]

ENV_NODE_MODULES = "LIVEBLOCKS_NODE_MODULES"
DEV_SECRET = LOCAL_DEV_SECRET
#: The npm versions fetched by npx when no node_modules has them: the same as
#: tests/realstack/package.json pins (a test keeps them equal).
LIVEBLOCKS_CLI_VERSION = "1.9.0"
BUN_VERSION = "1.4.5"


class DevServerError(RuntimeError):
    """The dev server could not be found or started; the message says what to do."""


def find_node_modules(start: Path | None = None) -> Path:
    """See :func:`locate_node_modules`; DevServerError when there is none."""
    found = locate_node_modules(start)
    if found is None:
        raise DevServerError(
            "the Liveblocks dev server is not installed: run `./run setup` in the liveblocks-auth "
            "checkout, or `npm install liveblocks bun` and set "
            f"{ENV_NODE_MODULES}=/path/to/node_modules"
        )
    return found


def locate_node_modules(start: Path | None = None) -> Path | None:
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
    return None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something already holds ``host:port`` (a server would fail to bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As servers bind (gunicorn, uvicorn, the dev server): connections of a server that
        # just stopped, waiting out TIME_WAIT, do not make the port busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


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
        use_npx: bool = False,
        data_dir: Path | str | None = None,
    ) -> None:
        """``node_modules``: where ``liveblocks`` and ``bun`` are installed (default: found, see
        :func:`find_node_modules`). ``use_npx``: when none is found, let npx fetch the pinned
        versions instead of failing. ``data_dir``: keep the rooms there across restarts
        (default: throwaway storage)."""
        found = Path(node_modules) if node_modules else locate_node_modules()
        if found is None and not use_npx:
            found = find_node_modules()  # raises, saying how to install
        self.node_modules = found.resolve() if found is not None else None
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else None
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

    @property
    def source(self) -> str:
        """Where the CLI comes from, for messages."""
        if self.node_modules is None:
            return f"npx (liveblocks@{LIVEBLOCKS_CLI_VERSION}, bun@{BUN_VERSION})"
        return str(self.node_modules)

    def command(self) -> list[str]:
        """The argv that starts the dev server (the ``liveblocks`` CLI, or npx fetching it)."""
        options = ["dev", "--no-check", "--host", self.host, "-p", str(self.port)]
        if self.data_dir is None:
            options.append("--no-persist")
        if self.node_modules is not None:
            return [str(self.node_modules / ".bin" / "liveblocks"), *options]
        npx = shutil.which("npx")
        if npx is None:
            raise DevServerError("npx is not on PATH: install Node.js 20 or later with npm")
        packages = [f"liveblocks@{LIVEBLOCKS_CLI_VERSION}", f"bun@{BUN_VERSION}"]
        fetch = [arg for package in packages for arg in ("--package", package)]
        return [npx, "--yes", *fetch, "liveblocks", *options]

    def start(self) -> Self:
        if self._process is not None:
            return self
        if (
            self.node_modules is not None
            and not (self.node_modules / ".bin" / "liveblocks").exists()
        ):
            raise DevServerError(f"no liveblocks CLI in {self.node_modules}: run `./run setup`")
        if shutil.which("node") is None:
            raise DevServerError("node is not on PATH: install Node.js 20 or later")
        argv = self.command()
        self._workdir = tempfile.TemporaryDirectory(prefix="liveblocks-dev-")
        self._log_path = Path(self._workdir.name) / "server.log"
        path = os.environ.get("PATH", "")
        if self.node_modules is not None:  # bun must be on PATH for the liveblocks CLI
            path = f"{self.node_modules / '.bin'}{os.pathsep}{path}"
        env = {**os.environ, "PATH": path, "NO_COLOR": "1"}
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                argv,
                cwd=str(self.data_dir or self._workdir.name),
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
