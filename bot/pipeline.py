"""The path of one inbound message: dedupe, lock, load, understand, engine, commit, reply.

Invariants (see docs/architecture.md):

- a provider delivery id is processed once (dedupe before anything else);
- the per-conversation lock is taken *before* the session is loaded (no lost updates);
- actions run inside one SQL transaction; replies are returned only after it commits, so a
  reference code is never shown for a report that was not saved;
- if anything fails, the previous session is kept and the resident gets a short apology:
  nothing they answered so far is lost;
- while the conversation state (Redis) is down, a message is answered with a short apology
  (``StateUnavailable``) and nothing of it runs; what was committed before stays;
- a turn that writes nothing (a greeting, the menu) takes no SQL write transaction.

Channel events (``Inbound.event``): "stop" / "unfollow" (SMS STOP, a blocked Telegram bot, a
Zalo unfollow) mark the contact stopped and turn every subscription off; a confirmation is
sent only when the resident typed the keyword (a blocked bot cannot be written to).
"start" / "follow" / "new_conversation" un-stop and show the menu through the engine. Any
other message from a stopped contact un-stops it too (they chose to write). A shared phone
number (``Inbound.contact_phone``) links identities: see ``ContactRepo.link_phone``.

A turn whose action erased the person's data (``privacy.erase``, result ``erased``) logs
nothing and saves no session: the sessions of all their addresses are deleted after the
commit, so their next message starts afresh (a new contact, the first-contact notice).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from structlog.contextvars import bound_contextvars

from bot import metrics
from bot.actions import ActionExecutor
from bot.channels.phones import phone_urn
from bot.config import Settings
from bot.domain.messages import Inbound, Reply
from bot.engine.engine import Engine
from bot.engine.types import ContactInfo, Input, Turn
from bot.flood import FloodGate, TooManyReports
from bot.i18n import system_text
from bot.outage import is_outage
from bot.ports import Nlu, StateUnavailable, StoreUnavailable
from bot.sessions.factory import ConversationState
from bot.sessions.keys import conversation_id, dedupe_key, lock_key, scheme_of, session_key
from bot.store.contacts import seen_recently
from bot.store.records import ContactRecord
from bot.store.repo import Store, Tx
from bot.store.work import Work
from bot.textnorm import clean_text

log = logging.getLogger(__name__)

MAX_ACTIONS_PER_TURN = 8
STOP_EVENTS = frozenset({"stop", "unfollow"})
START_EVENTS = frozenset({"start", "follow", "new_conversation"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What handling one inbound produced. ``duplicate`` deliveries produce no replies."""

    replies: list[Reply]
    duplicate: bool = False
    contact_id: int | None = None
    language: str = "vi"
    elapsed_ms: float = 0.0
    work: tuple[Work, ...] = ()  # what the turn left for after its commit (queued by then)


