"""Inbound and outbound messages in the channel-neutral shape.

Channel adapters turn provider payloads into :class:`Inbound` and render :class:`Outbound`;
nothing provider-specific crosses into ``bot/``. Three notions, one name each:

- **adapter**: what carries a message (``telegram``, ``zalo``, ``zalo_bot``, ``twilio_sms``,
  ``android_sms``, ``sim``) — the registry key and the ``/webhooks/<adapter>`` segment;
- **rendering**: how a message looks (``telegram``: buttons; ``zalo``: template buttons, at
  most 5; ``sms``: numbered options and a segment budget). Each adapter renders one way; the
  simulator renders as asked;
- **address**: a URN whose **scheme** says what kind of address it is: ``telegram:123``,
  ``zalo:456``, ``zalobot:789``, ``tel:+84912345678``, ``sim:alice``. A ``tel:`` address can be
  reached by either SMS adapter (settings decide; see ``bot.outbound.routes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Rendering = Literal["telegram", "zalo", "sms"]
RENDERINGS: tuple[Rendering, ...] = ("telegram", "zalo", "sms")


@dataclass(frozen=True, slots=True)
class Location:
    """A shared map pin (WGS84 degrees)."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a resident, officer or village head, already authenticated.

    ``external_id`` is the provider's id for the delivery (used for dedupe); ``button`` is the
    payload of a pressed button; ``media`` holds provider references (file ids, URLs), never bytes.
    ``contact_phone`` is a phone number the sender shared as their own (links identities);
    ``event`` marks a non-message event: STOP/START keywords, Zalo follow/unfollow, a blocked bot.
    """

    adapter: str
    address: str
    external_id: str
    text: str = ""
    button: str | None = None
    location: Location | None = None
    media: tuple[str, ...] = ()
    contact_phone: str | None = None
    contact_name: str | None = None
    event: str | None = None  # "stop" | "start" | "follow" | "unfollow" | "new_conversation"
    received_at: datetime | None = None
    rendering: str | None = None  # how replies look; the runtime sets the adapter's own


@dataclass(frozen=True, slots=True)
class Button:
    """A choice shown to the user; ``payload`` is short ASCII (Telegram limits it to 64 bytes)."""

    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message the engine wants to say, before channel rendering.

    ``request`` asks the channel for a special input where it can (Telegram reply keyboard for
    location / contact); other channels ignore it and the text says what to do instead.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    request: Literal["location", "contact", "photo"] | None = None


@dataclass(frozen=True, slots=True)
class Outbound:
    """A rendered message ready for one adapter's send call."""

    adapter: str
    address: str
    text: str
    buttons: tuple[Button, ...] = ()
    request: str | None = None
    meta: dict[str, object] = field(default_factory=dict)
