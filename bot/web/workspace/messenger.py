"""Telling a resident something from the workspace (a status change, an officer's reply).

The workspace depends only on :class:`ResidentMessenger`. In the running bot it is
:class:`ContactsOutMessenger` over the backbone's ``ContactSender`` (``bot.channels.contacts_out``):
the message is recorded inside the caller's transaction and sent after commit on the
resident's own channel (SMS rendering and segment budget included). Tests use
:class:`RecordingMessenger`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.domain.messages import Reply
from bot.outbound.contact import ContactSender
from bot.store.repo import Tx

if TYPE_CHECKING:
    from bot.app import App


class MessengerUnavailable(RuntimeError):
    """No way to reach residents is wired in this process: nothing was recorded or sent."""


@dataclass(frozen=True, slots=True)
class Told:
    """Whether the message was recorded for sending (after commit), and if not, why (the
    router's reason code: the contact has no reachable address now)."""

    sent: bool
    reason: str | None = None


class ResidentMessenger(Protocol):
    async def tell(self, tx: Tx, contact_id: int, text: str, kind: str) -> Told:
        """Record ``text`` for the resident inside ``tx``; it goes out after commit.

        ``kind`` says why (``officer_reply``, ``status``: the outbound message kinds). Raises
        :class:`MessengerUnavailable` when residents cannot be reached from here at all.
        """


class ContactsOutMessenger:
    """The real one: ``ContactSender.send(tx, contact_id, replies, kind=..., lane="reply")``
    renders for the resident's own channel (SMS segment budget included) and records it."""

    def __init__(self, sender: ContactSender) -> None:
        self._sender = sender

    async def tell(self, tx: Tx, contact_id: int, text: str, kind: str) -> Told:
        plan = await self._sender.send(tx, contact_id, [Reply(text)], kind=kind, lane="reply")
        return Told(plan.sent, plan.reason)


class UnwiredMessenger:
    """Used while the bot has no ``contacts_out``: refuses, so nothing claims a send."""

    async def tell(self, tx: Tx, contact_id: int, text: str, kind: str) -> Told:
        raise MessengerUnavailable("no ContactSender in this bot (channels not built)")


@dataclass
class RecordingMessenger:
    """A fake that records what would be told, for tests and the browser test."""

    told: list[tuple[int, str, str]] = field(default_factory=list)
    unreachable: set[int] = field(default_factory=set)  # contacts with no way to reach them

    async def tell(self, tx: Tx, contact_id: int, text: str, kind: str) -> Told:
        if contact_id in self.unreachable:
            return Told(False, "no_route")
        self.told.append((contact_id, text, kind))
        return Told(True)


def messenger_for(bot: App) -> ResidentMessenger:
    """The messenger for a built bot: its channels' ``ContactSender`` (the backbone's)."""
    if bot.channels is None:
        return UnwiredMessenger()
    return ContactsOutMessenger(bot.channels.contacts_out)
