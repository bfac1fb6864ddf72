"""The vi / en catalogues: same keys, same placeholders, every key the engine uses exists."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest

from bot.domain.messages import Reply
from bot.engine.checks import used_text_keys
from bot.engine.engine import Engine
from bot.engine.texts import Catalog
from tests.dialogs.conftest import DIALOGS

ENGINE_SRC = Path(__file__).resolve().parents[2] / "bot" / "engine"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(DIALOGS / "locales")


ADDRESS = {"addr", "Addr"}  # how the bot calls the resident: every text may use it, or not
ALL = {"addr": "anh/chị", "Addr": "Anh/chị"}


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f} - ADDRESS


def test_vi_and_en_have_the_same_keys(catalog: Catalog) -> None:
    assert catalog.keys("vi") == catalog.keys("en")


def test_vi_and_en_use_the_same_placeholders(catalog: Catalog) -> None:
    for key in catalog.keys("vi"):
        vi = catalog._texts["vi"][key]
        en = catalog._texts["en"][key]
        assert _fields(vi) == _fields(en), key
        base = key.rsplit(".", 1)[0]
        if key.endswith(".sms") and catalog.has(base):  # an SMS variant may say less, not more
            assert _fields(vi) <= _fields(catalog._texts["vi"][base]), key


def test_every_key_the_flows_and_step_kinds_use_exists(engine: Engine, catalog: Catalog) -> None:
    missing = {k for k in used_text_keys(engine.flows) if not catalog.has(k)}
    assert missing == set()


def test_every_key_named_in_engine_code_exists(catalog: Catalog) -> None:
    used = set()
    for path in ENGINE_SRC.rglob("*.py"):
        used |= set(re.findall(r"\.t\(\s*\"([a-z0-9_.]+)\"", path.read_text(encoding="utf-8")))
    assert len(used) > 20  # the scan itself works
    assert {k for k in used if not catalog.has(k)} == set()


def test_sms_variant_wins_on_sms_only(catalog: Catalog) -> None:
    assert "gõ số" in catalog.text("vi", "menu.prompt", "sms", **ALL).lower()
    telegram = catalog.text("vi", "menu.prompt", "telegram", **ALL)
    assert telegram == catalog.text("vi", "menu.prompt", **ALL)


def test_unknown_language_falls_back_to_vietnamese(catalog: Catalog) -> None:
    assert catalog.text("hmn", "yn.yes") == "Có"


def test_missing_key_or_placeholder_fails_loudly(catalog: Catalog) -> None:
    with pytest.raises(KeyError):
        catalog.text("vi", "no.such.key")
    with pytest.raises(KeyError):
        catalog.text("vi", "retry.range", min=1)  # {max} missing


def test_resident_texts_are_polite_vietnamese(catalog: Catalog) -> None:
    questions = [k for k in catalog.keys("vi") if ".ask_" in k and not k.endswith(".sms")]
    assert questions
    for key in questions:
        assert "ạ" in catalog._texts["vi"][key] or "Ví dụ" in catalog._texts["vi"][key], key


# A money figure or a rate: digits with a unit of money or a percent sign.
_FIGURE = re.compile(
    r"\d[\d.,]*\s*(%|phần trăm|triệu|trieu|tr\b|nghìn|ngàn|k\b|đồng|dong|vnd|million|m\b|củ|tỷ)",
    re.IGNORECASE,
)
# An example of how to type an answer ("ví dụ 2tr") is not a figure the bot states.
_EXAMPLE = re.compile(
    r"(ví dụ|vd|gõ như|for example|e\.g\.|like)\b(?:(?!\.(?:\s|$))[^?!\n])*", re.IGNORECASE
)


def figures(text: str) -> list[str]:
    """Money figures and rates stated in ``text`` (examples of input left out)."""
    return [m.group(0) for m in _FIGURE.finditer(_EXAMPLE.sub("", text))]


def test_the_figure_check_catches_what_it_must() -> None:
    assert figures("nhà sập, trôi: từ 40 triệu; hư hỏng nặng: từ 20 triệu đồng") == [
        "40 triệu",
        "20 triệu",
    ]
    assert figures("Lãi suất 6,24%/năm") == ["6,24%"]
    assert figures("Em chưa đọc được số tiền, ví dụ 2tr hoặc 2.000.000 đồng ạ.") == []
    assert figures("GỌI NGAY 112 (cứu nạn), 114 (cháy)") == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_locale_text_states_a_money_figure_or_rate(catalog: Catalog, lang: str) -> None:
    """Amounts, rates and their conditions come from data/policy, never a second copy here."""
    stated = {k: figures(v) for k, v in catalog._texts[lang].items() if figures(v)}
    assert stated == {}


def test_bà_con_is_kept_for_broadcasts(catalog: Catalog) -> None:
    individual = {k: v for k, v in catalog._texts["vi"].items() if not k.startswith("broadcast.")}
    assert [k for k, v in individual.items() if "bà con" in v.lower()] == []


_LAW = re.compile(r"Nghị định|Quyết định|Thông tư|NĐ-CP|QĐ-TTg|\d+/\d{4}/")


def test_questions_name_no_decree(catalog: Catalog, real_engine: Engine) -> None:
    """Decree numbers belong in results and in what officers read, not in questions."""
    questions = [v for k, v in catalog._texts["vi"].items() if ".ask_" in k]
    policy = real_engine.services.policy
    for day in (date(2026, 6, 1), date(2027, 6, 1)):
        questions += [i.question["vi"] for i in policy.indicators(day)]
    assert len(questions) > 30
    assert [q for q in questions if _LAW.search(q)] == []


def test_no_question_is_a_double_negative(catalog: Catalog, real_engine: Engine) -> None:
    """ "Có phải chưa có … không?" makes "Không" ambiguous: questions ask what there is."""
    questions = [v for k, v in catalog._texts["vi"].items() if ".ask_" in k]
    for day in (date(2026, 6, 1), date(2027, 6, 1)):
        questions += [i.question["vi"] for i in real_engine.services.policy.indicators(day)]
    twisted = re.compile(r"có phải (chưa|không)|(chưa|không) (có|ai)\b.*không\?$", re.I)
    assert [q for q in questions if twisted.search(q)] == []


@pytest.mark.parametrize("plain", [True, False])
def test_the_first_contact_notice_is_one_sms(catalog: Catalog, plain: bool) -> None:
    from bot.render import render
    from bot.render.plain import plain_replies

    notice = [Reply(catalog.text("vi", "notice.text", "sms", **ALL))]
    if plain:
        notice = plain_replies(notice)
    [message] = render(notice, "sms")
    assert message.segments == 1, message.text
    assert "BAO MAT" in message.text  # the full text on request


def test_every_media_kind_has_its_texts(catalog: Catalog) -> None:
    from bot.engine.functions.media import KINDS

    for kind in KINDS:
        for key in (f"media.{kind}", f"media.cannot.{kind}", f"media.name.{kind}"):
            assert catalog.has(key), key
        if kind != "sticker":  # a sticker is never kept with a report
            assert catalog.has(f"media.{kind}.kept"), kind


def test_every_change_type_has_its_name_and_questions(catalog: Catalog, engine: Engine) -> None:
    step = engine.flows["household_change"].steps["change"]
    values = [o.value for o in step.options] + list(step.get("also") or {})
    for value in values:
        assert catalog.has(f"hc.opt.{value}"), value
    assert catalog.has("hc.ask_who.death") and catalog.has("hc.ask_when.birth")
