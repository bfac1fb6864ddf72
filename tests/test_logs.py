"""Log lines: structured (JSON in production), with request / conversation ids, and no phone
number, whether in a message, a session key, an exception text or an extra field."""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import App
from bot.domain.messages import Inbound
from bot.logs import configure, formatter, log_format
from bot.logsafe import mask_phones, protect
from bot.sessions.keys import conversation_id
from tests.conftest import make_settings
from tests.web.conftest import Sim, client
from tests.web.test_sim import disaster_by_sms

__all__ = ["client"]  # the fixture, used by name

PHONE = "tel:+84912345678"
DIGITS = "912345678"  # the number without its country code: in no line, in no form
_ids = itertools.count(1)


class Lines:
    """Every line as the production handler writes it, in JSON and on the console (rendered
    when logged, as the handler does: the context is the one of the moment)."""

    def __init__(self) -> None:
        self.json, self.console = io.StringIO(), io.StringIO()

    def parsed(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.json.getvalue().splitlines()]

    def text(self) -> str:
        return self.json.getvalue() + self.console.getvalue()


@pytest.fixture
def lines() -> Iterator[Lines]:
    out = Lines()
    handlers = []
    for stream, fmt in ((out.json, "json"), (out.console, "console")):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter(fmt))  # type: ignore[arg-type]
        handlers.append(handler)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield out
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("from tel:+84912345678", "from tel:+8491****678"),
        ("key banbot:lock:tel:tel%3A+84912345678", "key banbot:lock:tel:tel%3A+8491****678"),
        ("gọi 0912 345 678 nhé", "gọi 091****678 nhé"),
        ("0912.345.678", "091****678"),
        ("/sim/outbox/%2B84912345678", "/sim/outbox/%2B8491****678"),
        ("telegram:123456789", "telegram:123****89"),
    ],
)
def test_phone_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_phones(text) == masked
    assert mask_phones(masked) == masked  # masking twice changes nothing


@pytest.mark.parametrize(
    "text",
    ["2026-12-02T09:25:49+00:00", "report TT-7K2M9Q saved", "id 12345", "127.0.0.1:8080"],
)
def test_ids_dates_and_small_numbers_are_left_alone(text: str) -> None:
    assert mask_phones(text) == text


@given(
    national=st.from_regex(r"9[0-9]{8}", fullmatch=True),
    form=st.sampled_from(["+84{}", "84{}", "0{}", "tel:+84{}", "tel%3A%2B84{}"]),
    before=st.text(alphabet=" :=/(,aZ_", max_size=3),
    after=st.text(alphabet=" )./,aZ_", max_size=3),
)
def test_no_vietnamese_mobile_number_survives(
    national: str, form: str, before: str, after: str
) -> None:
    line = f"x{before}{form.format(national)}{after}y"
    assert national not in mask_phones(line)


async def test_a_conversation_from_a_phone_leaves_no_number_in_any_log_line(
    bot_app: App, lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    for text in ("xin chao", "3", "1", "ban nam nieu"):
        await bot_app.pipeline.handle(Inbound("android_sms", PHONE, f"m{next(_ids)}", text=text))
    logging.getLogger("tests.careless").info("a careless line about %s", PHONE)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"engine could not read the message of {PHONE}")

    monkeypatch.setattr(bot_app.engine, "step", boom)  # "turn failed": key and traceback
    await bot_app.pipeline.handle(Inbound("android_sms", PHONE, f"m{next(_ids)}", text="4"))

    parsed = lines.parsed()
    assert any(re.match(r"report \S+ saved", line["event"]) for line in parsed)
    assert any("tel:+8491****678" in line["event"] for line in parsed)  # the SQL debug lines
    assert DIGITS not in lines.text()
    [careless] = [line for line in parsed if line["logger"] == "tests.careless"]
    assert careless["event"] == "a careless line about tel:+8491****678"
    [failed] = [line for line in parsed if line["event"] == "turn failed; session kept"]
    assert failed["conversation"] == conversation_id(PHONE)
    assert "+8491****678" in failed["exception"] and failed["level"] == "error"


async def test_json_lines_carry_the_request_and_conversation_ids(
    client: httpx.AsyncClient, lines: Lines
) -> None:
    sim = Sim(client, "ids", channel="sms")
    await disaster_by_sms(sim)
    body = {"user": sim.user, "channel": "sms", "text": "ban nam nieu"}
    answer = await client.post("/sim/messages", json=body, headers={"X-Request-ID": "req-0042-abc"})
    assert answer.status_code == 200 and answer.headers["x-request-id"] == "req-0042-abc"
    [saved] = [line for line in lines.parsed() if re.match(r"report \S+ saved", line["event"])]
    assert saved["request_id"] == "req-0042-abc"
    assert saved["conversation"] == conversation_id("sim:ids")
    assert saved["logger"] == "bot.actions" and saved["level"] == "info"
    assert saved["timestamp"].endswith("Z")


async def test_a_request_without_a_usable_id_gets_a_fresh_one(client: httpx.AsyncClient) -> None:
    first = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    second = await client.get("/healthz")
    ids = {first.headers["x-request-id"], second.headers["x-request-id"]}
    assert len(ids) == 2 and all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)


def test_configure_writes_json_lines_without_secrets_or_numbers() -> None:
    protect(["log-secret-Qq77"])
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure("json", stream=stream)
    try:
        logging.getLogger("bot.test").warning(
            "calling %s failed", PHONE, extra={"url": "redis://:log-secret-Qq77@h/0"}
        )
        try:
            raise ValueError(f"token log-secret-Qq77 for {PHONE}")
        except ValueError:
            logging.getLogger("bot.test").exception("send failed")
    finally:
        for handler in [h for h in root.handlers if h.formatter is not None]:
            if getattr(handler, "stream", None) is stream:
                root.removeHandler(handler)
        root.setLevel(level)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "calling tel:+8491****678 failed"
    assert first["url"] == "redis://:***@h/0" and first["level"] == "warning"
    assert "***" in second["exception"] and "+8491****678" in second["exception"]
    assert "log-secret-Qq77" not in stream.getvalue() and DIGITS not in stream.getvalue()


def test_a_secret_with_digits_is_redacted_whole_before_numbers_are_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    protect(["9876543210:BotTok3nXyz"])  # a bot token: ten digits, then the secret part
    caplog.set_level(logging.INFO)
    logging.getLogger("httpx").info("POST https://api.test/bot9876543210:BotTok3nXyz/send")
    assert caplog.records[-1].getMessage() == "POST https://api.test/bot***/send"


def test_production_logs_json_and_development_the_console(tmp_path: Path) -> None:
    assert log_format(make_settings(tmp_path, env="production")) == "json"
    assert log_format(make_settings(tmp_path, env="development")) == "console"
    assert log_format(make_settings(tmp_path, env="production", log_format="console")) == "console"
