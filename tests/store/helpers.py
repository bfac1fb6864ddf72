"""Shared data and helpers for the store contract tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import func, select

from bot.domain.places import Commune, Village
from bot.store import ReportRecord, Store
from bot.store.models import Contact, Report, ReportEventRow

# Real units from the seed gazetteer (CV 1027/CTK-CSCL codes, NQ 1681 & 1670 predecessors).
CHIENG_AN = Commune("03664", "Chiềng An", "phuong", "Sơn La", "14", "urban", "P")
MAI_SON = Commune("04105", "Mai Sơn", "xa", "Sơn La", "14", "rural", "C")
MU_CA = Commune("03451", "Mù Cả", "xa", "Lai Châu", "12", "rural", "C")
BAN_PANH = Village("03664:panh", "Panh", "bản Panh", "ban", "03664", "C")
NAM_NIEU = Village("03664:nam niệu", "Nam Niệu", "bản Nam Niệu", "ban", "03664", "SEED")
TIEU_KHU_4 = Village("04105:4", "4", "tiểu khu 4", "tieu_khu", "04105", "P")
PREDECESSORS = [
    ("xã Chiềng Xôm", "thành phố Sơn La", "03664"),
    ("xã Chiềng Đen", "thành phố Sơn La", "03664"),
    ("thị trấn Hát Lót", "huyện Mai Sơn", "04105"),
    ("xã Hát Lót", "huyện Mai Sơn", "04105"),
]
TEXT_VI = "Nhà tôi bị ngập, nước dâng nửa mét ở bản Nam Niệu, phường Chiềng An; cụ già 80 tuổi ốm."


class Boom(Exception):
    """Raised inside a transaction to prove it rolls back."""


def scripted(*codes: str) -> Callable[[], str]:
    it: Iterator[str] = iter(codes)
    return lambda: next(it)


async def count(store: Store, model: type[Report] | type[Contact] | type[ReportEventRow]) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def resident(store: Store, urn: str = "telegram:1001") -> int:
    async with store.transaction() as tx:
        return (await tx.contacts.get_or_create(urn, urn.split(":")[0], "vi")).id


async def report(store: Store, contact_id: int, **kw: object) -> ReportRecord:
    fields: dict[str, object] = {"type": "disaster", "subtype": "flood", "commune_code": "03664"}
    fields.update(kw)
    async with store.transaction() as tx:
        return await tx.reports.create(contact_id=contact_id, **fields)  # type: ignore[arg-type]
