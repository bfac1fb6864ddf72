"""The chat actions of "dữ liệu của tôi" and "xoá dữ liệu của tôi" (contract in
:mod:`bot.engine.types`): they read or erase inside the turn's transaction."""

from __future__ import annotations

import logging

from bot.domain.json import JSON
from bot.engine.types import ContactInfo
from bot.ports import PlaceLookup
from bot.store.repo import Tx
from bot.store.types import utcnow
from integrations.zalo.adapter import PREFIX as ZALO
from integrations.zalo.window import window_key

log = logging.getLogger(__name__)


def mask_urn(urn: str) -> str:
    """``tel:+84912345678`` -> ``tel:+84***678``: enough to recognise, not to use."""
    scheme, _, path = urn.partition(":")
    hidden = f"{path[:3]}***{path[-3:]}" if len(path) > 7 else "***"
    return f"{scheme}:{hidden}"


class PrivacyActions:
    def __init__(self, places: PlaceLookup) -> None:
        self._places = places

    async def summary(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        """``privacy.summary``: what is held about the writer; addresses other than the one
        they write from are masked (whoever holds this phone must not learn the others)."""
        held = await tx.privacy.holdings(_id(contact), limit=int(args.get("limit", 3)))
        c = held.contact
        others = [mask_urn(u) for u in c.urns if u != contact.address]
        village = self._places.village(c.village_id) if c.village_id else None
        return {
            "addresses": [contact.address, *others],
            "name": c.name,
            "village": village.display_name if village else c.village_id,
            "household_size": held.household_size,
            "household_class": held.household_class,
            "checks": held.eligibility_count,
            "reports": [
                {
                    "ref": r.ref,
                    "type": r.type,
                    "status": r.status,
                    "created_at": r.created_at.isoformat(),
                    "anonymised": r.anonymised,
                }
                for r in held.reports
            ],
            "report_count": held.report_count,
            "topics": list(held.topics),
            "stopped": c.stopped,
            "consent_version": held.consent_version,
            "consent_at": held.consent_at.isoformat() if held.consent_at else None,
            "messages": held.messages_kept,
        }

    async def erase(self, tx: Tx, contact: ContactInfo, args: JSON) -> JSON:
        """``privacy.erase``: see :meth:`bot.store.privacy.PrivacyRepo.erase`. The pipeline
        reads ``erased`` and forgets the conversations of ``urns`` after the commit."""
        cid = _id(contact)
        done = await tx.privacy.erase(cid, now=utcnow())
        # a Zalo OA reply window is kept per address in channel state, with no expiry
        windows = [window_key(u.removeprefix(ZALO)) for u in done.urns if u.startswith(ZALO)]
        await tx.privacy.forget_state(windows)
        await tx.audit.record(
            actor=f"contact:{cid}", action="privacy.erased", target=f"contact:{cid}",
            detail={"kept": list(done.kept), "deleted_reports": done.deleted_reports,
                    "addresses": len(done.urns)},
        )  # fmt: skip
        log.info("contact %d erased (%d report(s) kept anonymised)", cid, len(done.kept))
        return {"erased": True, "urns": list(done.urns), "kept": list(done.kept),
                "deleted_reports": done.deleted_reports}  # fmt: skip


def _id(contact: ContactInfo) -> int:
    if contact.id is None:
        raise ValueError("privacy actions need a stored contact")
    return contact.id
