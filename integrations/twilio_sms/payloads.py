"""Twilio's webhook forms (``application/x-www-form-urlencoded``), typed.

Twilio warns that parameters "change without notice": unknown fields are ignored, and blank
values (``ToCity=``) are kept because they are signed (see :class:`FormParams`).

Inbound SMS (from nyaruka/courier's recorded fixture; SIDs fake)::

    ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b
    &NumMedia=0&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA
    &SmsStatus=received&FromCity=CHICOPEE&Body=Msg&FromCountry=US&To=%2B12028831111&ToZip=
    &NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid
    &From=%2B14133881111&ApiVersion=2010-04-01

MMS adds ``NumMedia=2&MediaUrl0=...&MediaContentType0=image/jpeg&MediaUrl1=...``.

Status callback (to the ``StatusCallback`` URL we give when sending)::

    ErrorCode=21610&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=failed
    &To=%2B12028831111
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from bot.channels.base import BadPayload


class FormParams(dict[str, list[str]]):
    """Form fields with every value, blank ones included, in the shape ``RequestValidator``
    reads (it calls ``getlist`` like Django's QueryDict)."""

    def getlist(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str, default: str = "") -> str:
        values = self.get(name)
        return values[0] if values else default


def parse_form(body: bytes) -> FormParams:
    """The body as form fields; blank values kept. ``BadPayload`` if it is not UTF-8 form data."""
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadPayload(f"not a form body: {exc}") from exc
    return FormParams(fields)


@dataclass(frozen=True, slots=True)
class InboundSms:
    """An SMS or MMS a person sent to our number."""

    message_sid: str
    from_: str
    to: str
    body: str
    media_urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusCallback:
    """Twilio's report on a message we sent: ``MessageStatus`` and maybe ``ErrorCode``."""

    message_sid: str
    status: str
    error_code: str | None = None


def classify(form: FormParams) -> InboundSms | StatusCallback | None:
    """Which webhook this is; ``None`` for a kind we do not handle (answered 200, ignored).

    ``BadPayload`` when there is no ``MessageSid`` (nor its deprecated twin ``SmsSid``).
    """
    sid = form.first("MessageSid") or form.first("SmsSid")
    if not sid:
        raise BadPayload("no MessageSid")
    status = form.first("MessageStatus") or form.first("SmsStatus")
    if status in ("received", "receiving", "") and "From" in form and "Body" in form:
        return InboundSms(
            message_sid=sid,
            from_=form.first("From"),
            to=form.first("To"),
            body=form.first("Body"),
            media_urls=_media(form),
        )
    if form.first("MessageStatus"):
        return StatusCallback(sid, form.first("MessageStatus"), form.first("ErrorCode") or None)
    return None


def _media(form: FormParams) -> tuple[str, ...]:
    """``"<kind>:<MediaUrl>"`` per MMS attachment, the kind from ``MediaContentType<i>``."""
    try:
        count = int(form.first("NumMedia", "0") or 0)
    except ValueError as exc:
        raise BadPayload("NumMedia is not a number") from exc
    found = []
    for i in range(min(count, 10)):  # Twilio allows 10
        url = form.first(f"MediaUrl{i}")
        if url:
            found.append(f"{media_kind(form.first(f'MediaContentType{i}'))}:{url}")
    return tuple(found)


def media_kind(content_type: str) -> str:
    """The engine's media kind for a MIME type: photo, voice, video or file."""
    major = content_type.split("/", 1)[0].strip().lower()
    return {"image": "photo", "audio": "voice", "video": "video"}.get(major, "file")
