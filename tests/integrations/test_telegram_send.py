"""Telegram send path through aiogram with a fake HTTP session: results and error mapping."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import SendMessage

from bot.channels.base import AdapterConfigError, SendError
from bot.config import Settings
from bot.domain.messages import Button, Outbound, Reply
from bot.render import utf16_units
from integrations.registry import build_enabled
from integrations.telegram.adapter import TelegramAdapter
from integrations.telegram.fake import FAKE_TOKEN, FakeSession, fake_adapter, fake_texts
from tests.integrations.harness import deps

LAN = "telegram:123456789"


@pytest.fixture
def pair() -> Iterator[tuple[TelegramAdapter, FakeSession]]:
    adapter, session = fake_adapter()
    yield adapter, session
    session.assert_all_used()  # an unused scripted answer fails the test


def text_out(text: str = "Em đã nhận tin ạ.") -> Outbound:
    return Outbound("telegram", LAN, text, meta={"reply_markup": {"remove_keyboard": True}})


async def test_success_returns_message_id_and_sends_the_markup(
    pair: tuple[TelegramAdapter, FakeSession],
) -> None:
    adapter, session = pair
    result = await adapter.send(text_out())
    assert result.external_id == "1000"
    [params] = session.sent()
    assert params == {
        "chat_id": 123456789,
        "text": "Em đã nhận tin ạ.",
        "reply_markup": {"remove_keyboard": True},
    }


async def test_inline_keyboard_reaches_the_api(pair: tuple[TelegramAdapter, FakeSession]) -> None:
    adapter, session = pair
    reply = Reply("Nhà bị làm sao ạ?", (Button("Ngập nước", "disaster:house:flooded"),))
    [out] = adapter.render(LAN, [reply], "vi")
    assert (await adapter.send(out)).external_id == "1000"
    markup = session.sent()[0]["reply_markup"]
    assert markup == {
        "inline_keyboard": [[{"text": "Ngập nước", "callback_data": "disaster:house:flooded"}]]
    }


@pytest.mark.parametrize(
    ("status", "description", "params", "kind", "retry_after"),
    [
        (429, "Too Many Requests: retry after 7", {"retry_after": 7}, "throttled", 7.0),
        (403, "Forbidden: bot was blocked by the user", {}, "stopped", None),
        (403, "Forbidden: user is deactivated", {}, "stopped", None),
        (400, "Bad Request: message text is empty", {}, "permanent", None),
        (400, "Bad Request: chat not found", {}, "permanent", None),
        (413, "Request Entity Too Large", {}, "permanent", None),
        (500, "Internal Server Error", {}, "retryable", None),
        (502, "Bad Gateway", {}, "retryable", None),
    ],
)
async def test_errors_map_to_our_kinds(
    pair: tuple[TelegramAdapter, FakeSession],
    status: int,
    description: str,
    params: dict[str, int],
    kind: str,
    retry_after: float | None,
) -> None:
    adapter, session = pair
    session.add_error("sendMessage", status, description, **params)
    with pytest.raises(SendError) as err:
        await adapter.send(text_out())
    assert err.value.kind == kind
    assert err.value.retry_after == retry_after
    assert FAKE_TOKEN not in str(err.value)


def network_error(cause: BaseException) -> TelegramNetworkError:
    """What aiogram's AiohttpSession raises: the aiohttp error is the ``__cause__``."""
    failure = f"{type(cause).__name__}: http://telegram.invalid/bot{FAKE_TOKEN}/sendMessage"
    error = TelegramNetworkError(SendMessage(chat_id=1, text="x"), failure)
    error.__cause__ = cause
    return error


async def test_connect_failure_is_retryable(pair: tuple[TelegramAdapter, FakeSession]) -> None:
    adapter, session = pair
    key = aiohttp.client_reqrep.ConnectionKey("telegram.invalid", 443, True, True, None, None, None)
    refused = aiohttp.ClientConnectorError(key, OSError(111, "Connection refused"))
    session.add_exception("sendMessage", network_error(refused))
    with pytest.raises(SendError) as err:
        await adapter.send(text_out())
    assert (err.value.kind, err.value.code) == ("retryable", "network")
    assert FAKE_TOKEN not in str(err.value) and "<token>" in err.value.detail


@pytest.mark.parametrize(
    "cause",
    [
        aiohttp.ServerDisconnectedError(),
        aiohttp.SocketTimeoutError("read timeout"),
        TimeoutError(),  # aiogram's "Request timeout error"
    ],
    ids=["disconnected", "read-timeout", "total-timeout"],
)
async def test_failure_after_sending_is_unknown(
    pair: tuple[TelegramAdapter, FakeSession], cause: BaseException
) -> None:
    adapter, session = pair
    session.add_exception("sendMessage", network_error(cause))
    with pytest.raises(SendError) as err:
        await adapter.send(text_out())
    assert (err.value.kind, err.value.code) == ("unknown", "network_unknown")
    assert FAKE_TOKEN not in str(err.value)


