"""A wall-clock limit on a block of Python code, on every platform CPython runs on.

Filling a template runs code its author wrote: loops over the dossier's lists that the
sandbox cannot count. A watchdog thread raises `TimeLimitExceeded` inside the working
thread once the time is up (CPython checks for such asynchronous exceptions between
bytecodes), so no loop runs for minutes. Signals would do on Linux only, and only in
the main thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimitExceeded(BaseException):
    """The block ran longer than allowed. A BaseException, like KeyboardInterrupt, so the
    `except Exception` of the code interrupted cannot swallow it."""


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    # Imported only when a limit is reached: every paper runs under one, few reach it.
    import ctypes

    # Passing NULL (None) clears an exception set earlier but not raised yet.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded in the calling thread if the block runs over `seconds`."""
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "fired": False}
    stop = threading.Event()

    def watch() -> None:
        if stop.wait(seconds):
            return
        with lock:
            if state["active"]:
                state["fired"] = True
                _raise_in(target, TimeLimitExceeded)

    watchdog = threading.Thread(target=watch, name="hoso-time-limit", daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        with lock:
            state["active"] = False
        stop.set()
        if state["fired"]:
            _raise_in(target, None)  # if not raised yet, never raise it after the block
        watchdog.join()
