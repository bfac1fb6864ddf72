"""The one JSON object type: what sessions, NLU parses, action arguments and payloads are."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]
