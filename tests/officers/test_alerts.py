"""Alerts to officers, with a frozen clock: who hears about a flagged report, when the alert is
repeated and escalated, what stops it, and that a crash between the report and the alert loses
nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from bot.reports.alerts import request_alert
from bot.store.records import ReportRecord
from tests.support.jobrig import JobRig, job_rig

CHIENG_AN = "03664"


@dataclass
class Rig(JobRig):
    async def person(  # type: ignore[override]
        self, user: str, role: str = "resident", commune: str | None = None
    ) -> int:
        contact = await super().person(user, role, commune)
        if user == "resident":
            async with self.store.transaction() as tx:
                await tx.contacts.add_urn(contact, "tel:+84912345678")
        return contact

    async def report(
        self, contact: int, *, danger: bool, commune: str | None = CHIENG_AN
    ) -> ReportRecord:
        async with self.store.transaction() as tx:
            report = await tx.reports.create(
                contact_id=contact, type="disaster", subtype="flood", commune_code=commune,
                village_id="03664:nam niệu" if commune else None, flagged=True, urgency=90,
                details={"hazard": "flood", "people": 5, "vulnerable": ["elderly"],
                         "danger_now": danger, "place": "bản Nam Niệu, phường Chiềng An"},
            )  # fmt: skip
            assert await request_alert(tx, report)
        return report

    async def alerts(self) -> list[tuple[str, str]]:
        return [(m["urn"], m["text"]) for m in await self.messages("alert")]


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    base = await job_rig(tmp_path, public_url="https://bot.xa.vn")
    try:
        yield Rig(base.store, base.runner, base.sender, base.notices, base.clock)
    finally:
        await base.store.close()


async def test_danger_ladder_officers_then_again_then_admins(rig: Rig) -> None:
    resident = await rig.person("resident")
    await rig.person("can.bo.an", "officer", CHIENG_AN)
    await rig.person("can.bo.binh", "officer", CHIENG_AN)
    await rig.person("can.bo.mai.son", "officer", "04105")  # another commune: never
    await rig.person("quan.tri", "admin")
    report = await rig.report(resident, danger=True)
    await rig.run_due()
    first = await rig.alerts()
    assert sorted(u for u, _ in first) == ["sim:can.bo.an", "sim:can.bo.binh"]
    text = first[0][1]
    for fact in (report.ref, "Ngập lụt", "bản Nam Niệu", "5 người", "người già",
                 "+84912345678", f"https://bot.xa.vn/ws/reports/{report.ref}"):  # fmt: skip
        assert fact in text, (fact, text)
    rig.clock.now += timedelta(minutes=4, seconds=59)
    await rig.run_due()
    assert len(await rig.alerts()) == 2  # not before 5 minutes
    rig.clock.now += timedelta(seconds=1)
    await rig.run_due()
    again = (await rig.alerts())[2:]
    assert sorted(u for u, _ in again) == ["sim:can.bo.an", "sim:can.bo.binh"]
    assert all(t.startswith("Nhắc lại, chưa ai nhận:") for _, t in again)
    rig.clock.now += timedelta(minutes=15)
    await rig.run_due()
    admins = (await rig.alerts())[4:]
    assert [u for u, _ in admins] == ["sim:quan.tri"]
    assert admins[0][1].startswith("Sau 20 phút chưa cán bộ xã nào nhận:")
    rig.clock.now += timedelta(hours=5)
    await rig.run_due()
    assert len(await rig.alerts()) == 5  # the ladder has ended
    async with rig.store.read() as tx:
        steps = [e.detail for e in await tx.reports.history(report.ref) if e.kind == "alert"]
    assert [(d or {}).get("to") for d in steps] == ["officers", "officers", "admins"]


async def test_taking_the_report_stops_the_ladder(rig: Rig) -> None:
    resident = await rig.person("resident")
    await rig.person("can.bo.an", "officer", CHIENG_AN)
    await rig.person("quan.tri", "admin")
    report = await rig.report(resident, danger=False)  # flagged, nobody in danger: 2 hours
    await rig.run_due()
    assert [u for u, _ in await rig.alerts()] == ["sim:can.bo.an"]
    async with rig.store.transaction() as tx:
        await tx.reports.set_status(report.ref, "acknowledged", actor="user:1")
    rig.clock.now += timedelta(hours=3)
    await rig.run_due()
    assert [u for u, _ in await rig.alerts()] == ["sim:can.bo.an"]  # no admin alert


async def test_no_officer_or_no_commune_goes_to_the_admins_at_once(rig: Rig) -> None:
    resident = await rig.person("resident")
    await rig.person("quan.tri", "admin")
    await rig.report(resident, danger=True)  # phường Chiềng An has no officer with a phone
    await rig.report(resident, danger=False, commune=None)  # unknown village
    await rig.run_due()
    sent = await rig.alerts()
    assert [u for u, _ in sent] == ["sim:quan.tri", "sim:quan.tri"]
    assert all(t.startswith("Xã chưa có cán bộ nhận tin qua điện thoại:") for _, t in sent)


async def test_nobody_to_tell_is_written_in_the_history(rig: Rig) -> None:
    resident = await rig.person("resident")
    report = await rig.report(resident, danger=True)
    await rig.run_due()
    assert await rig.alerts() == []
    async with rig.store.read() as tx:
        events = await tx.reports.history(report.ref)
    assert any(e.kind == "alert" and "nobody" in (e.note or "") for e in events)


async def test_the_first_step_observes_its_delay_after_the_report(rig: Rig) -> None:
    def planned(what: str) -> float:
        name = f"banbot_alert_latency_seconds_{what}"
        return REGISTRY.get_sample_value(name, {"stage": "planned"}) or 0.0

    count, total = planned("count"), planned("sum")
    resident = await rig.person("resident")
    await rig.person("can.bo.an", "officer", CHIENG_AN)
    await rig.report(resident, danger=True)
    rig.clock.now += timedelta(seconds=30)  # the job ran 30 s (and the rig's 1 s) late
    await rig.run_due()
    assert planned("count") == count + 1
    assert 30 <= planned("sum") - total <= 32
    rig.clock.now += timedelta(minutes=5)
    await rig.run_due()  # the reminder is a later step: not a first alert's delay
    assert len(await rig.alerts()) == 2 and planned("count") == count + 1
