"""What every background server of the test helpers shares: ``with Server(...) as s`` starts it
and stops it however the block ends."""

from __future__ import annotations

from types import TracebackType
from typing import Self


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
