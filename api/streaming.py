"""Streaming a core export as a response body, in constant memory.

The core's exports write to a file as they read the ledger (see
:mod:`monnaie_locale.exports`). Here such an export runs in a thread of its own, on a
snapshot connection, and writes into a small bounded queue of chunks that the response
reads from: when the client reads slowly the export waits, so memory holds a few chunks
whatever the size of the books. If the client goes away the export stops at its next
write, and its connection is closed.

Refusals (an unknown account, a bad date) must be checked before the response starts:
once the first bytes are sent the status is 200, and a failure can only cut the body
short, which the client sees as an incomplete transfer.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, BinaryIO, TextIO

from sqlalchemy import Connection

from monnaie_locale.store.database import Database

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["CHUNK_BYTES", "stream_binary", "stream_from_snapshot", "stream_text"]

CHUNK_BYTES = 64 * 1024
# Chunks waiting between the export and the client: at most this many times CHUNK_BYTES.
_DEPTH = 4
_POLL_SECONDS = 0.5
_END = object()


class _Cancelled(Exception):
    """The client went away; the export stops at its next write."""


class _QueueSink(io.RawIOBase):
    """A write-only stream that hands each write to the response, waiting for room."""

    def __init__(self, chunks: queue.Queue[object], cancelled: threading.Event) -> None:
        super().__init__()
        self._chunks = chunks
        self._cancelled = cancelled

    def writable(self) -> bool:
        return True

    def write(self, b: ReadableBuffer, /) -> int:
        chunk = bytes(b)
        while True:
            if self._cancelled.is_set():
                raise _Cancelled()
            try:
                self._chunks.put(chunk, timeout=_POLL_SECONDS)
                return len(chunk)
            except queue.Full:
                continue


def _stream(produce_into: Callable[[BinaryIO], object]) -> Generator[bytes, None, None]:
    chunks: queue.Queue[object] = queue.Queue(maxsize=_DEPTH)
    cancelled = threading.Event()

    def produce() -> None:
        try:
            # Buffered, so the response gets chunks of CHUNK_BYTES, not one per line.
            with io.BufferedWriter(_QueueSink(chunks, cancelled), buffer_size=CHUNK_BYTES) as out:
                produce_into(out)
        except _Cancelled:
            return
        except Exception as exc:  # raised by the response, which cuts the body short
            outcome: object = exc
        else:
            outcome = _END
        while not cancelled.is_set():
            try:
                chunks.put(outcome, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    producer = threading.Thread(target=produce, name="export", daemon=True)
    producer.start()
    try:
        while True:
            try:
                item = chunks.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if producer.is_alive() or not chunks.empty():
                    continue
                # Only a BaseException (not caught above) ends the thread without a word.
                raise RuntimeError("the export stopped before its end") from None
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        cancelled.set()
        # Make room, so a producer waiting to put sees the cancellation at once.
        while True:
            try:
                chunks.get_nowait()
            except queue.Empty:
                break


def stream_binary(produce: Callable[[BinaryIO], object]) -> Generator[bytes, None, None]:
    """The bytes ``produce`` writes (an act reading its snapshot), chunk by chunk."""
    return _stream(produce)


def stream_text(
    produce: Callable[[TextIO], object], *, encoding: str
) -> Generator[bytes, None, None]:
    """The text ``produce`` writes, encoded, chunk by chunk."""

    def encoded(out: BinaryIO) -> None:
        # newline="": the export's line ends go out as written.
        text = io.TextIOWrapper(out, encoding=encoding, newline="")
        produce(text)
        text.flush()
        text.detach()  # leave closing the binary stream to its owner

    return _stream(encoded)


def stream_from_snapshot(
    database: Database, export: Callable[[Connection, TextIO], object], *, encoding: str
) -> Generator[bytes, None, None]:
    """The text ``export`` writes from one snapshot of the books, encoded, chunk by chunk."""

    def produce(out: TextIO) -> None:
        with database.reading() as conn:
            export(conn, out)

    return stream_text(produce, encoding=encoding)
