"""Secrets never reach logs: every log record is scrubbed of known secret values.

Adapters are written not to log tokens, but a token also hides in places nobody formats on
purpose: the Telegram API URL (``/bot<token>/sendMessage``) inside an HTTP library's exception
text, a traceback, a database URL with its password. :func:`protect` installs, once per
process, a log-record factory that replaces every registered value with ``***`` in the message
and in the formatted traceback. Records without a secret pass untouched (their ``args`` are
kept, as uvicorn's access log needs them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.config import Settings

MIN_LENGTH = 6  # shorter values would scrub ordinary words; real secrets are longer
_SECRETS: set[str] = set()
_installed = False


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret in ``settings``: SecretStr fields of the channel sections, URL passwords."""
    found: list[str] = []
    for name in ("telegram", "zalo", "zalo_bot", "twilio", "android_sms"):
        for _, value in getattr(settings, name):
            if isinstance(value, SecretStr):
                found.append(value.get_secret_value())
    for url in (settings.database_url, settings.redis_url):
        if url:
            try:
                password = make_url(url).password
            except Exception:  # an unparsable URL simply has no password to hide
                password = None
            if password:
                found.append(str(password))
    return found


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***`` (longest first)."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return text


def protect(secrets: Iterable[str]) -> None:
    """Register secret values and make sure the scrubbing factory is installed."""
    global _installed  # one factory per process, installed once
    _SECRETS.update(s for s in secrets if len(s) >= MIN_LENGTH)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        return _scrub(record) if _SECRETS else record

    logging.setLogRecordFactory(factory)
    _installed = True


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it later
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record
