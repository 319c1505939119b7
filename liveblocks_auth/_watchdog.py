"""Ends blocking reads at a call's deadline.

A socket timeout bounds each ``recv``, not a whole answer: an upstream that sends one byte
before every timeout (or an endless run of ``100 Continue``) holds a blocking call forever. So
a sync call arms an :class:`Alarm` for its deadline, its connection attaches the socket it
uses, and one watchdog thread per process shuts that socket down once the deadline has passed
(within :data:`TICK`): the blocked read returns at once and the library raises, closing the
connection.

Arming and disarming are a set insertion and removal; the thread ticks only while calls are in
flight, and sleeps otherwise.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

__all__ = ["TICK", "Alarm", "arm"]

#: How often the watchdog looks for calls past their deadline while any is in flight.
TICK = 0.05


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
        _WATCHDOG.discard(self)
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
        self._lock = threading.Lock()
        self._armed: set[Alarm] = set()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float) -> Alarm:
        alarm = Alarm(deadline)
        with self._lock:
            self._armed.add(alarm)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="liveblocks-auth-watchdog", daemon=True
                )
                self._thread.start()
            if not self._wake.is_set():  # asleep: nothing was in flight
                self._wake.set()
        return alarm

    def discard(self, alarm: Alarm) -> None:
        with self._lock:
            self._armed.discard(alarm)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:
                due = [alarm for alarm in self._armed if alarm.deadline <= now]
                self._armed.difference_update(due)
                if not self._armed:
                    self._wake.clear()  # under the lock: an arm() after this sets it again
            for alarm in due:
                alarm.fire()

    def after_fork(self) -> None:
        # The thread does not exist in a child process: start afresh there.
        self.__init__()  # type: ignore[misc]


_WATCHDOG = _Watchdog()
os.register_at_fork(after_in_child=_WATCHDOG.after_fork)


def arm(deadline: float) -> Alarm:
    """An alarm that shuts the attached socket down once ``deadline`` (``time.monotonic()``)
    has passed."""
    return _WATCHDOG.arm(deadline)
