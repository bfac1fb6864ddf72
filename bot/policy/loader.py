"""Read and validate ``data/policy/*.yml`` into frozen domain values.

Every problem raises :class:`PolicyDataError` naming the file and the key path, with list
positions shown by the item's ``id`` / ``key`` (``standards[nd07_2021].income_line``), so an
officer who mistyped a figure can find it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.domain.policy import Indicator, LoanProgram, Standard, Support
from bot.policy.schema import Bilingual, IndicatorsFile, StandardModel, StandardsFile
from bot.policy.schema_catalogue import (
    LoanProgramModel,
    LoansFile,
    ReviewFile,
    SupportModel,
    SupportsFile,
)

M = TypeVar("M", bound=BaseModel)
_RANK = {"C": 0, "P": 1, "U": 2}


class PolicyDataError(ValueError):
    """The policy data is missing or wrong; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class PolicyData:
    """Everything in ``data/policy/``, validated; standards sorted by date."""

    standards: tuple[Standard, ...]
    standard_models: dict[str, StandardModel]
    indicators: dict[str, Indicator]
    dimensions: dict[str, dict[str, str]]
    supports: tuple[Support, ...]
    disaster: tuple[Support, ...]
    loans: tuple[LoanProgram, ...]
    review: ReviewFile


def _label(node: Any, part: int | str) -> str:
    """``[nd07_2021]`` for a list item that has an id or key, else ``[3]`` or ``.name``."""
    if isinstance(part, int):
        item = node[part] if isinstance(node, list) and part < len(node) else None
        name = (item.get("id") or item.get("key")) if isinstance(item, dict) else None
        return f"[{name if isinstance(name, str) else part}]"
    return f".{part}"


def _where(raw: Any, loc: tuple[int | str, ...]) -> str:
    text, node = "", raw
    for part in loc:
        text += _label(node, part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return text.lstrip(".") or "(top level)"


def read_model(path: Path, model: type[M]) -> M:
    """Parse one YAML file into ``model`` or raise PolicyDataError naming file and keys."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyDataError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise PolicyDataError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_where(raw, tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise PolicyDataError(f"{path}: " + "; ".join(problems)) from exc


def _text(b: Bilingual) -> dict[str, str]:
    return {"vi": b.vi, "en": b.en}


def _standard(m: StandardModel) -> Standard:
    parts = [m.dates_confidence, m.rule.confidence, m.income_line.confidence]
    parts += [m.indicators.confidence]
    if m.average_upper is not None:
        parts.append(m.average_upper.confidence)
    return Standard(
        id=m.id,
        name=_text(m.name),
        legal_basis=m.legal_basis,
        valid_from=m.valid_from,
        valid_to=m.valid_to,
        income_line=m.income_line.values.model_dump(),
        average_upper=m.average_upper.values.model_dump() if m.average_upper else None,
        min_deprivations=m.rule.min_deprivations,
        indicators=tuple(m.indicators.keys),
        confidence=max(parts, key=_RANK.__getitem__),  # the weakest part
        short=_text(m.short),
    )


def _support(m: SupportModel) -> Support:
    return Support(
        key=m.key,
        name=_text(m.name),
        detail=_text(m.detail),
        for_classes=tuple(m.for_classes),
        legal_basis=m.legal_basis,
        confidence=m.confidence,
        valid_from=m.valid_from,
        valid_to=m.valid_to,
        requires=tuple(m.requires),
        applies_if={fact: tuple(values) for fact, values in m.applies_if.items()},
    )


def _loans(p: LoanProgramModel) -> list[LoanProgram]:
    out = []
    for v in p.versions:
        over = v.model_fields_set
        who = v.who if "who" in over and v.who else p.who
        note = v.max_note if "max_note" in over else p.max_note
        out.append(
            LoanProgram(
                key=p.key,
                name=_text(p.name),
                who=_text(who),
                max_amount=v.max_amount if "max_amount" in over else p.max_amount,
                max_note=_text(note) if note else None,
                rate_percent=v.rate_percent,
                term_months=v.term_months if "term_months" in over else p.term_months,
                legal_basis=v.legal_basis,
                confidence=v.confidence,
                for_classes=tuple(p.for_classes),
                valid_from=v.valid_from,
                valid_to=v.valid_to,
                short=_text(p.short),
                requires=tuple(p.requires),
            )
        )
    return out


def load_policy_data(policy_dir: Path) -> PolicyData:
    """Read the five files in ``policy_dir`` and check the keys that span files."""
    std = read_model(policy_dir / "standards.yml", StandardsFile)
    ind = read_model(policy_dir / "indicators.yml", IndicatorsFile)
    sup = read_model(policy_dir / "supports.yml", SupportsFile)
    loans = read_model(policy_dir / "loans.yml", LoansFile)
    review = read_model(policy_dir / "review.yml", ReviewFile)
    for m in std.standards:
        for key in m.indicators.keys:
            if key not in ind.indicators:
                raise PolicyDataError(
                    f"{policy_dir / 'standards.yml'}: standards[{m.id}].indicators.keys: "
                    f"unknown indicator {key!r} (not in indicators.yml)"
                )
    indicators = {
        key: Indicator(
            key=key,
            dimension=i.dimension,
            name=_text(i.name),
            question=_text(i.question),
            ask_if=i.ask_if,
            confidence=i.confidence,
            deprived_if=i.deprived_if,
            options=tuple((_text(o.label), o.deprived) for o in i.options or ()),
            skip_if_deprived=tuple(i.skip_if_deprived),
            not_deprived_on_chat_apps=i.not_deprived_on_chat_apps,
        )
        for key, i in ind.indicators.items()
    }
    ordered = sorted(std.standards, key=lambda s: s.valid_from)
    return PolicyData(
        standards=tuple(_standard(m) for m in ordered),
        standard_models={m.id: m for m in ordered},
        indicators=indicators,
        dimensions={k: _text(v) for k, v in ind.dimensions.items()},
        supports=tuple(_support(s) for s in sup.supports),
        disaster=tuple(_support(s) for s in sup.disaster),
        loans=tuple(x for p in loans.programs for x in _loans(p)),
        review=review,
    )
