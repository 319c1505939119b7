"""What every background server of the test helpers shares: ``with Server(...) as s`` starts it
and stops it however the block ends."""

from __future__ import annotations

import contextlib
import socketserver
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Self, TypeVar

S = TypeVar("S", bound=socketserver.BaseServer)


class Service:
    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def serving(server: S) -> Iterator[S]:
    """Run a ``socketserver`` server (``http.server``, ``wsgiref``...) in a daemon thread for
    the block; shut it down and close its socket however the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