async def test_garbled_answer_is_unknown(pair: tuple[TelegramAdapter, FakeSession]) -> None:
    # Was "retryable": aiogram drops the HTTP status of an unreadable answer, so this 502 cannot
    # be told from a garbled 200 whose message went out; a retry could send it twice.
    adapter, session = pair
    session.add("sendMessage", 502, {"html": "<h1>502 Bad Gateway</h1>"})
    with pytest.raises(SendError) as err:
        await adapter.send(text_out())
    assert err.value.kind == "unknown"


async def test_foreign_address_is_permanent_without_a_call(
    pair: tuple[TelegramAdapter, FakeSession],
) -> None:
    adapter, session = pair
    with pytest.raises(SendError) as err:
        await adapter.send(Outbound("telegram", "zalo:123", "x"))
    assert err.value.kind == "permanent"
    assert session.calls == []


async def test_oversize_text_is_split_and_every_part_sent(
    pair: tuple[TelegramAdapter, FakeSession],
) -> None:
    adapter, session = pair
    sentence = "Bà con ở bản Nà Sang báo nước lũ dâng cao, cần di dời gấp người già và trẻ nhỏ. "
    text = sentence * 130  # about 10,500 characters: three Telegram messages
    outs = adapter.render(LAN, [Reply(text)], "vi")
    assert len(outs) == 3
    ids = [(await adapter.send(o)).external_id for o in outs]
    assert ids == ["1000", "1001", "1002"]
    sent = [p["text"] for p in session.sent()]
    assert all(1 <= utf16_units(t) <= 4096 for t in sent)
    assert " ".join(sent).split() == text.split()  # nothing lost, nothing added


async def test_set_webhook_sends_secret_and_update_types(
    pair: tuple[TelegramAdapter, FakeSession],
) -> None:
    adapter, session = pair
    assert await adapter.set_webhook("https://bot.xa.vn/webhooks/telegram") is True
    [call] = session.calls
    assert call.method == "setWebhook"
    assert call.params["url"] == "https://bot.xa.vn/webhooks/telegram"
    assert call.params["secret_token"] == "test-secret_42"
    assert call.params["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
    assert not call.params.get("drop_pending_updates")  # pending updates are kept


async def test_webhook_info_is_plain_json(pair: tuple[TelegramAdapter, FakeSession]) -> None:
    adapter, session = pair
    info = {
        "url": "https://bot.xa.vn/webhooks/telegram",
        "has_custom_certificate": False,
        "pending_update_count": 3,
        "last_error_date": 1767225600,
        "last_error_message": "Wrong response from the webhook: 403 Forbidden",
    }
    session.add("getWebhookInfo", 200, {"ok": True, "result": info})
    got = await adapter.webhook_info()
    assert got["pending_update_count"] == 3
    assert got["last_error_message"] == info["last_error_message"]


def settings(**telegram: object) -> Settings:
    return Settings(env="test", telegram={"enabled": True, **telegram})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "telegram",
    [
        {"webhook_secret": "s3cret"},  # no token
        {"token": FAKE_TOKEN},  # no secret
        {"token": FAKE_TOKEN, "webhook_secret": "has spaces"},
        {"token": FAKE_TOKEN, "webhook_secret": "x" * 257},
    ],
)
def test_build_refuses_missing_or_invalid_secrets(telegram: dict[str, str]) -> None:
    with pytest.raises(AdapterConfigError, match="BANBOT_TELEGRAM__") as err:
        TelegramAdapter(settings(**telegram), deps(fake_texts))
    assert FAKE_TOKEN not in str(err.value)


def test_build_refuses_a_token_of_the_wrong_shape() -> None:
    with pytest.raises(AdapterConfigError, match="BANBOT_TELEGRAM__TOKEN") as err:
        TelegramAdapter(settings(token="not-a-token", webhook_secret="abc"), deps(fake_texts))
    assert "not-a-token" not in str(err.value)


async def test_registry_builds_the_adapter_when_enabled() -> None:
    enabled = settings(token=FAKE_TOKEN, webhook_secret="abc_DEF-123")
    adapters = build_enabled(enabled, deps(fake_texts))
    adapter = adapters["telegram"]
    try:
        assert (adapter.name, adapter.rendering) == ("telegram", "telegram")
        assert isinstance(adapter, TelegramAdapter)
    finally:
        await adapter.aclose()
