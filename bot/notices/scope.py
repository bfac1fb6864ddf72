"""Who may send a notice where: a head to their own village; an officer to their commune
(all of it, or villages of it); an admin anywhere. Anything else is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.ports import PlaceLookup


class OutOfScope(PermissionError):
    """The sender may not send there; ``str()`` is the sender-facing reason (Vietnamese)."""


@dataclass(frozen=True, slots=True)
class NoticeSender:
    """Who sends: ``actor`` as the audit log names them (``contact:12``, ``user:3``)."""

    actor: str
    role: str  # head | officer | admin
    commune_code: str | None = None
    village_id: str | None = None
    contact_id: int | None = None
    name: str | None = None


def resolve(
    sender: NoticeSender,
    places: PlaceLookup,
    commune_code: str | None,
    village_ids: Sequence[str],
) -> tuple[str | None, tuple[str, ...]]:
    """(commune, villages) the notice goes to, checked against the sender's scope.

    A head names nothing: their village. An officer names villages of their commune, or none
    (the whole commune). An admin names a commune, villages, or neither (everywhere).
    """
    villages = tuple(dict.fromkeys(village_ids))
    for v in villages:
        if places.village(v) is None:
            raise OutOfScope(f"Không có bản {v}.")
    if sender.role == "head":
        if not sender.village_id or any(v != sender.village_id for v in villages):
            raise OutOfScope("Trưởng bản chỉ gửi được cho bản của mình.")
        if commune_code and not sender.village_id.startswith(f"{commune_code}:"):
            raise OutOfScope("Trưởng bản chỉ gửi được cho bản của mình.")
        village = places.village(sender.village_id)
        return (village.commune_code if village else commune_code), (sender.village_id,)
    if sender.role == "officer":
        own = sender.commune_code
        if not own or (commune_code and commune_code != own):
            raise OutOfScope("Cán bộ chỉ gửi được trong xã của mình.")
        if any(not v.startswith(f"{own}:") for v in villages):
            raise OutOfScope("Cán bộ chỉ gửi được cho các bản trong xã của mình.")
        return own, villages
    if sender.role == "admin":
        if commune_code and places.commune(commune_code) is None:
            raise OutOfScope(f"Không có xã {commune_code}.")
        if commune_code and any(not v.startswith(f"{commune_code}:") for v in villages):
            raise OutOfScope("Các bản phải thuộc xã đã chọn.")
        return commune_code, villages
    raise OutOfScope("Chỉ trưởng bản, cán bộ xã và quản trị viên gửi được thông báo.")
