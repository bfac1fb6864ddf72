"""Who may send a notice where, for every role: a head only to their own village, an officer
only within their commune, an admin anywhere, anyone else nowhere. Every refusal is audited
and leaves no notice behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.notices.scope import NoticeSender, OutOfScope, resolve
from bot.notices.service import Draft
from bot.places.gazetteer import Gazetteer
from tests.support.jobrig import JobRig, job_rig

PLACES = Gazetteer.load(ROOT / "data" / "places")
CHIENG_AN, NAM_NIEU, PANH = "03664", "03664:nam niệu", "03664:panh"
OTHER_COMMUNE, OTHER_VILLAGE = "04075", PLACES.villages_of("04075")[0].id

HEAD = NoticeSender("contact:1", "head", CHIENG_AN, NAM_NIEU)
OFFICER = NoticeSender("contact:2", "officer", CHIENG_AN)
ADMIN = NoticeSender("user:1", "admin")


@pytest.mark.parametrize(
    ("sender", "commune", "villages", "expected"),
    [
        (HEAD, None, (), (CHIENG_AN, (NAM_NIEU,))),
        (HEAD, CHIENG_AN, (NAM_NIEU,), (CHIENG_AN, (NAM_NIEU,))),
        (OFFICER, None, (), (CHIENG_AN, ())),  # the whole commune
        (OFFICER, CHIENG_AN, (NAM_NIEU, PANH, NAM_NIEU), (CHIENG_AN, (NAM_NIEU, PANH))),
        (ADMIN, None, (), (None, ())),  # everywhere
        (ADMIN, OTHER_COMMUNE, (OTHER_VILLAGE,), (OTHER_COMMUNE, (OTHER_VILLAGE,))),
        (ADMIN, None, (NAM_NIEU, OTHER_VILLAGE), (None, (NAM_NIEU, OTHER_VILLAGE))),
    ],
)
def test_in_scope(
    sender: NoticeSender,
    commune: str | None,
    villages: tuple[str, ...],
    expected: tuple[str | None, tuple[str, ...]],
) -> None:
    assert resolve(sender, PLACES, commune, villages) == expected


@pytest.mark.parametrize(
    ("sender", "commune", "villages", "reason"),
    [
        (HEAD, None, (PANH,), "bản của mình"),  # a neighbour's village
        (HEAD, OTHER_COMMUNE, (), "bản của mình"),
        (NoticeSender("contact:3", "head", CHIENG_AN, None), None, (), "bản của mình"),
        (OFFICER, OTHER_COMMUNE, (), "trong xã của mình"),
        (OFFICER, None, (OTHER_VILLAGE,), "trong xã của mình"),
        (OFFICER, None, ("03664:không có",), "Không có bản"),
        (NoticeSender("contact:4", "officer", None), None, (), "trong xã của mình"),
        (ADMIN, "99999", (), "Không có xã"),
        (ADMIN, CHIENG_AN, (OTHER_VILLAGE,), "thuộc xã đã chọn"),
        (NoticeSender("contact:5", "resident"), None, (), "Chỉ trưởng bản"),
    ],
)
def test_out_of_scope(
    sender: NoticeSender, commune: str | None, villages: tuple[str, ...], reason: str
) -> None:
    with pytest.raises(OutOfScope, match=reason):
        resolve(sender, PLACES, commune, villages)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[JobRig]:
    made = await job_rig(tmp_path)
    try:
        yield made
    finally:
        await made.store.close()


async def test_a_refusal_is_audited_and_leaves_nothing(rig: JobRig) -> None:
    draft = Draft("village_notices", "Họp bản", village_ids=(PANH,))
    async with rig.store.transaction() as tx:
        with pytest.raises(OutOfScope):
            await rig.notices.create(tx, HEAD, draft, ip="10.0.0.9")
    async with rig.store.read() as tx:
        [refused] = await tx.audit.recent(action="notice.refused")
        assert await tx.notices.by_sender(HEAD.actor) == []
    assert (refused.actor, refused.ip) == ("contact:1", "10.0.0.9")
    assert refused.detail["villages"] == [PANH]
    assert "bản của mình" in refused.detail["reason"]
    assert await rig.run_due() == 0  # no plan job either


async def test_an_accepted_notice_is_audited_with_its_audience(rig: JobRig) -> None:
    draft = Draft("loans", "Vay vốn hộ nghèo", commune_code=CHIENG_AN, village_ids=(PANH,))
    async with rig.store.transaction() as tx:
        notice = await rig.notices.create(tx, OFFICER, draft)
    async with rig.store.read() as tx:
        [created] = await tx.audit.recent(action="notice.created")
    assert created.target == f"notice:{notice.id}"
    assert (created.detail["commune"], created.detail["villages"]) == (CHIENG_AN, [PANH])


@pytest.mark.parametrize(
    ("topic", "text"), [("weather", "Trời mưa"), ("loans", "   "), ("loans", "x" * 1001)]
)
async def test_bad_drafts_are_refused(rig: JobRig, topic: str, text: str) -> None:
    async with rig.store.transaction() as tx:
        with pytest.raises(ValueError):
            await rig.notices.create(tx, OFFICER, Draft(topic, text))
    async with rig.store.read() as tx:
        assert await tx.notices.by_sender(OFFICER.actor) == []