class Pipeline:
    """Handles inbound messages for every channel; channel adapters render the replies."""

    def __init__(
        self,
        *,
        engine: Engine,
        nlu: Nlu,
        state: ConversationState,
        store: Store,
        executor: ActionExecutor,
        settings: Settings,
    ) -> None:
        self._engine = engine
        self._nlu = nlu
        self._state = state
        self._store = store
        self._executor = executor
        self._settings = settings
        self._gate: FloodGate | None = None

    def use_gate(self, gate: FloodGate) -> None:
        """Per-sender rate limits (bot/flood.py), built with the channels after the pipeline."""
        self._gate = gate

    async def handle(self, msg: Inbound, *, now: datetime | None = None) -> Outcome:
        """Process one inbound message and return the replies to send (after commit). Its
        log lines carry the conversation's id (never its address: docs/decisions/0016)."""
        with bound_contextvars(conversation=conversation_id(msg.address)):
            started = time.perf_counter()
            metrics.inbound(msg.adapter)
            outcome = await self._handle(msg, now, started)
            metrics.handled(msg.adapter, time.perf_counter() - started)
            return outcome

    async def _handle(self, msg: Inbound, now: datetime | None, started: float) -> Outcome:
        dkey = dedupe_key(msg.adapter, msg.address, msg.external_id)
        key = session_key(scheme_of(msg.address), msg.address)
        language = self._settings.default_language
        try:
            if not await self._state.deduper.first_time(dkey, self._settings.dedupe_ttl_seconds):
                log.info("duplicate delivery dropped: %s %s", msg.adapter, msg.external_id)
                metrics.duplicate(msg.adapter)
                return Outcome([], duplicate=True)
            if self._gate is not None and (verdict := await self._gate.admit(msg)) != "pass":
                # Over the sender's rate: not handled; one "please wait" per minute at most.
                say = verdict == "tell"
                return Outcome([Reply(system_text("flood", language))] if say else [])
            try:
                return await self._locked(key, msg, now, started)
            except Exception as exc:
                if isinstance(exc, StateUnavailable | TimeoutError) or not is_outage(exc):
                    raise
                # The database is down: nothing of this turn was kept. The mark is taken back
                # so the message is answered when it comes again (from the inbound spool).
                await self._state.deduper.forget(dkey)
                raise StoreUnavailable("database unreachable") from exc
        except TimeoutError:
            # Another message of this conversation holds the lock far too long; say so
            # rather than queue without bound. The resident's next message is processed.
            log.warning("lock timeout")  # the line's context says which conversation
            return Outcome([Reply(system_text("busy", language))])
        except StateUnavailable:
            # Redis is down before the turn ran (dedupe, lock or load): nothing of this message
            # ran; everything committed earlier is kept. The resident writes again later.
            log.warning("conversation state unavailable; %s message answered with an apology",
                        msg.adapter)  # fmt: skip
            return Outcome([Reply(system_text("unavailable", language))])

    async def accepting(self) -> bool:
        """True if the conversation state answers now (a webhook whose provider redelivers
        asks before it accepts; see :class:`bot.channels.runtime.ChannelRuntime`)."""
        return await self._state.available()

    async def _locked(
        self, key: str, msg: Inbound, now: datetime | None, started: float
    ) -> Outcome:
        # The lock has its own key: a Redis lock stores its token under the name it is given.
        async with self._state.locker.lock(lock_key(scheme_of(msg.address), msg.address)):
            session = await self._state.sessions.load(key)
            contact: ContactInfo | None = None
            if msg.event or msg.contact_phone:
                # Effects on the contact commit on their own, whatever the turn does next.
                contact, linked = await self._contact(msg)
                if msg.event in STOP_EVENTS or (linked and not _has_content(msg)):
                    text = "stopped" if msg.event in STOP_EVENTS else "phone_linked"
                    # A typed STOP can be answered; a blocked bot or an unfollow cannot.
                    say = msg.event not in STOP_EVENTS or bool(msg.text.strip())
                    replies = [Reply(system_text(text, contact.language))] if say else []
                    return Outcome(replies, contact_id=contact.id, language=contact.language)
            try:
                turn, replies, contact, work, erased = await self._run(session, msg, contact, now)
            except StateUnavailable:
                raise
            except TooManyReports:
                # Rolled back: nothing filed, the old session (every earlier answer) kept.
                language = contact.language if contact else self._settings.default_language
                return Outcome([Reply(system_text("report_cap", language))], language=language)
            except Exception as exc:
                if is_outage(exc):
                    raise  # the database is down: kept for later (see _handle), no apology
                # The old session stays as it was, so every earlier answer is kept.
                log.exception("turn failed; session kept")
                language = contact.language if contact else self._settings.default_language
                return Outcome(
                    [Reply(system_text("error", language))],
                    contact_id=contact.id if contact else None,
                    language=language,
                )
            try:
                if erased is None:
                    ttl = self._settings.session_ttl_seconds
                    await self._state.sessions.save(key, turn.session, ttl)
                else:  # the person's data was erased: every conversation of theirs starts afresh
                    for urn in {msg.address, *erased}:
                        await self._state.sessions.delete(session_key(scheme_of(urn), urn))
            except StateUnavailable:
                # Committed already: the replies are true (a reference code was saved), only
                # the step is lost; the next message continues from the session Redis kept.
                log.warning("session not saved: state unavailable after commit")
        elapsed = (time.perf_counter() - started) * 1000
        return Outcome(
            replies,
            contact_id=contact.id,
            language=contact.language,
            elapsed_ms=elapsed,
            work=work,
        )

    async def _run(
        self,
        session: dict[str, Any] | None,
        msg: Inbound,
        contact: ContactInfo | None,
        now: datetime | None,
    ) -> tuple[Turn, list[Reply], ContactInfo, tuple[Work, ...], tuple[str, ...] | None]:
        """Load the contact, understand, step the engine and run its actions in one
        transaction; the replies are returned only after it commits.

        A turn that writes nothing (a greeting, the menu, a question answered from the
        policy data) takes no write transaction: the contact is read in a read-only one
        and the engine stepped outside. Only if the contact must be created or touched, the
        turn asks for an action, or the message is worth keeping, the write transaction
        opens; it reads the contact again under the write lock and steps again if it changed
        (the engine is pure; the text is parsed once). The last item: the addresses of a
        contact whose data this turn erased (None: nothing erased)."""
        erased: tuple[str, ...] | None = None
        at = now or datetime.now(UTC)
        parsed: dict[str, Any] = {}
        tried: tuple[ContactInfo, Input, Turn] | None = None
        if contact is None:
            known = await self._known_contact(msg)
            if known is not None:
                inp, turn = await self._step(session, msg, known, at, parsed)
                if turn.action is None and not _worth_keeping(session, turn.session, msg, known):
                    metrics.turn_events(turn.events)
                    return turn, list(turn.replies), known, (), None
                tried = (known, inp, turn)
        async with self._store.transaction() as tx:
            if contact is None:
                contact = _contact_info(await self._get_contact(tx, msg), msg)
            if tried is not None and tried[0] == contact:
                _, inp, turn = tried
            else:
                inp, turn = await self._step(session, msg, contact, at, parsed)
            replies, events = list(turn.replies), list(turn.events)
            for _ in range(MAX_ACTIONS_PER_TURN):
                if turn.action is None:
                    break
                result = await self._executor.run(tx, inp.contact, turn.action)
                if result.get("erased"):
                    erased = tuple(str(u) for u in result.get("urns") or ())
                turn = self._engine.resume(turn.session, result, inp)
                replies.extend(turn.replies)
                events.extend(turn.events)
            else:
                raise RuntimeError("flow requested too many actions in one turn")
            if erased is None and _worth_keeping(session, turn.session, msg, contact):
                await self._log_inbound(tx, contact, msg, inp)
            work = tuple(tx.work)
        metrics.turn_events(events)  # committed: a flow that ended did end
        return turn, replies, contact, work, erased

    async def _known_contact(self, msg: Inbound) -> ContactInfo | None:
        """The sender's contact, read without the write lock; None if this message must
        write it (a new sender, or an address not seen lately through this adapter)."""
        rec = await self._store.contact_by_urn(msg.address)  # one query, no transaction
        if rec is None or not seen_recently(rec, msg.address, msg.adapter, _rendering(msg)):
            return None
        return _contact_info(rec, msg)

    async def _step(
        self,
        session: dict[str, Any] | None,
        msg: Inbound,
        contact: ContactInfo,
        at: datetime,
        parsed: dict[str, Any],
    ) -> tuple[Input, Turn]:
        """The engine's first step for this message; ``parsed`` keeps the NLU's answer so a
        second step (after the contact changed) does not parse again."""
        inp = Input(
            now=at,
            contact=contact,
            text="menu" if msg.event in START_EVENTS else clean_text(msg.text),
            button=msg.button,
            location=msg.location,
            media=msg.media,
        )
        if self._engine.wants_nlu(session, inp) and inp.text:
            if "nlu" not in parsed:
                parsing = time.perf_counter()
                parsed["nlu"] = await self._nlu.parse(inp.text)
                metrics.nlu_parsed(self._settings.nlu, time.perf_counter() - parsing)
            inp = replace(inp, nlu=parsed["nlu"])
        return inp, self._engine.step(session, inp)

    async def _log_inbound(self, tx: Tx, contact: ContactInfo, msg: Inbound, inp: Input) -> None:
        """Keep the message for the officer who reads the report it belongs to."""
        if contact.id is None:
            return
        await tx.messages.log_inbound(
            contact_id=contact.id, adapter=msg.adapter, urn=msg.address,
            external_id=msg.external_id, text=inp.text, button=msg.button, media=msg.media,
            lat=msg.location.lat if msg.location else None,
            lon=msg.location.lon if msg.location else None, at=inp.now,
        )  # fmt: skip

    async def _get_contact(self, tx: Tx, msg: Inbound) -> ContactRecord:
        return await tx.contacts.get_or_create(
            msg.address, msg.adapter, self._settings.default_language, rendering=_rendering(msg)
        )

    async def _contact(self, msg: Inbound) -> tuple[ContactInfo, bool]:
        """The sender's contact after this message's effect on it; True if a phone was linked."""
        linked = False
        async with self._store.transaction() as tx:
            rec = await self._get_contact(tx, msg)
            if msg.event in STOP_EVENTS:
                # Subscriptions are kept: a stopped contact gets no bulk notice, and START /
                # UNSTOP / follow / unblocking brings back exactly what they had chosen.
                rec = await tx.contacts.set_stopped(rec.id, True)
            elif rec.stopped and msg.event in START_EVENTS:
                rec = await tx.contacts.set_stopped(rec.id, False)
            urn = phone_urn(msg.contact_phone) if msg.contact_phone else None
            if urn is not None:
                rec = await tx.contacts.link_phone(rec.id, urn)
                linked = True
            elif msg.contact_phone:
                log.warning("shared contact is not a phone number; not linked (%s)", msg.adapter)
        return _contact_info(rec, msg), linked


