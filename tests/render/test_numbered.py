"""Numbered options for SMS and mapping a typed number back to its button."""

from __future__ import annotations

import pytest

from bot.domain.messages import Button
from bot.render.numbered import choice_from_reply, numbered_lines

YES_NO = (Button("Có", "yes"), Button("Không", "no"))


def test_numbered_lines() -> None:
    assert numbered_lines(YES_NO) == "1. Có\n2. Không"
    assert numbered_lines(()) == ""


@pytest.mark.parametrize("typed", ["2", " 2 ", "2.", "2)", "#2", "so 2", "Số 2", "chọn 2", "SO2"])
def test_typed_number_maps_to_button(typed: str) -> None:
    assert choice_from_reply(typed, YES_NO) == YES_NO[1]


@pytest.mark.parametrize("typed", ["0", "3", "12", "", "có", "2 con trâu", "1tr5", "-1"])
def test_other_text_is_not_a_choice(typed: str) -> None:
    assert choice_from_reply(typed, YES_NO) is None
