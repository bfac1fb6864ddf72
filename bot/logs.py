"""How every process logs: stdlib ``logging`` calls, rendered by structlog.

The code logs with ``logging.getLogger(__name__)`` as before; this module makes each line
either one JSON object (production: ``BANBOT_LOG_FORMAT=json``, the default when
``BANBOT_ENV=production``) or a readable console line (development). Both carry:

- ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``, ``event`` (the message);
- the context bound for the work in hand: ``request_id`` (an HTTP request, see
  :mod:`bot.web.context`), ``conversation`` (one address's conversation, see
  :func:`bot.sessions.keys.conversation_id`), ``job`` (a queue item);
- anything passed as ``extra={...}``.

No personal data: every record is scrubbed at creation (:mod:`bot.logsafe`: secrets, phone
numbers), and :func:`_scrub` runs again over every field of the rendered line, the formatted
traceback included, so context and extras are covered too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

from bot.config import Settings
from bot.logsafe import clean, protect

LogFormat = Literal["console", "json"]


def log_format(settings: Settings) -> LogFormat:
    """The configured format; unset means JSON in production, the console elsewhere."""
    if settings.log_format is not None:
        return settings.log_format
    return "json" if settings.env == "production" else "console"


def _scrub(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    event.pop("color_message", None)  # uvicorn's ANSI copy of the message
    for name, value in event.items():
        if isinstance(value, str):
            event[name] = clean(value)
    return event


def formatter(fmt: LogFormat) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the one root handler (also used by tests to render a record)."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,  # a string, so _scrub reaches it
            _scrub,
            renderer,
        ],
    )


_SHARED: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler this module installs; without a stream it writes to whatever
    ``sys.stderr`` is when a line is written (a CLI test runner swaps it, then closes it)."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream)
        self._fixed = stream

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = self._fixed or sys.stderr  # handle() holds the lock
        super().emit(record)


def configure(fmt: LogFormat, *, level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Send every log line of this process (uvicorn's too) through one handler on the root
    logger, rendered as ``fmt``. Safe to call again (this module's handler is replaced;
    others, such as a test's capture, are left alone)."""
    protect([])  # phone masking from the first line on; secrets are added by build_app
    handler = _Handler(stream)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, _Handler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
