"""Contacts: one person, any number of channel addresses (URNs such as ``telegram:123``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Final

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.merge import merge_contacts
from bot.store.models import Contact, ContactUrn
from bot.store.records import ROLES, Address, ContactRecord, NotFound
from bot.store.types import nfc_deep, utcnow


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
# How stale ``last_seen_at`` may get before a message refreshes it: routing needs "which
# address did this person use lately", not the exact minute, and most messages then write
# nothing to the contact at all.
SEEN_RESOLUTION = timedelta(minutes=10)


def _check_urn(urn: str) -> None:
    scheme, _, path = urn.partition(":")
    if not scheme or not path:
        raise ValueError(f"not a URN (scheme:path): {urn!r}")


def seen_recently(
    contact: ContactRecord,
    urn: str,
    adapter: str,
    rendering: str | None,
    now: datetime | None = None,
) -> bool:
    """True if :meth:`ContactRepo.get_or_create` would write nothing for this message: the
    URN last came through ``adapter`` (and ``rendering``) within :data:`SEEN_RESOLUTION`."""
    known = contact.address(urn)
    return (
        known is not None
        and known.adapter == adapter
        and (rendering is None or known.rendering == rendering)
        and known.last_seen_at is not None
        and (now or utcnow()) - known.last_seen_at < SEEN_RESOLUTION
    )


_RECORD_COLUMNS = (
    Contact.id, Contact.language, Contact.role, Contact.village_id, Contact.notice_seen_at,
    Contact.stopped, Contact.name, Contact.role_commune, Contact.role_village,
    Contact.talking_ref, Contact.talking_until, ContactUrn.urn, ContactUrn.scheme,
    ContactUrn.adapter, ContactUrn.rendering, ContactUrn.last_seen_at,
)  # fmt: skip


async def contact_records(session: AsyncSession, where: ColumnElement[bool]) -> list[ContactRecord]:
    """Contacts matching ``where`` with their URNs, in one query, ordered by id. Columns, not
    ORM objects: a notice's audience is 100,000 of these (an ORM object each cost ~4x)."""
    return assemble_records(await session.execute(records_query(where)))


