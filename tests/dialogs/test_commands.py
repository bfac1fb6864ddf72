"""Global commands are whole messages, folded; cleaning removes what must never reach a step."""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.engine.commands import key
from bot.engine.flows import load_flows
from bot.engine.routing import load_routing
from bot.engine.steps import STEPS
from bot.textnorm import MAX_TEXT
from bot.textnorm import clean_text as clean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("huỷ", "cancel"), ("Hủy!", "cancel"), ("huy", "cancel"), ("thoát", "cancel"),
        ("menu", "menu"), ("0", "menu"), ("MENU", "menu"),
        ("quay lại", "back"), ("quay lai", "back"), ("back", "back"),
        ("gặp cán bộ", "officer"), ("gap can bo", "officer"), ("Gặp cán bộ xã", "officer"),
        ("STOP", "stop"), ("huỷ đăng ký", "stop"), ("huy dang ky", "stop"),
        ("đăng ký", "subscribe"),
        ("huỷ hoại nhà cửa", None), ("0 người", None), ("10", None), ("", None),
    ],
)  # fmt: skip
def test_commands(text: str, expected: str | None) -> None:
    routing = load_routing(load_flows(ROOT / "dialogs", set(STEPS)), ROOT / "dialogs/commands.yml")
    assert routing.command(text) == expected


def test_clean_drops_control_and_format_characters() -> None:
    assert clean("a\x00b\x07c\u200bd\ne") == "a b cd\ne"  # a notice keeps its lines
    assert clean("một\r\n\n\n\n  hai  \n") == "một\n\nhai"  # at most one blank line
    assert clean("  nhà\t\tem  ") == "nhà em"


def test_clean_cuts_long_text_without_refusing_it() -> None:
    assert len(clean("á" * 10_000)) == MAX_TEXT


def test_clean_normalises_decomposed_vietnamese() -> None:
    decomposed = "nha\u0300"  # "nhà" typed with a combining grave accent
    assert clean(decomposed) == "nhà"
    assert key("Bản Nam Niệu!") == "ban nam nieu"


@pytest.mark.parametrize(
    ("text", "busy", "expected"),
    [
        ("cần giúp", False, "safety_answer"), ("an toan", False, "safety_answer"),
        ("cần giúp", True, None),  # in a step: the words are its answer (a handover's reason)
        ("VT-ABCD-EFGH", True, "role_code"), ("NHAN TT-7K3Q9M", True, "officer_ack"),
        ("cần giúp đỡ làm giấy tờ", False, None),
    ],
)  # fmt: skip
def test_patterns_claim_whole_messages_and_everyday_words_only_outside_a_step(
    text: str, busy: bool, expected: str | None
) -> None:
    routing = load_routing(load_flows(ROOT / "dialogs", set(STEPS)), ROOT / "dialogs/commands.yml")
    assert routing.pattern_flow(text, busy=busy) == expected
