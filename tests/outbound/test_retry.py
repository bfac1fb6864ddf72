"""ThrottleBackoff: the adapter's pause when a provider throttles without naming a wait."""

from __future__ import annotations

import pytest

from bot.outbound.retry import ThrottleBackoff


def test_first_pause_is_short_and_doubles_while_throttles_follow_pauses() -> None:
    b = ThrottleBackoff(first=1.0, most=8.0, quiet=30.0)
    now = 100.0
    pauses = []
    for _ in range(6):
        pause = b.next("zalo", now)
        pauses.append(pause)
        now += pause + 0.1  # the next call after the pause is throttled again
    assert pauses == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_calls_in_flight_when_the_pause_began_do_not_escalate_it() -> None:
    b = ThrottleBackoff(first=1.0)
    assert b.next("zalo", 10.0) == 1.0
    # seven more answers of calls already on their way: what is left of the same pause
    assert [b.next("zalo", 10.0 + k / 10) for k in range(1, 8)] == pytest.approx(
        [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    )
    assert b.next("zalo", 11.5) == 2.0  # a call sent after the pause: that one counts


def test_a_quiet_spell_starts_again_from_the_first_pause() -> None:
    b = ThrottleBackoff(first=1.0, quiet=30.0)
    assert b.next("zalo", 0.0) == 1.0
    assert b.next("zalo", 2.0) == 2.0
    assert b.next("zalo", 4.0 + 31.0) == 1.0


def test_adapters_are_apart() -> None:
    b = ThrottleBackoff(first=1.0)
    assert b.next("zalo", 0.0) == 1.0
    assert b.next("zalo", 1.5) == 2.0
    assert b.next("telegram", 1.5) == 1.0
