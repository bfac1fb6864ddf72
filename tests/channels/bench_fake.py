"""A registry module for the benchmark test: builds a FakeAdapter named ``telegram``."""

from __future__ import annotations

from typing import Any

from tests.channels.fakes import FakeAdapter


def build(settings: Any, deps: Any) -> FakeAdapter:
    return FakeAdapter("telegram", secret=settings.telegram.webhook_secret.get_secret_value())
