"""What a journey costs the resident: turns, messages and (SMS) billed segments, per channel.

Each journey is a scripted resident (a *persona*): a first message, then answers chosen by
reading the bot's last question (rules of ``question pattern -> answer``), so the same persona
walks an older version of the flows as well as today's. Every journey runs from a **new
contact** (the first-contact notice included) through the real pipeline in-process: built-in
NLU, real gazetteer and policy data, SQLite in a temporary folder, memory sessions, the clock
fixed at ``--date``. Replies are rendered the way each channel shows them (``bot.render``,
the settings' SMS budget and unaccented flag); chat-app residents press buttons, SMS residents
type the number.

``--baseline REF`` (default: the commit before issue 11) also runs the personas against
``git archive REF`` in a subprocess and prints both, so one run gives before / after:

    .venv/bin/python bench/sms_cost.py [--baseline e01a279] [--date 2026-12-01]

Output: one JSON object ``{"benchmark": "sms_cost", "date", "cores", "after": {...},
"before": {...}}``; per journey and channel: ``turns`` (resident messages), ``messages``
(bot messages as sent), ``chars``, and on SMS ``segments`` (billed), ``max_turn_segments``,
``first_reply_segments`` and ``marked_segments`` (the turn that shows the journey's marker:
the eligibility result, the disaster reference code, the loan detail).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "e01a279"  # main before issue 11 ("journeys a villager finishes")
CHANNELS = ("telegram", "zalo", "sms")
ICT = timezone(timedelta(hours=7))
MAX_TURNS = 45
PIN = (21.3256, 103.9188)

# An answer: ("pick", title pattern) presses / types the number of the first matching option;
# ("say", text) types; ("pin", None) shares PIN (chat apps); ("photo", ref) sends a photo.
Answer = tuple[str, Any]


@dataclass(frozen=True)
class Persona:
    """A scripted resident. ``rules`` are tried in order on the folded last bot message."""

    first: str
    rules: tuple[tuple[str, Answer], ...]
    marker: str  # a pattern in the bot's folded text marking the journey's key screen
    end: str = r"can gi them"  # the flow is over (before issue 11 every flow ended on the menu)


CONFIRM: tuple[tuple[str, Answer], ...] = (
    (r"em ghi lai:|gui cho can bo xa nhe", ("pick", r"^co$")),
)
NO_DANGER: tuple[tuple[str, Answer], ...] = (
    *CONFIRM,
    (r"nguy hiem", ("pick", r"^khong$")),
)
HOUSE_STAY = ((r"dang o dau|o nha hay|so tan|di doi", ("pick", r"o nha|van o")),)
ELIGIBILITY_RULES: tuple[tuple[str, Answer], ...] = (
    (r"co phai .*dong khong", ("pick", r"^co$")),
    (r"danh sach ho ngheo|co ten trong|da la ho", ("pick", r"chua|khong")),
    (r"ban nao|o dau|xa/phuong nao|xa, phuong", ("say", "ban na cang xa mai son")),
    (r"phai khong a\??$", ("pick", r"^dung$|^co$")),
    (r"nong thon|thanh thi", ("pick", r"nong thon|^xa")),
    (r"may nguoi|bao nhieu nguoi", ("say", "6")),
    (r"moi nguoi hay ca nha|tinh thu nhap", ("pick", r"ca nha")),
    (r"mot nam thu duoc", ("say", "6 trieu mot thang")),  # one question: whose, how long
    (r"bao nhieu tien|thu nhap|kiem duoc", ("say", "6 trieu")),
    # Lacking three living conditions (work, health insurance, a makeshift house), not the
    # others; questions phrased "có phải chưa/không ... không?" (before issue 11) are answered
    # "không" for "not lacking", those asking what the household has are answered "có".
    (r"\(\d+/\d+\)[^\n]*(viec lam|that nghiep|vat lieu tam)", ("pick", r"^co$")),
    (r"\(\d+/\d+\)[^\n]*bao hiem y te", ("pick", r"^co$|chua co")),
    (r"\(\d+/\d+\)[^\n]*co phai", ("pick", r"^khong$")),
    (r"\(\d+/\d+\)[^\n]*lay tu dau", ("pick", r"nuoc may")),
    (r"\(\d+/\d+\)[^\n]*loai nao", ("pick", r"tu hoai")),
    (r"\(\d+/\d+\)[^\n]*(dien thoai|ti vi|vao duoc internet|tren mang|rac)", ("pick", r"^co$")),
    (r"\(\d+/\d+\)", ("pick", r"^khong$")),
    (r"duoi 16|tre em|tre nho|3 den 15|di hoc", ("pick", r"^co$")),
    (r"16 den 30", ("pick", r"^khong$")),
    (r"gui .*can bo|gui de nghi", ("pick", r"^co$")),
    (r".", ("pick", r"^khong$")),
)


def flood_report(first: str, village: str) -> Persona:
    """A flood, nobody in danger, five people, nobody vulnerable, the house flooded, at home."""
    return Persona(
        first=first,
        rules=(
            *NO_DANGER,
            *HOUSE_STAY,
            (r"ban nao|xa/phuong", ("say", village)),
            (r"gap chuyen gi", ("pick", r"ngap")),
            (r"bao nhieu nguoi|may nguoi", ("say", "5")),
            (r"can chu y|nguoi gia|giup do dac biet", ("pick", r"khong co ai")),
            (r"nha cua|ngoi nha|nha hien", ("pick", r"bi ngap")),
            (r"vi tri", ("pin", None)),
            (r"gui anh|anh hien truong", ("photo", "photo:AgACAgUAAxkBAAIBsmS3")),
            (r".", ("pick", r"^khong$|bo qua")),
        ),
        marker=r"[A-Z]{2}-[A-Z0-9]{6}",
        end=r"can gi them|da ghi du",
    )


PERSONAS: dict[str, Persona] = {
    "eligibility": Persona(
        first="cho hoi kiem tra ho ngheo",
        rules=ELIGIBILITY_RULES,
        marker=r"ket qua",
        end=r"can gi them|ma phan anh cua|khi can",
    ),
    "disaster": flood_report("nha em bi ngap", "ban nam nieu"),
    # The same report from a resident who writes with diacritics: the replies keep them (UCS-2).
    "disaster_accented": flood_report("nhà em bị ngập", "bản Nam Niệu"),
    "disaster_danger": Persona(
        first="nha em o ban nam nieu bi sat lo",
        rules=(
            *CONFIRM,
            (r"nguy hiem", ("pick", r"^co$")),
            (r"dang o dau|o nha hay|so tan|di doi", ("pick", r"so tan|o nho")),
            (r"ban nao|xa/phuong", ("say", "ban nam nieu")),
            (r"gap chuyen gi", ("pick", r"sat lo")),
            (r"bao nhieu nguoi|may nguoi", ("say", "4")),
            (r"can chu y|nguoi gia|giup do dac biet", ("pick", r"tre em|tre nho")),
            (r"xong", ("pick", r"^xong$")),
            (r"nha cua|ngoi nha|nha hien", ("pick", r"nut|hu nang")),
            (r"vi tri", ("pin", None)),
            (r"gui anh|anh hien truong", ("pick", r"bo qua")),
            (r".", ("pick", r"^khong$|bo qua")),
        ),
        marker=r"[A-Z]{2}-[A-Z0-9]{6}",
        end=r"can gi them|da ghi du",
    ),
    "household_birth": Persona(
        first="bao thay doi trong ho",
        rules=(
            *CONFIRM,
            (r"thay doi gi", ("pick", r"sinh con")),
            (r"khi nao|ngay nao|bao gio", ("say", "hom qua")),
            (r"ban nao|xa/phuong", ("say", "ban panh phuong chieng an")),
            (r"ten|ai|be|chau", ("say", "Lo Thi Mai")),
            (r".", ("pick", r"^khong$")),
        ),
        marker=r"[A-Z]{2}-[A-Z0-9]{6}",
        end=r"can gi them|xa xet moi thang",
    ),
    "loans": Persona(
        first="vay von",
        rules=(
            (r"chuong trinh", ("pick", r"ho ngheo")),
            (r"nhan tin", ("pick", r"^khong$")),
            (r".", ("pick", r"^khong$")),
        ),
        marker=r"lai suat",
        end=r"can gi them|da vang",
    ),
}


def fold(text: str) -> str:
    from bot.textnorm import fold as _fold

    return str(_fold(text))


@dataclass
class Tally:
    turns: int = 0
    messages: int = 0
    chars: int = 0
    segments: int = 0
    max_turn_segments: int = 0
    first_reply_segments: int = 0
    marked_segments: int = 0
    finished: bool = False
    log: list[str] = field(default_factory=list)

    def as_json(self, channel: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "turns": self.turns,
            "messages": self.messages,
            "chars": self.chars,
            "finished": self.finished,
        }
        if channel == "sms":
            out.update(
                segments=self.segments,
                max_turn_segments=self.max_turn_segments,
                first_reply_segments=self.first_reply_segments,
                marked_segments=self.marked_segments,
            )
        return out


# Not the question: Zalo's overflow buttons, the misses offer, the SMS hint or options alone.
_ASIDE = r"^(lua chon khac|more options|neu kho tra loi|tra loi bang so|\d+\. )"


def _choose(persona: Persona, shown: list[Any]) -> Answer:
    if any(b.title.startswith("✓") for m in shown for b in m.buttons):
        return ("pick", r"^xong$")  # a multi-choice with something ticked: done
    asked = [m for m in shown if not re.search(_ASIDE, fold(m.text))]
    question = fold(asked[-1].text) if asked else ""
    for pattern, answer in persona.rules:
        if re.search(pattern, question):
            return answer
    return ("say", "menu")


def _pressed(answer: Answer, shown: list[Any], channel: str) -> tuple[str, str | None]:
    """(text, button payload) for a "pick": a button on chat apps, its number on SMS."""
    pattern = str(answer[1])
    if channel == "sms":
        lines = [ln for m in shown for ln in m.text.splitlines()]
        numbered = [ln for ln in lines if re.match(r"^\d+\. ", ln)]
        for line in numbered:
            number, _, title = line.partition(". ")
            if re.search(pattern, fold(title)):
                return number, None
        return ("1" if re.search("co", pattern) else "2"), None
    buttons = [b for m in shown for b in m.buttons]
    for b in buttons:
        if re.search(pattern, fold(b.title)):
            return "", b.payload
    return ("khong" if "khong" in pattern else "co"), None


async def run_persona(app: Any, persona: Persona, channel: str, now: datetime) -> Tally:
    from bot.domain.messages import Inbound, Location
    from bot.render.render import render

    user = f"cost{uuid.uuid4().hex[:8]}"
    tally = Tally()
    text, button, location, media = persona.first, None, None, ()
    for _ in range(MAX_TURNS):
        inbound = Inbound(
            channel="sim",
            address=f"sim:{user}",
            external_id=uuid.uuid4().hex,
            text=text,
            button=button,
            location=location,
            media=media,
            render_as=channel,
        )
        outcome = await app.pipeline.handle(inbound, now=now)
        now += timedelta(seconds=20)
        shown = render(
            outcome.replies,
            channel,
            sms_max_segments=app.settings.sms_max_segments,
            sms_unaccented=app.settings.sms_unaccented,
            numbered_hint=app.engine.text("sms.numbered_hint", outcome.language),
        )
        tally.turns += 1
        tally.messages += len(shown)
        tally.chars += sum(len(m.text) for m in shown)
        segments = sum(int(m.segments or 0) for m in shown)
        tally.segments += segments
        tally.max_turn_segments = max(tally.max_turn_segments, segments)
        if tally.turns == 1:
            tally.first_reply_segments = segments
        said = "\n".join(m.text for m in shown)
        tally.log.append(f">> {text or button or location or media}\n{said}")
        marked = re.search(persona.marker, said) or re.search(persona.marker, fold(said))
        if marked and not tally.marked_segments:
            tally.marked_segments = segments
        if re.search(persona.end, fold(said)) and tally.turns > 1:
            tally.finished = True
            break
        answer = _choose(persona, shown)
        text, button, location, media = "", None, None, ()
        if answer[0] == "pick":
            text, button = _pressed(answer, shown, channel)
        elif answer[0] == "say":
            text = str(answer[1])
        elif answer[0] == "pin":
            location = Location(*PIN)
        elif answer[0] == "photo":
            media = (str(answer[1]),)
    return tally


async def measure(day: str, verbose: bool) -> dict[str, Any]:
    """Every persona on every channel against the code this process imports."""
    from bench.webhooks import UNPACED
    from bot.app import build_app
    from bot.config import Settings

    now = datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=ICT)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            env="test",
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'cost.db'}",
            redis_url=None,
            limits=UNPACED,
        )
        app = await build_app(settings)
        try:
            for name, persona in PERSONAS.items():
                results[name] = {}
                for channel in CHANNELS:
                    tally = await run_persona(app, persona, channel, now)
                    results[name][channel] = tally.as_json(channel)
                    if verbose:
                        print(f"==== {name} / {channel}", file=sys.stderr)
                        print("\n".join(tally.log), file=sys.stderr)
        finally:
            await app.aclose()
    return results


def baseline(ref: str, day: str, verbose: bool) -> dict[str, Any]:
    """The same personas against ``git archive ref``, in a subprocess that imports that tree."""
    archive = subprocess.run(  # noqa: S603 - git with fixed arguments
        ["git", "archive", "--format=tar", ref],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        script = Path(tmp) / "bench" / "sms_cost.py"
        script.write_text(Path(__file__).read_text(encoding="utf-8"), encoding="utf-8")
        cmd = [sys.executable, str(script), "--measure-only", "--date", day]
        if verbose:
            cmd.append("--verbose")
        env = {**os.environ, "PYTHONPATH": tmp, "BANBOT_REDIS_URL": ""}
        done = subprocess.run(  # noqa: S603 - this interpreter, this script
            cmd, cwd=tmp, env=env, check=True, capture_output=True, text=True
        )
        if verbose:
            print(done.stderr, file=sys.stderr)
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default=BASELINE, help="git ref to compare with ('' = none)")
    parser.add_argument("--date", default="2026-12-01", help="the day the journeys happen")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verbose", action="store_true", help="print every conversation")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    os.environ.setdefault("BANBOT_REDIS_URL", "")
    after = asyncio.run(measure(args.date, args.verbose))
    if args.measure_only:
        print(json.dumps(after))
        return
    out: dict[str, Any] = {
        "benchmark": "sms_cost",
        "date": time.strftime("%Y-%m-%d"),
        "journey_date": args.date,
        "cores": os.cpu_count(),
        "after": after,
    }
    if args.baseline:
        out["baseline"] = args.baseline
        out["before"] = baseline(args.baseline, args.date, args.verbose)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
