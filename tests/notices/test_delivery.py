"""A notice's delivery with a frozen clock: it waits for its time, goes to the audience it has
then, and STOP, a per-topic opt-out or a cancellation after planning still win (the message is
skipped, with the reason). Planning twice sends once; the sender gets one summary."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.notices.scope import NoticeSender
from bot.notices.service import Draft
from bot.store.notices import NoticeRecord
from tests.support.jobrig import JobRig, job_rig

NAM_NIEU, PANH = "03664:nam niệu", "03664:panh"


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[JobRig]:
    made = await job_rig(tmp_path, notice_watch_seconds=30)
    try:
        yield made
    finally:
        await made.store.close()


async def head(rig: JobRig) -> NoticeSender:
    contact = await rig.person("truong.ban", "head", "03664", village=NAM_NIEU)
    return NoticeSender(f"contact:{contact}", "head", "03664", NAM_NIEU, contact)


async def send(rig: JobRig, sender: NoticeSender, draft: Draft) -> NoticeRecord:
    async with rig.store.transaction() as tx:
        return await rig.notices.create(tx, sender, draft)


async def statuses(rig: JobRig) -> dict[str, tuple[str, str | None]]:
    """Recipient -> (status, why skipped) of every notice message."""
    return {
        m["urn"].removeprefix("sim:"): (m["status"], m["error_code"])
        for m in await rig.messages("notice")
    }


async def test_a_scheduled_notice_waits_for_its_time(rig: JobRig) -> None:
    sender = await head(rig)
    await rig.person("a", village=NAM_NIEU, topics=("village_notices",))
    at = rig.clock() + timedelta(hours=10)
    notice = await send(rig, sender, Draft("village_notices", "Họp bản 7 giờ", send_at=at))
    await rig.person("b", village=NAM_NIEU, topics=("village_notices",))  # joins before it goes
    rig.clock.now += timedelta(hours=9, minutes=59)
    assert await rig.run_due() == 0
    assert await rig.messages("notice") == []
    rig.clock.now += timedelta(minutes=1)
    assert await rig.run_due() == 1
    assert await statuses(rig) == {"a": ("queued", None), "b": ("queued", None)}
    await rig.pump()
    assert await statuses(rig) == {"a": ("sent", None), "b": ("sent", None)}
    async with rig.store.read() as tx:
        assert (await tx.notices.get(notice.id)).status == "sending"  # type: ignore[union-attr]
    rig.clock.now += timedelta(seconds=30)
    assert await rig.run_due() == 1  # the watch: nothing waits -> done, and the summary
    async with rig.store.read() as tx:
        done = await tx.notices.get(notice.id)
    assert done is not None and done.status == "done" and done.planned == 2
    [summary] = await rig.messages("system")
    assert summary["urn"] == "sim:truong.ban" and "2/2" in summary["text"]
    rig.clock.now += timedelta(minutes=5)
    assert await rig.run_due() == 0  # no second summary


async def test_stop_and_opt_out_after_planning_still_win(rig: JobRig) -> None:
    sender = await head(rig)
    for user in ("keeps", "stops", "opts_out"):
        await rig.person(user, village=NAM_NIEU, topics=("village_notices", "loans"))
    await rig.person("loans_only", village=NAM_NIEU, topics=("loans",))
    await rig.person("elsewhere", village=PANH, topics=("village_notices",))
    await send(rig, sender, Draft("village_notices", "Họp bản"))
    await rig.run_due()
    assert set(await statuses(rig)) == {"keeps", "stops", "opts_out"}
    async with rig.store.transaction() as tx:
        await tx.contacts.set_stopped(await contact_id(rig, "stops"), True)
        await tx.subscriptions.set(await contact_id(rig, "opts_out"), ("village_notices",), False)
    await rig.pump()
    assert await statuses(rig) == {
        "keeps": ("sent", None),
        "stops": ("skipped", "stopped"),
        "opts_out": ("skipped", "opted_out"),
    }


async def test_a_warning_ignores_topic_choices_but_not_stop(rig: JobRig) -> None:
    officer = NoticeSender("contact:0", "officer", "03664")
    await rig.person("subscribed", village=NAM_NIEU, topics=("disaster_warnings",))
    await rig.person("nothing", village=PANH)
    stopped = await rig.person("stopped_before", village=PANH)
    async with rig.store.transaction() as tx:
        await tx.contacts.set_stopped(stopped, True)
    await rig.person("opts_out_later", village=PANH, topics=("disaster_warnings",))
    await rig.person("no_village")
    await send(rig, officer, Draft("disaster_warnings", "Lũ quét, tránh xa suối"))
    await rig.run_due()
    async with rig.store.transaction() as tx:
        await tx.subscriptions.set(
            await contact_id(rig, "opts_out_later"), ("disaster_warnings",), False
        )
    await rig.pump()
    assert await statuses(rig) == {
        "subscribed": ("sent", None),
        "nothing": ("sent", None),
        "opts_out_later": ("sent", None),
    }


async def test_cancelling_before_the_time_sends_nothing_and_after_skips_the_rest(
    rig: JobRig,
) -> None:
    sender = await head(rig)
    await rig.person("a", village=NAM_NIEU, topics=("village_notices",))
    later = await send(
        rig, sender, Draft("village_notices", "Mai họp", send_at=rig.clock() + timedelta(hours=1))
    )
    now = await send(rig, sender, Draft("village_notices", "Nay họp"))
    assert await rig.run_due() == 1  # only the one due now is planned
    async with rig.store.transaction() as tx:
        assert await rig.notices.cancel(tx, later, "contact:1")
        assert await rig.notices.cancel(tx, now, "contact:1")
        assert not await rig.notices.cancel(tx, now, "contact:1")  # once
    rig.clock.now += timedelta(hours=2)
    await rig.run_due()
    await rig.pump()
    messages = await rig.messages("notice")
    assert [(m["text"], m["status"], m["error_code"]) for m in messages] == [
        ("📢 trưởng bản Nam Niệu: Nay họp", "skipped", "cancelled")
    ]
    async with rig.store.read() as tx:
        assert len(await tx.audit.recent(action="notice.cancelled")) == 2


async def test_planning_twice_sends_once(rig: JobRig) -> None:
    sender = await head(rig)
    await rig.person("a", village=NAM_NIEU, topics=("village_notices",))
    notice = await send(rig, sender, Draft("village_notices", "Họp bản"))
    for _ in range(2):  # a plan job run again after a crash before its commit
        async with rig.store.transaction() as tx:
            await rig.notices.planner.plan(tx, notice, now=rig.clock())
    await rig.run_due()
    await rig.pump()
    assert await statuses(rig) == {"a": ("sent", None)}
    async with rig.store.read() as tx:
        assert await tx.notices.delivery_count(notice.id) == 1


async def contact_id(rig: JobRig, user: str) -> int:
    async with rig.store.read() as tx:
        found = await tx.contacts.by_urn(f"sim:{user}")
    assert found is not None
    return found.id
