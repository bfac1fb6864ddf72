"""Secrets and phone numbers never reach logs: every log record is scrubbed of both.

Adapters are written not to log tokens, but a token also hides in places nobody formats on
purpose: the Telegram API URL (``/bot<token>/sendMessage``) inside an HTTP library's exception
text, a traceback, a database URL with its password. :func:`protect` installs, once per
process, a log-record factory that replaces every registered value with ``***`` in the message
and in the formatted traceback. Records without a secret pass untouched (their ``args`` are
kept, as uvicorn's access log needs them).

Phone numbers are masked the same way, wherever they hide (a URN, a URL, an exception text):
:func:`mask_phones` keeps the first and last digits (``tel:+8491****678``), enough to tell two
numbers apart while reading a log, too little to call anyone. Session and lock keys carry no
address at all (:mod:`bot.sessions.keys`). The structured log pipeline (:mod:`bot.logs`) runs
:func:`clean` over every field of a line as well, so fields added outside a log record's
message are scrubbed too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.config import Settings

MIN_LENGTH = 6  # shorter values would scrub ordinary words; real secrets are longer
_SECRETS: set[str] = set()
_installed = False
# 9 to 15 digits (E.164 and national forms), maybe after "+" and split by single spaces, dots or
# dashes ("0912 345 678"), wherever they stand (glued to letters too: a masked digit run inside
# an id costs nothing, a number left whole would). Dates, times and small numbers are shorter.
_PHONE = re.compile(r"(?<!\d)(\+?)(\d(?:[ .-]?\d){8,14})(?!\d)")


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


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(2))
    head = 4 if len(digits) >= 11 else 3
    tail = 3 if len(digits) >= 10 else 2
    return f"{match.group(1)}{digits[:head]}****{digits[-tail:]}"


def mask_phones(text: str) -> str:
    """``text`` with every phone-number-like run of digits masked: ``+84912345678`` ->
    ``+8491****678``, ``0912 345 678`` -> ``091****678``. Masking twice changes nothing."""
    return _PHONE.sub(_mask, text) if any(c.isdigit() for c in text) else text


def clean(text: str) -> str:
    """``text`` without registered secrets and with phone numbers masked."""
    return mask_phones(redact(text))


def protect(secrets: Iterable[str]) -> None:
    """Register secret values and make sure the scrubbing factory is installed (phone
    numbers are masked from then on, with or without secrets)."""
    global _installed  # one factory per process, installed once
    _SECRETS.update(s for s in secrets if len(s) >= MIN_LENGTH)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        return _scrub(record)

    logging.setLogRecordFactory(factory)
    _installed = True


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it later
        return record
    scrubbed = clean(message)
    if scrubbed != message:
        record.msg, record.args = scrubbed, None
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = clean(text)
    if record.stack_info:
        record.stack_info = clean(record.stack_info)
    return record
