"""``banbot policy classify``: JSON lines in, one JSON line out per household.

In:  ``{"area": "rural"|"urban", "income": <int VND/person/month>, "deprived": [keys],
"date": "YYYY-MM-DD"}`` (``deprived`` defaults to ``[]``; ``date`` to today in the
configured time zone, Asia/Ho_Chi_Minh by default).
Out: ``{"class", "standard", "income_line", "deprivations"}``, or ``{"error": "..."}`` for a
bad line; the run goes on, blank lines are skipped and the exit status stays 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import click

from bot.config import get_settings
from bot.policy.loader import PolicyDataError
from bot.policy.service import Policy

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(value: Any, today: Callable[[], date]) -> date:
    if value is None:
        return today()
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise ValueError(f"date must be a YYYY-MM-DD string, got {value!r}")
    return date.fromisoformat(value)  # raises ValueError on 2026-02-30


def classify_line(policy: Policy, line: str, today: Callable[[], date]) -> dict[str, Any]:
    """The JSON object to print for one input line (never raises on bad input)."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"invalid JSON: {exc.msg}"}
    if not isinstance(request, dict):
        return {"error": "expected a JSON object"}
    area, income = request.get("area"), request.get("income")
    deprived = request.get("deprived", [])
    try:
        if not isinstance(area, str):
            raise ValueError(f"area must be a string, got {area!r}")
        if isinstance(income, bool) or not isinstance(income, int):
            raise ValueError(f"income must be an integer (VND/person/month), got {income!r}")
        if not isinstance(deprived, list) or not all(isinstance(k, str) for k in deprived):
            raise ValueError("deprived must be a list of indicator keys")
        result = policy.classify(area, income, deprived, _day(request.get("date"), today))
    except ValueError as exc:
        return {"error": str(exc)}
    return {
        "class": result.klass,
        "standard": result.standard.id,
        "income_line": result.income_line,
        "deprivations": result.deprivations,
    }


@click.command("classify")
@click.option(
    "--policy-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder with the policy YAML files (default: BANBOT_DATA_DIR/policy).",
)
@click.argument("infile", type=click.File("r", encoding="utf-8"), default="-")
def classify_command(policy_dir: Path | None, infile: TextIO) -> None:
    """Classify households read as JSON lines from INFILE (default stdin), indicatively."""
    settings = get_settings()
    try:
        policy = Policy.load(policy_dir or settings.data_dir / "policy")
    except PolicyDataError as exc:
        raise click.ClickException(str(exc)) from exc
    zone = ZoneInfo(settings.timezone)

    def today() -> date:
        return datetime.now(zone).date()

    for line in infile:
        if line.strip():
            click.echo(json.dumps(classify_line(policy, line, today), ensure_ascii=False))
