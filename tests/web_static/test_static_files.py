"""Static checks on the simulator web chat: files, references, API use and safe DOM writes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"
FILES = ("index.html", "chat.js", "chat.css")


class _Collector(HTMLParser):
    """Collects tags with their attributes, and inline script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_script += data.strip()


@pytest.fixture(scope="module")
def page() -> _Collector:
    parser = _Collector()
    parser.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def script() -> str:
    return (STATIC / "chat.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", FILES)
def test_file_exists_and_is_utf8(name: str) -> None:
    assert (STATIC / name).read_text(encoding="utf-8").strip()


def test_index_loads_script_and_style_from_static(page: _Collector) -> None:
    scripts = [a.get("src") for t, a in page.tags if t == "script"]
    styles = [a.get("href") for t, a in page.tags if t == "link" and a.get("rel") == "stylesheet"]
    assert scripts == ["/static/chat.js"]
    assert styles == ["/static/chat.css"]
    assert page.inline_script == ""  # no inline code: a strict CSP stays possible


def test_index_is_vietnamese_and_mobile_ready(page: _Collector) -> None:
    html = dict(page.tags[0][1]) if page.tags[0][0] == "html" else {}
    assert html.get("lang") == "vi"
    viewports = [a for t, a in page.tags if t == "meta" and a.get("name") == "viewport"]
    assert viewports and "width=device-width" in (viewports[0].get("content") or "")
    text = (STATIC / "index.html").read_text(encoding="utf-8")
    for label in ("Bản Bot", "Bắt đầu", "Cuộc trò chuyện mới", "Telegram", "Zalo", "SMS"):
        assert label in text


def test_every_button_and_input_has_an_accessible_name(page: _Collector) -> None:
    text = (STATIC / "index.html").read_text(encoding="utf-8")
    for tag, attrs in page.tags:
        if tag == "input":
            assert attrs.get("aria-label") or f'for="{attrs.get("id")}"' in text
        if tag == "button" and attrs.get("class", "").startswith("icon-btn"):
            assert attrs.get("aria-label"), attrs


def test_no_external_resources() -> None:
    for name in FILES:
        content = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", content, re.IGNORECASE), name
        assert "@import" not in content


def test_script_posts_json_to_the_simulator_api(script: str) -> None:
    assert re.search(r"""["']/sim/messages["']""", script)
    assert re.search(r"""method:\s*["']POST["']""", script)
    assert "application/json" in script
    assert "JSON.stringify" in script
    for field in ("user", "channel", "text", "button", "location", "media"):
        assert re.search(rf"\b{field}\b", script), field


def test_script_never_writes_html(script: str) -> None:
    # Replies and typed text are data; they only ever reach the page through textContent.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
    assert "new Function" not in script
    assert "textContent" in script


def test_script_handles_errors_and_keeps_typed_text(script: str) -> None:
    assert "422" in script
    assert "detail" in script
    assert "input.value = input.value ?" in script or "input.value = restore" in script


def test_script_stores_the_user_id_and_offers_a_new_one(script: str) -> None:
    assert "localStorage" in script
    assert "Cuộc trò chuyện mới" in (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.search(r"function newChat\(", script)


def test_sample_pins_are_in_the_served_provinces(script: str) -> None:
    pins = [
        (float(lat), float(lon))
        for lat, lon in re.findall(r"lat:\s*([\d.]+),\s*lon:\s*([\d.]+)", script)
    ]
    assert len(pins) >= 3
    # Northern Vietnam: every pin inside a box around Lai Châu, Sơn La, Thái Nguyên and Hà Nội.
    assert all(20.5 < lat < 23.5 and 102.0 < lon < 106.5 for lat, lon in pins)
    assert any(abs(lat - 21.33) < 0.05 and abs(lon - 103.92) < 0.05 for lat, lon in pins)
