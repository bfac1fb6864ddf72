"""BuiltinNlu: Rasa's /model/parse shape, the fallback, junk input, the Nlu port."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nlu.builtin import FALLBACK_INTENT, BuiltinNlu
from bot.nlu.normalize import MAX_CHARS
from bot.ports import Nlu


def assert_rasa_shape(result: dict, text: str) -> None:  # type: ignore[type-arg]
    assert set(result) == {"text", "intent", "entities", "intent_ranking"}
    assert result["text"] == text
    assert set(result["intent"]) == {"name", "confidence"}
    assert 0.0 <= result["intent"]["confidence"] <= 1.0
    assert len(result["intent_ranking"]) <= 11  # 10 real candidates + nlu_fallback, as Rasa
    for item in result["intent_ranking"]:
        assert set(item) == {"name", "confidence"}
    for e in result["entities"]:
        assert {"entity", "value", "start", "end", "extractor", "confidence"} <= set(e)
        assert 0 <= e["start"] < e["end"] <= len(text)


def test_implements_the_nlu_port(nlu: BuiltinNlu) -> None:
    assert isinstance(nlu, Nlu)


async def test_async_parse_equals_sync(nlu: BuiltinNlu) -> None:
    text = "nha e bi ngap, 5 nguoi"
    assert await nlu.parse(text) == nlu.parse_sync(text)


def test_confident_answer(nlu: BuiltinNlu) -> None:
    result = nlu.parse_sync("nhà em bị ngập rồi, cứu với")
    assert_rasa_shape(result, "nhà em bị ngập rồi, cứu với")
    assert result["intent"]["name"] == "report_disaster"
    ranking = result["intent_ranking"]
    assert ranking[0] == result["intent"]
    assert len(ranking) == 10
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert FALLBACK_INTENT not in [r["name"] for r in ranking]


@pytest.mark.parametrize("text", ["asdkjh qwe zxc", "xyzzy", "qwertyuiop", "🙂🙂🙂", "....", "12"])
def test_gibberish_falls_back_keeping_candidates(nlu: BuiltinNlu, text: str) -> None:
    result = nlu.parse_sync(text)
    assert_rasa_shape(result, text)
    assert result["intent"] == {"name": FALLBACK_INTENT, "confidence": 0.55}
    # As Rasa's FallbackClassifier: fallback first, then the real (low) candidates.
    assert result["intent_ranking"][0] == {"name": FALLBACK_INTENT, "confidence": 0.55}
    real = result["intent_ranking"][1:]
    assert all(r["confidence"] < 0.55 for r in real)
    if any(ch.isalnum() for ch in text):
        assert len(real) == 10


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x07\x1b", "🙂"])
def test_empty_or_wordless_text_is_fallback(nlu: BuiltinNlu, text: str) -> None:
    result = nlu.parse_sync(text)
    assert result["intent"]["name"] == FALLBACK_INTENT
    assert result["entities"] == []


def test_threshold_is_respected(nlu: BuiltinNlu) -> None:
    strict = BuiltinNlu(nlu.model, nlu.normalizer, nlu.lookups, threshold=0.999)
    result = strict.parse_sync("nha e bi ngap")
    assert result["intent"] == {"name": FALLBACK_INTENT, "confidence": 0.999}
    assert result["intent_ranking"][1]["name"] == "report_disaster"
    lax = BuiltinNlu(nlu.model, nlu.normalizer, nlu.lookups, threshold=0.0)
    assert lax.parse_sync("xyzzy")["intent"]["name"] != FALLBACK_INTENT


def test_very_long_text_is_analysed_up_to_the_cap(nlu: BuiltinNlu) -> None:
    text = "nhà em bị ngập, cứu với. " * 250  # 6,250 characters
    result = nlu.parse_sync(text)
    assert_rasa_shape(result, text)
    assert result["intent"]["name"] == "report_disaster"
    spots = [e["start"] for e in result["entities"]]
    assert spots == [i for i in range(MAX_CHARS) if text.startswith("ngập", i)]


def test_decomposed_unicode_spans(nlu: BuiltinNlu) -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "nhà em bị ngập")
    (entity,) = nlu.parse_sync(text)["entities"]
    assert unicodedata.normalize("NFC", text[entity["start"] : entity["end"]]) == "ngập"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_on_any_string(nlu: BuiltinNlu, text: str) -> None:
    assert_rasa_shape(nlu.parse_sync(text), text)
