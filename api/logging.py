"""Structured logs: one JSON object per line, each carrying the request id.

:func:`configure_logging` runs once, when the application is made: it puts a JSON
handler (with :class:`~api.request_id.RequestIdFilter`) on the root logger, so the
service's records, the server's and the libraries' all come out in the same shape.
Running it again changes only the level. Every answered request is logged by
:func:`log_request` on the ``api.access`` logger, at INFO (from :mod:`api.envelope`).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from api.request_id import RequestIdFilter

__all__ = ["JsonFormatter", "access_log", "configure_logging", "log_request"]

_MARK = "mlc_json_handler"
access_log = logging.getLogger("api.access")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, request id, extras."""

    _STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """Send every log record to standard error as JSON with its request id (once)."""
    root = logging.getLogger()
    root.setLevel(level)
    if any(getattr(handler, _MARK, False) for handler in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    setattr(handler, _MARK, True)
    root.addHandler(handler)


def log_request(method: str, path: str, status: int, seconds: float) -> None:
    """The access log's record of one answered request (:mod:`api.envelope` calls it)."""
    access_log.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        },
    )
