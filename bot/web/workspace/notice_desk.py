"""Notices from the workspace, for the pages and the API alike.

Who sends: a web user as a :class:`~bot.notices.scope.NoticeSender` (``user:<id>``; an
officer in their commune, an admin anywhere); any other role is :class:`NotSender` (403).
What: the form or the JSON body (:class:`NoticeIn`) checked into a
:class:`~bot.notices.service.Draft`; a bad field is :class:`Invalid` with the officer-facing
reason. Where it may go is decided by :mod:`bot.notices.scope`: ``OutOfScope`` (403), audited
as ``notice.refused`` by ``Notices.create`` in a transaction that commits.

Seeing: an officer sees the notices of their commune, an admin every notice; any other id is
:class:`NoNotice` (404), as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from bot.notices.planner import Preview
from bot.notices.scope import NoticeSender, OutOfScope
from bot.notices.service import MAX_TEXT, Draft, Notices
from bot.render.sms import segment_info
from bot.store.notices import NoticeRecord, Progress
from bot.store.records import TOPICS
from bot.store.repo import Tx
from bot.web.workspace.auth import Principal
from bot.web.workspace.deps import Workspace
from bot.web.workspace.service import Invalid

SENDERS = ("officer", "admin")
LIVE = ("scheduled", "planning", "sending")  # still moving: pages poll, Cancel is offered
PAST_TOLERANCE = timedelta(minutes=2)  # a clock a little behind, a slow form: "now"
MAX_VILLAGES = 200


class NoNotice(LookupError):
    """No such notice for this caller (404: another commune's notices are not confirmed)."""


class NotSender(PermissionError):
    """This web user's role sends no notices (a village head, in the workspace)."""


class NoticeIn(BaseModel):
    """A notice as the API body (and the form, once read) gives it."""

    model_config = ConfigDict(extra="forbid")
    topic: str = Field(max_length=32, description="village_notices | loans | disaster_warnings")
    text: str = Field(max_length=4 * MAX_TEXT)  # the real limit is checked with a message
    commune_code: str | None = Field(None, max_length=16)
    village_ids: list[str] = Field(default_factory=list, max_length=MAX_VILLAGES)
    send_at: str | None = Field(None, max_length=40, description="ISO 8601; empty: now")
    ask_safety: bool = False
    unaccented: bool = False


@dataclass(frozen=True, slots=True)
class Look:
    """A draft before it is sent: who it would reach, where, how it reads, SMS per person."""

    preview: Preview
    where: str
    reads: str
    sms_segments: int


@dataclass(frozen=True, slots=True)
class Shown:
    """A notice and where it stands now."""

    notice: NoticeRecord
    progress: Progress
    by: str = ""  # the sender's name (one notice's page)

    @property
    def live(self) -> bool:
        return self.notice.status in LIVE


class NoticeDesk:
    """One workspace's notices; every method takes the caller first."""

    def __init__(self, ws: Workspace) -> None:
        if ws.bot.notices is None:
            raise RuntimeError("the bot was built without notices")
        self._ws = ws
        self._notices: Notices = ws.bot.notices
        self._zone = ZoneInfo(ws.bot.settings.timezone)
        self._t = ws.presenter.t

    # -- who and what ----------------------------------------------------------------------

    def sender(self, who: Principal) -> NoticeSender:
        user = who.user
        if user.role not in SENDERS:
            raise NotSender(self._t("wsn.err.not_sender"))
        return NoticeSender(
            actor=who.actor, role=user.role, contact_id=user.contact_id,
            commune_code=user.commune_code if user.role == "officer" else None,
            name=user.display_name or user.username,
        )  # fmt: skip

    def draft(self, who: Principal, given: NoticeIn) -> Draft:
        """The checked draft; :class:`Invalid` names the first thing wrong. Where it may go is
        checked when it is previewed or sent (OutOfScope)."""
        t, places = self._t, self._ws.bot.places
        if given.topic not in TOPICS:
            raise Invalid(t("wsn.err.topic"))
        text = given.text.strip()
        if not text:
            raise Invalid(t("wsn.err.text_empty"))
        if len(text) > MAX_TEXT:
            raise Invalid(t("wsn.err.text_long", max=MAX_TEXT))
        commune = (given.commune_code or "").strip() or None
        if commune and places.commune(commune) is None:
            raise Invalid(t("wsn.err.commune", code=commune))
        communes = set()
        for village in given.village_ids:
            found = places.village(village)
            if found is None:
                raise Invalid(t("wsn.err.village", village=village))
            communes.add(found.commune_code)
        if commune is None and len(communes) == 1 and who.user.role == "admin":
            # an admin's villages of one commune: the notice is that commune's (its officers
            # see it, and residents read the commune's name as the sender)
            commune = communes.pop()
        return Draft(
            topic=given.topic, text=text, commune_code=commune,
            village_ids=tuple(given.village_ids), send_at=self._send_at(given.send_at),
            ask_safety=given.ask_safety and given.topic == "disaster_warnings",
            unaccented=given.unaccented,
        )  # fmt: skip

    def _send_at(self, given: str | None) -> datetime | None:
        """None for "now" (empty, or a moment ago); a time without a zone is Vietnam time."""
        if not given or not given.strip():
            return None
        try:
            at = datetime.fromisoformat(given.strip())
        except ValueError:
            raise Invalid(self._t("wsn.err.when")) from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=self._zone)
        now = self._ws.now()
        if at < now - PAST_TOLERANCE:
            raise Invalid(self._t("wsn.err.past"))
        return at if at > now else None

    def local_send_at(self, day: str, time: str) -> str | None:
        """The form's date and time fields (Vietnam time) as ISO 8601; both empty: now."""
        day, time = day.strip(), time.strip()
        if not day and not time:
            return None
        if not time:
            raise Invalid(self._t("wsn.err.time_missing"))
        day = day or self._ws.now().astimezone(self._zone).date().isoformat()
        try:
            return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=self._zone).isoformat()
        except ValueError:
            raise Invalid(self._t("wsn.err.when")) from None

    # -- sending ---------------------------------------------------------------------------

    async def look(self, who: Principal, draft: Draft) -> Look:
        """What it would do now; no side effect (OutOfScope is not audited here)."""
        sketch = self._notices.sketch(self.sender(who), draft)
        async with self._ws.bot.store.read() as tx:
            preview = await self._notices.planner.preview(tx, sketch)
        where = self.where(sketch.commune_code, sketch.village_ids)
        return Look(preview, where, self._reads(sketch, "telegram"), self._sms(sketch))

    async def create(
        self, who: Principal, draft: Draft, ip: str | None
    ) -> tuple[NoticeRecord, Preview]:
        """Record and plan it. A refusal of scope is raised after its audit row commits."""
        sender = self.sender(who)
        async with self._ws.bot.store.transaction() as tx:
            try:
                notice = await self._notices.create(tx, sender, draft, ip=ip)
            except OutOfScope as exc:
                refused = exc  # the audit row commits with this transaction
            else:
                return notice, await self._notices.planner.preview(tx, notice)
        raise refused

    def sms_size(self, who: Principal, draft: Draft) -> int:
        """SMS segments one person gets (as the notice reads in Vietnamese, STOP included)."""
        return self._sms(self._notices.sketch(self.sender(who), draft))

    def _sms(self, notice: NoticeRecord) -> int:
        return segment_info(self._reads(notice, "sms")).segments

    def _reads(self, notice: NoticeRecord, rendering: str) -> str:
        return " ".join(r.text for r in self._notices.planner.words(notice, rendering, "vi"))

    # -- seeing ----------------------------------------------------------------------------

    def _visible(self, who: Principal, notice: NoticeRecord | None) -> NoticeRecord:
        mine = notice is not None and (
            who.user.role == "admin" or notice.commune_code == who.user.commune_code
        )
        if notice is None or not mine:
            raise NoNotice(self._t("wsn.err.not_found"))
        return notice

    async def get(self, who: Principal, notice_id: int) -> Shown:
        self.sender(who)
        async with self._ws.bot.store.read() as tx:
            notice = self._visible(who, await tx.notices.get(notice_id))
            return Shown(notice, await tx.notices.progress(notice), await _name(tx, notice.sender))

    async def recent(self, who: Principal, limit: int = 50) -> list[Shown]:
        """The scope's latest notices, newest first: an officer's commune, or all (admin)."""
        sender = self.sender(who)
        async with self._ws.bot.store.read() as tx:
            found = await tx.notices.recent(commune_code=sender.commune_code, limit=limit)
            progress = await tx.notices.progress_of(found)
        return [Shown(n, progress[n.id]) for n in found]

    async def cancel(self, who: Principal, notice_id: int) -> Shown:
        """Stop it before it has all gone out; :class:`Invalid` when it is over already."""
        self.sender(who)
        async with self._ws.bot.store.transaction() as tx:
            notice = self._visible(who, await tx.notices.get(notice_id))
            if await self._notices.cancel(tx, notice, who.actor):
                notice = self._visible(who, await tx.notices.get(notice_id))
                return Shown(notice, await tx.notices.progress(notice))
        raise Invalid(self._t("wsn.err.cannot_cancel"))

    # -- words -----------------------------------------------------------------------------

    def where(self, commune_code: str | None, village_ids: tuple[str, ...] | list[str]) -> str:
        """ "bản Nam Niệu, bản Panh", "phường Chiềng An" or "mọi xã"."""
        p = self._ws.presenter
        if village_ids:
            return ", ".join(p.village(v) for v in village_ids)
        return p.commune(commune_code) if commune_code else self._t("wsn.everywhere")


async def _name(tx: Tx, actor: str) -> str:
    """``user:3`` / ``contact:12`` as the person's name, when they have one."""
    kind, _, key = actor.partition(":")
    if not key.isdigit():
        return actor
    if kind == "user":
        user = await tx.users.get(int(key))
        return (user.display_name or user.username) if user else actor
    contact = await tx.contacts.get(int(key)) if kind == "contact" else None
    return (contact.name or actor) if contact else actor
