"""The benchmark's upstream when Debian's nginx is at hand: one worker process on loopback
answering every POST with a fixed token, far cheaper per request than any Python server, and
counting accepted TCP connections with ``stub_status`` (to prove keep-alive).

``find_nginx(fetch=True)`` uses an installed nginx, else extracts Debian's package into
``benchmarks/.cache`` with ``apt-get download`` (no root, no service started); ``None`` when
neither works, and the benchmark falls back to the asyncio upstream.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

import httpx

from liveblocks_auth._service import Service
from liveblocks_auth.testing.devserver import free_port
from liveblocks_auth.testing.fast_upstream import TOKEN_BODY

CACHE = Path(__file__).resolve().parent / ".cache"

CONFIG = """
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port}{ssl};
        {certificate}
        location / {{
            default_type application/json;
            return 200 '{token}';
        }}
    }}
    server {{
        listen 127.0.0.1:{status_port};
        location / {{ stub_status; }}
    }}
}}
"""


def find_nginx(fetch: bool) -> str | None:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx", CACHE / "usr/sbin/nginx"):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    if not fetch or not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        return None
    print("[bench] fetching Debian's nginx (apt-get download, extracted locally)", flush=True)
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        got = subprocess.run(
            ["apt-get", "download", "-qq", "nginx"], cwd=tmp, capture_output=True, check=False
        )
        packages = list(Path(tmp).glob("nginx_*.deb"))
        if got.returncode or not packages:
            return None
        subprocess.run(["dpkg-deb", "-x", str(packages[0]), str(CACHE)], check=True)
    binary = CACHE / "usr/sbin/nginx"
    return str(binary) if binary.is_file() else None


class NginxUpstream(Service):
    """``with NginxUpstream(binary) as upstream``: ``base_url``, ``connections``, ``requests``
    (totals since start, read from ``stub_status``, not counting its own queries)."""

    def __init__(self, binary: str, tls: tuple[Path, Path] | None = None) -> None:
        self.binary, self.tls = binary, tls
        self.port, self._status_port = free_port(), free_port()
        self._queries = 0
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-nginx-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def _status(self) -> tuple[int, int]:
        self._queries += 1  # this query is one more accepted connection and request
        text = httpx.get(f"http://127.0.0.1:{self._status_port}/").text
        accepts, _, requests = (int(n) for n in re.search(r"\n\s*(\d+) (\d+) (\d+)", text).groups())  # type: ignore[union-attr]
        return accepts - self._queries, requests - self._queries

    @property
    def connections(self) -> int:
        return self._status()[0]

    @property
    def requests(self) -> int:
        return self._status()[1]

    def start(self) -> Self:
        tmp = Path(self._tmp.name)
        certificate = ""
        if self.tls:
            cert, key = self.tls
            certificate = f"ssl_certificate {cert}; ssl_certificate_key {key};"
        config = tmp / "nginx.conf"
        config.write_text(
            CONFIG.format(
                tmp=tmp,
                port=self.port,
                ssl=" ssl" if self.tls else "",
                certificate=certificate,
                token=TOKEN_BODY.decode(),
                status_port=self._status_port,
            )
        )
        self._process = subprocess.Popen(
            [self.binary, "-p", str(tmp), "-c", str(config), "-e", str(tmp / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self._status()
                return self
            except httpx.TransportError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    error = (self._process.stderr.read() if self._process.stderr else b"").decode()
                    self.stop()
                    raise RuntimeError(f"nginx did not start: {error.strip()}") from None
                self._queries -= 1
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.send_signal(signal.SIGQUIT)
                try:
                    self._process.wait(10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        self._tmp.cleanup()
