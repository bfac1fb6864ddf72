"""When the commune reviews and how a household asks, for a given day (``review.yml``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.policy.schema import Bilingual
from bot.policy.schema_catalogue import ReviewFile, TextPart


def _text(b: Bilingual) -> dict[str, str]:
    return {"vi": b.vi, "en": b.en}


def _part(p: TextPart) -> dict[str, Any]:
    return {"text": _text(p.text), "confidence": p.confidence}


def _window(review: ReviewFile, day: date) -> tuple[date, date]:
    """The yearly review window that is open on ``day`` or comes next."""
    start = date.fromisoformat(f"{day.year}-{review.periodic.start}")
    end = date.fromisoformat(f"{day.year}-{review.periodic.end}")
    if day > end:
        start, end = start.replace(year=day.year + 1), end.replace(year=day.year + 1)
    return start, end


def _next_monthly(review_day: int, day: date) -> date:
    """The next in-year review day on or after ``day``."""
    if day.day <= review_day:
        return day.replace(day=review_day)
    if day.month == 12:
        return date(day.year + 1, 1, review_day)
    return date(day.year, day.month + 1, review_day)


def review_info(review: ReviewFile, day: date) -> dict[str, Any]:
    """JSON-ready facts: review windows around ``day``, the forms, how to submit, loans path.

    Keys: ``periodic`` (``start``, ``end``, ``open``, ``text``, ``legal_basis``,
    ``confidence``), ``monthly`` (``day``, ``next``, ...), ``forms`` (by key: ``number``,
    ``name``, ``use``, ``to``, ``legal_basis``, ``confidence``), ``how_to_submit``,
    ``loans_path``, ``indicative`` (each ``text`` + ``confidence``), ``civil_registration``
    (``birth``, ``death``: ``text`` + ``confidence``). Dates are ISO strings.
    """
    start, end = _window(review, day)
    p, m = review.periodic, review.monthly
    return {
        "periodic": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "open": start <= day <= end,
            "legal_basis": p.legal_basis,
            **_part(p),
        },
        "monthly": {
            "day": m.day,
            "next": _next_monthly(m.day, day).isoformat(),
            "legal_basis": m.legal_basis,
            **_part(m),
        },
        "forms": {
            f.key: {
                "number": f.number,
                "name": _text(f.name),
                "use": _text(f.use),
                "to": _text(f.to),
                "legal_basis": f.legal_basis,
                "confidence": f.confidence,
            }
            for f in review.forms
        },
        "how_to_submit": _part(review.how_to_submit),
        "loans_path": _part(review.loans_path),
        "indicative": _part(review.indicative),
        "civil_registration": {
            "birth": _part(review.civil_registration.birth),
            "death": _part(review.civil_registration.death),
        },
    }
