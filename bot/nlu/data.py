"""A small reader of Rasa 3.x NLU training data (YAML).

It understands what ``nlu_data/`` uses: ``intent`` blocks whose examples carry inline entity
annotations (``[bị ngập](hazard)`` or ``[nhà sập]{"entity": "hazard", "value": "collapse"}``),
``synonym``, ``lookup`` and ``regex`` blocks. Examples come back as plain text with entity spans
pointing into that text, as Rasa's own parser produces them. Anything else in a file (stories,
rules, responses) is ignored; malformed data raises :class:`NluDataError` naming the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The same grammar as rasa.shared.nlu.training_data.entities_parser: [text](type[:value]) or
# [text]{json}.
_ENTITY = re.compile(
    r"\[(?P<text>[^\]]+?)\](?:\((?P<type>[^:)]+?)(?::(?P<value>[^)]+))?\)|(?P<dict>\{[^}]+?\}))"
)


class NluDataError(ValueError):
    """The training data is not valid Rasa NLU YAML."""


@dataclass(frozen=True, slots=True)
class EntitySpan:
    """An annotated entity: ``text[start:end]`` of its example, with its (canonical) value."""

    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Example:
    """One training example: plain text (markup removed), its intent and entities."""

    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()
    category: str = ""  # the intent block's ``metadata: {category: ...}`` (test sets)


@dataclass(slots=True)
class NluData:
    """Everything read from one or more Rasa NLU files."""

    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # lower-case text -> value
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        """Intent names in first-seen order."""
        return list(dict.fromkeys(e.intent for e in self.examples))

    def merge(self, other: NluData) -> None:
        self.examples.extend(other.examples)
        self.synonyms.update(other.synonyms)
        for name, items in other.lookups.items():
            self.lookups.setdefault(name, []).extend(items)
        for name, items in other.regexes.items():
            self.regexes.setdefault(name, []).extend(items)


def parse_example(raw: str) -> tuple[str, list[EntitySpan]]:
    """Strip entity markup: ``"nhà [bị ngập](hazard)"`` -> ``"nhà bị ngập"`` + one span (4, 11)."""
    out: list[str] = []
    spans: list[EntitySpan] = []
    pos = length = 0
    for m in _ENTITY.finditer(raw):
        out.append(raw[pos : m.start()])
        length += m.start() - pos
        text = m.group("text")
        if m.group("dict"):
            try:
                attrs = json.loads(m.group("dict"))
            except json.JSONDecodeError as exc:
                raise NluDataError(f"bad entity JSON in {raw!r}: {exc}") from exc
            if not isinstance(attrs, dict) or not isinstance(attrs.get("entity"), str):
                raise NluDataError(f"entity JSON needs an 'entity' name in {raw!r}")
            entity, value = attrs["entity"], str(attrs.get("value", text))
        else:
            entity, value = m.group("type").strip(), (m.group("value") or text).strip()
        spans.append(EntitySpan(entity, value, length, length + len(text)))
        out.append(text)
        length += len(text)
        pos = m.end()
    out.append(raw[pos:])
    return "".join(out), spans


def _items(block: Any, where: str) -> list[str]:
    """The ``examples`` of a block: a ``|`` string of ``- item`` lines or a list."""
    examples = block.get("examples")
    if isinstance(examples, str):
        lines = [ln.strip() for ln in examples.splitlines()]
        return [ln[1:].strip() for ln in lines if ln.startswith("-") and ln[1:].strip()]
    if isinstance(examples, list):
        texts = [e.get("text") if isinstance(e, dict) else e for e in examples]
        strings = [t.strip() for t in texts if isinstance(t, str)]
        if len(strings) == len(texts):
            return [t for t in strings if t]
    raise NluDataError(f"{where}: 'examples' must be a '- item' block or a list")


def parse_document(doc: Any, where: str = "<string>") -> NluData:
    """Read one parsed YAML document (a dict with an ``nlu`` list)."""
    data = NluData()
    if not isinstance(doc, dict) or doc.get("nlu") is None:
        return data
    if not isinstance(doc["nlu"], list):
        raise NluDataError(f"{where}: 'nlu' must be a list")
    for block in doc["nlu"]:
        if not isinstance(block, dict):
            raise NluDataError(f"{where}: every nlu entry must be a mapping")
        if "intent" in block:
            intent = str(block["intent"])
            metadata = block.get("metadata")
            category = str(metadata.get("category") or "") if isinstance(metadata, dict) else ""
            for raw in _items(block, f"{where} intent {intent}"):
                text, spans = parse_example(raw)
                data.examples.append(Example(text, intent, tuple(spans), category))
                for span in spans:
                    if span.value != text[span.start : span.end]:
                        # Rasa turns annotated values into synonyms as well.
                        data.synonyms[text[span.start : span.end].lower()] = span.value
        elif "synonym" in block:
            value = str(block["synonym"])
            for item in _items(block, f"{where} synonym {value}"):
                data.synonyms[item.lower()] = value
        elif "lookup" in block:
            data.lookups.setdefault(str(block["lookup"]), []).extend(
                _items(block, f"{where} lookup")
            )
        elif "regex" in block:
            data.regexes.setdefault(str(block["regex"]), []).extend(_items(block, f"{where} regex"))
    return data


def markup(example: Example) -> str:
    """The example's text with Rasa entity markup, the inverse of :func:`parse_example`."""
    out: list[str] = []
    pos = 0
    for span in sorted(example.entities, key=lambda s: s.start):
        words = example.text[span.start : span.end]
        out.append(example.text[pos : span.start])
        if span.value == words:
            out.append(f"[{words}]({span.entity})")
        else:
            attrs = json.dumps({"entity": span.entity, "value": span.value}, ensure_ascii=False)
            out.append(f"[{words}]{attrs}")
        pos = span.end
    out.append(example.text[pos:])
    return "".join(out)


def to_rasa_yaml(examples: Iterable[Example]) -> str:
    """Rasa 3.x NLU YAML holding ``examples`` (grouped by intent, first-seen order)."""
    by_intent: dict[str, list[str]] = {}
    for ex in examples:
        by_intent.setdefault(ex.intent, []).append(markup(ex))
    blocks = [
        {"intent": intent, "examples": "".join(f"- {line}\n" for line in lines)}
        for intent, lines in by_intent.items()
    ]
    return yaml.safe_dump(
        {"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False, width=1000
    )


def load_files(paths: Iterable[Path]) -> NluData:
    """Read and merge Rasa NLU YAML files."""
    data = NluData()
    for path in paths:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise NluDataError(f"{path}: {exc}") from exc
        data.merge(parse_document(doc, str(path)))
    return data


def training_files(nlu_data_dir: Path) -> list[Path]:
    """The project's training files: every ``*.yml``/``*.yaml`` under ``data/``, sorted."""
    root = nlu_data_dir / "data"
    return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def load_project(nlu_data_dir: Path) -> NluData:
    """All training data of a Rasa project directory (not its ``tests/``)."""
    files = training_files(nlu_data_dir)
    if not files:
        raise NluDataError(f"no training data under {nlu_data_dir / 'data'}")
    return load_files(files)
