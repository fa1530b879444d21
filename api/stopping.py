"""Ending the live event streams as soon as the process is asked to stop.

A server stopping gracefully (uvicorn, on SIGTERM or SIGINT) stops accepting connections,
waits for the responses in flight to finish, and only then shuts the application down. A
till's event stream never finishes by itself: the process would wait for as long as a
till stays open, until systemd killed it. So on the signal the application ends its
streams at once, cleanly; each page reconnects to a process still running and resumes
from its last event id, missing nothing (see :mod:`monnaie_locale.checkout.stream`).

The server keeps its own handler: this one runs it after scheduling the end of the
streams. It is added only where a handler is already set (the server's, in the main
thread), for the application's lifetime; tests and other embeddings are left alone.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["STOP_SIGNALS", "ending_streams_on_stop"]

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def ending_streams_on_stop(end_streams: Callable[[], None]) -> Iterator[None]:
    """While inside, a stop signal runs ``end_streams`` (in a thread: it may wait), then
    the handler the signal had."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    handled = {sig: handler for sig, handler in previous.items() if callable(handler)}

    def on_stop(sig: int, frame: FrameType | None) -> None:
        # A handler may interrupt code holding a lock: hand the work to the loop, at once.
        loop.call_soon_threadsafe(loop.run_in_executor, None, end_streams)
        handled[signal.Signals(sig)](sig, frame)

    for sig in handled:
        signal.signal(sig, on_stop)
    try:
        yield
    finally:
        for sig, handler in handled.items():
            signal.signal(sig, handler)