def _rendering(msg: Inbound) -> str | None:
    """The rendering the URN remembers: the simulator shows any, and what it showed last is
    how the bot writes first; a real adapter has one."""
    return msg.rendering if msg.adapter == "sim" else None


def _contact_info(rec: ContactRecord, msg: Inbound) -> ContactInfo:
    now = msg.received_at or datetime.now(UTC)
    talking = rec.talking_until is not None and rec.talking_until > now
    return ContactInfo(
        id=rec.id,
        address=msg.address,
        rendering=msg.rendering or "telegram",
        language=rec.language,
        village_id=rec.village_id,
        notice_seen=rec.notice_seen,
        role=rec.role,
        role_commune=rec.role_commune,
        role_village=rec.role_village,
        talking_ref=rec.talking_ref if talking else None,
    )


def _worth_keeping(
    before: dict[str, Any] | None, after: dict[str, Any], msg: Inbound, contact: ContactInfo
) -> bool:
    """A message an officer may need: one of a journey (it produces a report), one written
    while an officer talks with the person, or carrying a photo, a voice note or a pin. A
    greeting or a look at the menu is not written anywhere."""
    in_flow = bool((before or {}).get("flow") or after.get("flow"))
    return in_flow or bool(contact.talking_ref or msg.media or msg.location)


def _has_content(msg: Inbound) -> bool:
    return bool(msg.text.strip() or msg.button or msg.location or msg.media)
