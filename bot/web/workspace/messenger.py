"""Telling a resident something from the workspace (a status change, an officer's reply).

The workspace depends only on :class:`ResidentMessenger`. In the running bot it is
:class:`ContactsOutMessenger` over the backbone's ``ContactSender`` (``App.contacts_out``):
the message is recorded inside the caller's transaction and sent after commit on the
resident's own channel (SMS rendering and segment budget included). Tests use
:class:`RecordingMessenger`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.messages import Reply
from bot.store.repo import Tx


class MessengerUnavailable(RuntimeError):
    """No way to reach residents is wired in this process: nothing was recorded or sent."""


class ResidentMessenger(Protocol):
    async def tell(self, tx: Tx, contact_id: int, text: str, kind: str) -> None:
        """Record ``text`` for the resident inside ``tx``; it goes out after commit.

        ``kind`` says why (``officer_reply``, ``status``: the outbound message kinds). Raises
        :class:`MessengerUnavailable` when residents cannot be reached from here.
        """


class ContactsOutMessenger:
    """The real one: ``ContactSender.send(tx, contact_id, replies, kind=..., lane="reply")``."""

    def __init__(self, sender: Any) -> None:
        self._sender = sender

    async def tell(self, tx: Tx, contact_id: int, text: str, kind: str) -> None:
        await self._sender.send(tx, contact_id, [Reply(text)], kind=kind, lane="reply")


class UnwiredMessenger:
    """Used while the bot has no ``contacts_out``: refuses, so nothing claims a send."""

    async def tell(self, tx: Tx, contact_id: int, text: str, kind: str) -> None:
        raise MessengerUnavailable("no ContactSender in this bot (App.contacts_out)")


@dataclass
class RecordingMessenger:
    """A fake that records what would be told, for tests and the browser test."""

    told: list[tuple[int, str, str]] = field(default_factory=list)

    async def tell(self, tx: Tx, contact_id: int, text: str, kind: str) -> None:
        self.told.append((contact_id, text, kind))


def messenger_for(bot: Any) -> ResidentMessenger:
    """The messenger for a built bot: its ``contacts_out`` if it has one."""
    sender = getattr(bot, "contacts_out", None)
    return UnwiredMessenger() if sender is None else ContactsOutMessenger(sender)