def records_query(where: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The one query of :func:`contact_records` (also run synchronously by
    ``Store.contact_by_urn``)."""
    return (
        select(*_RECORD_COLUMNS)
        .outerjoin(ContactUrn, ContactUrn.contact_id == Contact.id)
        .where(where)
        .order_by(Contact.id, ContactUrn.urn)
    )


def owner_of(urn: str | BindParameter[str]) -> ColumnElement[bool]:
    """The contact holding ``urn`` (for :func:`records_query`)."""
    return (
        Contact.id == select(ContactUrn.contact_id).where(ContactUrn.urn == urn).scalar_subquery()
    )


class UrnLookup:
    """``records_query(owner_of(urn))`` compiled once for ``dialect``: its SQL text (one
    ``?`` for the URN) and how to read its raw DB-API rows, with the types' own result
    processors (``Store.contact_by_urn`` runs it on a plain sqlite3 connection; building and
    caching the statement through SQLAlchemy each time cost more than the query)."""

    def __init__(self, dialect: Dialect) -> None:
        compiled = records_query(owner_of(bindparam("urn"))).compile(dialect=dialect)
        self.sql = str(compiled)
        self._read = [c.type.dialect_impl(dialect).result_processor(dialect, None)
                      for c in _RECORD_COLUMNS]  # fmt: skip

    def records(self, rows: Iterable[Sequence[Any]]) -> list[ContactRecord]:
        read = self._read
        return assemble_records(
            [f(v) if f is not None else v for f, v in zip(read, row, strict=True)] for row in rows
        )


def assemble_records(rows: Iterable[Sequence[Any]]) -> list[ContactRecord]:
    """Contact records from the rows of :func:`records_query`."""
    people: dict[int, tuple[Any, ...]] = {}
    addresses: dict[int, list[Address]] = {}
    for *person, urn, scheme, adapter, rendering, seen in rows:
        cid = person[0]
        if cid not in people:
            people[cid], addresses[cid] = tuple(person), []
        if urn is not None:
            addresses[cid].append(Address(urn, scheme, adapter, rendering, seen))
    return [
        ContactRecord(
            id=cid,
            language=language,
            role=role,
            village_id=village_id,
            notice_seen=notice_seen_at is not None,
            stopped=stopped,
            urns=tuple(a.urn for a in addresses[cid]),
            name=name,
            role_commune=role_commune,
            role_village=role_village,
            addresses=tuple(addresses[cid]),
            talking_ref=talking_ref,
            talking_until=talking_until,
        )
        for (
            cid,
            language,
            role,
            village_id,
            notice_seen_at,
            stopped,
            name,
            role_commune,
            role_village,
            talking_ref,
            talking_until,
        ) in people.values()
    ]


class ContactRepo:
    """Contacts inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, contact_id: int) -> ContactRecord | None:
        found = await contact_records(self._s, Contact.id == contact_id)
        return found[0] if found else None

    async def by_urn(self, urn: str) -> ContactRecord | None:
        """The contact holding ``urn``, or None."""
        found = await contact_records(self._s, owner_of(urn))  # one round trip
        return found[0] if found else None

    async def get_or_create(
        self,
        urn: str,
        adapter: str,
        language: str,
        *,
        rendering: str | None = None,
        now: datetime | None = None,
    ) -> ContactRecord:
        """The contact for ``urn``, which just wrote through ``adapter``; a new resident with
        that URN if there is none. The URN remembers the adapter (and, for the simulator, the
        ``rendering``) so messages the bot starts itself reach the person the same way; an
        unchanged URN seen within :data:`SEEN_RESOLUTION` is not written at all.

        Safe against a concurrent first message from the same URN: the loser of the race
        gets the winner's contact.
        """
        _check_urn(urn)
        now = now or utcnow()
        found = await self.by_urn(urn)
        if found is not None:
            await self._seen(found, urn, adapter, rendering, now)
            return found
        try:
            async with self._s.begin_nested():
                contact = Contact(language=language, role="resident", stopped=False)
                self._s.add(contact)
                await self._s.flush()
                self._s.add(
                    ContactUrn(
                        urn=urn,
                        scheme=urn.partition(":")[0],
                        contact_id=contact.id,
                        adapter=adapter,
                        rendering=rendering,
                        last_seen_at=now,
                    )
                )
                await self._s.flush()
        except IntegrityError:
            found = await self.by_urn(urn)
            if found is None:
                raise
            return found
        return await self._must(contact.id)

    async def _seen(
        self,
        contact: ContactRecord,
        urn: str,
        adapter: str,
        rendering: str | None,
        now: datetime,
    ) -> None:
        if seen_recently(contact, urn, adapter, rendering, now):
            return
        values: dict[str, object] = {"adapter": adapter, "last_seen_at": now}
        if rendering is not None:
            values["rendering"] = rendering
        await self._s.execute(
            update(ContactUrn)
            .where(ContactUrn.urn == urn)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def add_urn(self, contact_id: int, urn: str, adapter: str | None = None) -> ContactRecord:
        """Attach another address to a contact (e.g. the phone number of a Telegram user).

        ValueError if the URN already belongs to a different contact; no-op if to this one.
        """
        _check_urn(urn)
        owner = await self._s.scalar(select(ContactUrn.contact_id).where(ContactUrn.urn == urn))
        if owner is not None and owner != contact_id:
            raise ValueError(f"{urn} belongs to contact {owner}")
        if owner is None:
            await self._must(contact_id)
            self._s.add(
                ContactUrn(
                    urn=urn, scheme=urn.partition(":")[0], contact_id=contact_id, adapter=adapter
                )
            )
            await self._s.flush()
        return await self._must(contact_id)

    async def set_stopped(self, contact_id: int, stopped: bool = True) -> ContactRecord:
        """Mark a contact as opted out (STOP, blocked, unfollowed) or back in."""
        return await self.update(contact_id, stopped=stopped)

    async def link_phone(self, contact_id: int, urn: str) -> ContactRecord:
        """Give a contact the phone URN it shared (``tel:+84…``), linking its identities.

        If another contact already owns ``urn`` (the same person wrote by SMS before), the
        two are merged into the older one (see :mod:`bot.store.merge`); returns the survivor.
        """
        _check_urn(urn)
        owner = await self._s.scalar(select(ContactUrn.contact_id).where(ContactUrn.urn == urn))
        if owner is None:
            return await self.add_urn(contact_id, urn)
        if owner == contact_id:
            return await self._must(contact_id)
        return await self._must(await merge_contacts(self._s, contact_id, owner))

    async def update(
        self,
        contact_id: int,
        *,
        language: str | _Unset = UNSET,
        village_id: str | _Unset | None = UNSET,
        notice_seen: bool | _Unset = UNSET,
        stopped: bool | _Unset = UNSET,
        role: str | _Unset = UNSET,
        role_commune: str | _Unset | None = UNSET,
        role_village: str | _Unset | None = UNSET,
        name: str | _Unset | None = UNSET,
        talking: tuple[str, datetime] | _Unset | None = UNSET,
        consent_version: str | _Unset = UNSET,
    ) -> ContactRecord:
        """Change only the fields given; NotFound for an unknown id, ValueError for a bad role.

        ``notice_seen=True`` records when the privacy notice was first shown (kept on repeats);
        ``consent_version`` the version of the notice's text then, with the time: recorded
        once, a later version does not replace it.
        """
        contact = await self._s.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"contact {contact_id}")
        if not isinstance(role, _Unset):
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r}")
            contact.role = role
        if not isinstance(role_commune, _Unset):
            contact.role_commune = role_commune
        if not isinstance(role_village, _Unset):
            contact.role_village = role_village
        if not isinstance(language, _Unset):
            contact.language = language
        if not isinstance(village_id, _Unset):
            contact.village_id = village_id
        if not isinstance(notice_seen, _Unset):
            if not notice_seen:
                contact.notice_seen_at = None
            elif contact.notice_seen_at is None:
                contact.notice_seen_at = utcnow()
        if not isinstance(consent_version, _Unset) and contact.consent_at is None:
            contact.consent_version, contact.consent_at = consent_version, utcnow()
        if not isinstance(stopped, _Unset):
            contact.stopped = stopped
        if not isinstance(name, _Unset):
            contact.name = None if name is None else nfc_deep(name)
        if not isinstance(talking, _Unset):
            contact.talking_ref, contact.talking_until = talking or (None, None)
        contact.updated_at = utcnow()
        await self._s.flush()
        return await self._must(contact_id)

    async def with_role(self, role: str, *, commune_code: str | None = None) -> list[ContactRecord]:
        """Contacts holding ``role`` (for officers: of ``commune_code``). An alert reaches an
        officer who sent STOP too: STOP is about notices, not about their work."""
        where = Contact.role == role
        if commune_code is not None:
            where = where & (Contact.role_commune == commune_code)
        return await contact_records(self._s, where)

    async def _must(self, contact_id: int) -> ContactRecord:
        record = await self.get(contact_id)
        if record is None:
            raise NotFound(f"contact {contact_id}")
        return record
