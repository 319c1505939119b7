"""Ends blocking reads at a call's deadline.

A socket timeout bounds each ``recv``, not a whole answer: an upstream that sends one byte
before every timeout (or an endless run of ``100 Continue``) holds a blocking call forever. So
a sync call arms an :class:`Alarm` for its deadline, its connection attaches the socket it
uses, and one watchdog thread per process shuts that socket down when the deadline passes: the
blocked read returns at once and the library raises, closing the connection.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time

__all__ = ["Alarm", "arm"]


class Alarm:
    """A deadline for one call; ``attach`` the socket it waits on, ``disarm`` when done."""

    __slots__ = ("_lock", "deadline", "fired", "sock")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.sock: socket.socket | None = None
        self.fired = False
        self._lock = threading.Lock()

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self.sock = sock
            if self.fired:
                _shut(sock)

    def disarm(self) -> None:
        with self._lock:
            self.sock = None

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            _shut(self.sock)


def _shut(sock: socket.socket | None) -> None:
    if sock is None:
        return
    # The plain socket's shutdown, even for a TLS socket: ssl.SSLSocket.shutdown would also
    # drop its SSL object under the thread that is reading with it. OSError: already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Alarm]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float) -> Alarm:
        alarm = Alarm(deadline)
        with self._cond:
            heapq.heappush(self._heap, (deadline, next(self._order), alarm))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="liveblocks-auth-watchdog", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is alarm:
                self._cond.notify()  # sooner than what the thread waits for
        return alarm

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                # A finished call's alarm stays until its deadline and then fires on nothing:
                # cheaper than removing it from the heap when the call ends.
                while self._heap and self._heap[0][0] <= now:
                    heapq.heappop(self._heap)[2].fire()
                self._cond.wait(self._heap[0][0] - now if self._heap else None)

    def after_fork(self) -> None:
        # The thread does not exist in a child process: start afresh there.
        self._cond = threading.Condition()
        self._heap, self._thread = [], None


_WATCHDOG = _Watchdog()
os.register_at_fork(after_in_child=_WATCHDOG.after_fork)


def arm(deadline: float) -> Alarm:
    """An alarm that shuts the attached socket down at ``deadline`` (``time.monotonic()``)."""
    return _WATCHDOG.arm(deadline)
