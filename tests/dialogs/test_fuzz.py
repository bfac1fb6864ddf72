"""Whatever a resident types, the engine answers, keeps plain JSON, and loses no answer."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.engine import Engine
from tests.dialogs.client import Client

# Places in every flow where an answer is awaited (inputs that reach them).
PATHS = [
    ["1"],
    ["1", "4"],
    ["1", "4", "không rõ"],
    ["1", "4", "không rõ", "1"],
    ["1", "4", "không rõ", "1", "5tr một tháng"],
    ["1", "4", "không rõ", "1", "5tr một tháng", "4"],
    ["1", "4", "không rõ", "1", "5tr một tháng", "4", "có", "có"],
    ["2"],
    ["2", "1"],
    ["2", "1", "Lò Văn An"],
    ["2", "2", "bố tôi"],
    ["2", "10"],
    ["3"],
    ["3", "có", "bản Panh"],
    ["3", "có", "bản Panh", "1", "3"],
    ["3", "không", "bản Panh", "1", "3", "1"],
    ["3", "không", "bản Panh", "1", "3", "1,2", "2"],
    ["4"],
    ["5"],
    ["6"],
]
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "🙂", "\x00", "999999", "-1", "1,2,3", "k", "?", "ba", "0 người"]),
    st.text(alphabet="0123456789,. ", max_size=8),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PATHS), text=TEXT)
def test_any_text_is_answered_and_loses_nothing(engine: Engine, path: list[str], text: str) -> None:
    client = Client(engine)
    for step in path:
        client.send(step)
    before = json.loads(json.dumps(client.session))
    wants = engine.wants_nlu(client.session, _input(client, text))
    ex = client.send(text)
    assert ex.replies, "every input gets an answer"
    assert client.session is not None
    if wants and not engine.routing.command(text):
        # not an answer here: same question, same answers so far
        assert client.session["flow"] == before["flow"]
        assert client.session["step"] == before["step"]
        assert client.session["slots"] == before["slots"]


def _input(client: Client, text: str):  # type: ignore[no-untyped-def]
    from bot.engine.types import Input

    return Input(client.now, client.contact, text=text)
