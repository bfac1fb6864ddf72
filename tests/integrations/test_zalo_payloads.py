"""Tolerant reading of OA webhook bodies where public sources disagree."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.messages import Location
from integrations.zalo.payloads import event_of, load_json, location_of, media_of, text_of


@pytest.mark.parametrize(
    "message",
    [
        {
            "attachments": [
                {
                    "type": "location",
                    "payload": {"coordinates": {"latitude": "21.3256", "longitude": "103.9188"}},
                }
            ]
        },
        {
            "attachments": [
                {"type": "location", "payload": {"coordinates": {"lat": 21.3256, "long": 103.9188}}}
            ]
        },
        {
            "attachments": [
                {"type": "location", "payload": {"latitude": 21.3256, "longitude": 103.9188}}
            ]
        },
        {
            "attachment": {
                "type": "location",
                "payload": {"coordinates": {"latitude": 21.3256, "lng": "103.9188"}},
            }
        },
        {"location": {"latitude": "21.3256", "longitude": "103.9188"}},
    ],
    ids=["strings", "lat-long", "flat-payload", "single-attachment", "flat-location"],
)
def test_location_variants(message: dict[str, Any]) -> None:
    assert location_of(message) == Location(lat=21.3256, lon=103.9188)


@pytest.mark.parametrize(
    "message",
    [
        {},
        {"location": {"latitude": "abc", "longitude": "1"}},
        {"location": {"latitude": 95, "longitude": 103}},
        {"location": {"latitude": "nan", "longitude": "1"}},
        {"attachments": "oops"},
    ],
)
def test_unusable_locations_are_none(message: dict[str, Any]) -> None:
    assert location_of(message) is None


def test_media_prefers_full_size_and_skips_non_images() -> None:
    message = {
        "attachments": [
            {"type": "image", "payload": {"thumbnail": "t1", "url": "u1"}},
            {"type": "image", "payload": {"thumbnail": "t2"}},
            {"type": "sticker", "payload": {"url": "s"}},
            {"type": "location", "payload": {"coordinates": {"latitude": 1, "longitude": 2}}},
        ]
    }
    assert media_of(message) == ("photo:u1", "photo:t2")
    assert media_of(message, "sticker") == ("sticker:s",)
    voice = {"attachments": [{"type": "audio", "payload": {"url": "v1"}}]}
    assert media_of(voice, "voice") == ("voice:v1",) and media_of(voice) == ()


def test_ids_as_numbers_become_strings_and_delivery_reports_name_the_recipient() -> None:
    event = event_of(
        {
            "event_name": "user_seen_message",
            "timestamp": 1767226100000,
            "sender": {"id": 579745863508352884},
            "recipient": {"id": 2468458835296197922},
            "message": {"msg_ids": ["a"]},
        }
    )
    assert (event.user_id, event.timestamp_ms) == ("2468458835296197922", 1767226100000)


def test_text_of_and_load_json() -> None:
    assert [text_of(v) for v in ("12", 12, 12.0, 1.5, None, True, [1])] == [
        "12",
        "12",
        "12",
        "",
        "",
        "",
        "",
    ]
    assert load_json(b"[1, 2]") is None
    assert load_json(b"\xff") is None
    assert load_json(b'{"a": 1}') == {"a": 1}
