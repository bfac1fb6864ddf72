"""``report.update``: a disaster report filed as soon as the place is known, enriched by each
later answer, through the real ActionExecutor and store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.actions import ActionExecutor
from bot.engine.types import ActionRequest, ContactInfo
from bot.reports.urgency import UrgencyRules
from bot.store import Store, upgrade_database
from tests.dialogs.fakes import FakePlaces
from tests.store.conftest import BACKENDS
from tests.support.databases import create_database, drop_database


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'reports.db'}"
    else:
        url = await create_database()
    await upgrade_database(url)
    store = Store(url)
    try:
        yield store
    finally:
        await store.close()
        if request.param != "sqlite":
            await drop_database(url)


async def _contact(store: Store, address: str = "sms:+84912000001") -> ContactInfo:
    async with store.transaction() as tx:
        rec = await tx.contacts.get_or_create(address, "sms", "vi")
    return ContactInfo(id=rec.id, address=address, rendering="sms")


async def _run(store: Store, executor: ActionExecutor, who: ContactInfo, name: str, args: dict):  # type: ignore[no-untyped-def, type-arg]
    async with store.transaction() as tx:
        return await executor.run(tx, who, ActionRequest(name, args))


def _filed(danger: bool) -> dict:  # type: ignore[type-arg]
    return {
        "type": "disaster",
        "subtype": None,
        "village_id": "03664:panh",
        "commune_code": None,
        "details": {"hazard": None, "danger_now": danger, "place": "bản Panh"},
        "location": None,
        "photos": [],
        "danger_now": danger,
    }


async def test_a_report_is_enriched_and_scored_again(store: Store, rules: UrgencyRules) -> None:
    executor = ActionExecutor(places=FakePlaces(), urgency_rules=rules)
    who = await _contact(store)
    filed = await _run(store, executor, who, "report.submit", _filed(False))
    assert filed["flagged"] is False and filed["urgency"] == 0
    more = {"hazard": "storm", "people": 3, "house_state": "collapsed", "stay": None}
    args = {"ref": filed["ref"], "subtype": "storm", "details": more, "photos": ["voice:AwAC1"]}
    updated = await _run(store, executor, who, "report.update", args)
    assert updated["ref"] == filed["ref"]
    assert updated["flagged"] is True  # a collapsed house flags, whatever the hazard
    again = {
        "ref": filed["ref"],
        "details": {"hazard": None, "stay": "evacuated"},
        "photos": ["voice:AwAC1", "photo:AgAC2"],
        "location": {"lat": 21.33, "lon": 103.92},
    }
    await _run(store, executor, who, "report.update", again)
    async with store.transaction() as tx:
        report = await tx.reports.get(filed["ref"])
    assert report is not None
    assert report.subtype == "storm" and report.flagged and report.status == "new"
    assert report.details["hazard"] == "storm"  # a None answer never erases a known one
    assert report.details["stay"] == "evacuated" and report.details["people"] == 3
    assert report.details["place"] == "bản Panh"
    assert "house_state:collapsed" in report.details["urgency_reasons"]
    assert report.photos == ("voice:AwAC1", "photo:AgAC2")
    assert (report.lat, report.lon) == (21.33, 103.92)
    assert report.urgency == updated["urgency"] + rules.stay["evacuated"].points


async def test_the_flag_never_turns_off(store: Store, rules: UrgencyRules) -> None:
    executor = ActionExecutor(places=FakePlaces(), urgency_rules=rules)
    who = await _contact(store)
    filed = await _run(store, executor, who, "report.submit", _filed(True))
    assert filed["flagged"] is True  # someone in danger: flagged as soon as it is filed
    calm = {"ref": filed["ref"], "details": {"danger_now": False, "house_state": "ok"}}
    assert (await _run(store, executor, who, "report.update", calm))["flagged"] is True


async def test_only_the_contacts_own_report_is_updated(store: Store, rules: UrgencyRules) -> None:
    executor = ActionExecutor(places=FakePlaces(), urgency_rules=rules)
    owner, other = await _contact(store), await _contact(store, "sms:+84912000002")
    filed = await _run(store, executor, owner, "report.submit", _filed(False))
    with pytest.raises(ValueError, match="no report"):
        await _run(store, executor, other, "report.update", {"ref": filed["ref"], "details": {}})
    with pytest.raises(ValueError, match="no report"):
        await _run(store, executor, owner, "report.update", {"ref": "TT-NOPE00", "details": {}})
