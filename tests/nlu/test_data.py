"""The Rasa YAML reader, and the project's own data checked against the brief's contract."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.config import ROOT
from bot.nlu.data import (
    EntitySpan,
    NluDataError,
    load_files,
    load_project,
    parse_document,
    parse_example,
    to_rasa_yaml,
)
from bot.textnorm import fold

from .conftest import NLU_DATA

INTENTS = {
    "greet", "goodbye", "thank", "help", "affirm", "deny", "check_eligibility",
    "report_household_change", "report_disaster", "ask_loan_programs", "subscribe_notices",
    "unsubscribe_notices", "check_report_status", "talk_to_officer",
}  # fmt: skip
ENTITIES = {
    "place", "amount", "people_count", "hazard", "change_type", "loan_program", "topic",
    "report_ref",
}  # fmt: skip
CANONICAL = {
    "hazard": {"flood", "landslide", "flash_flood", "collapse", "storm"},
    "change_type": {
        "birth", "death", "marriage", "move_in", "move_out", "split", "work_away", "job_loss",
        "illness", "house_damage", "exit_poverty",
    },
    "topic": {"loans", "disaster_warnings", "village_notices"},
    "loan_program": {
        "poor", "near_poor", "newly_escaped", "students", "job_creation", "water_sanitation",
        "difficult_areas", "ethnic_minority",
    },
}  # fmt: skip


def test_parse_example_strips_markup_and_keeps_spans() -> None:
    text, spans = parse_example(
        "nhà [bị ngập](hazard) ở [bản Panh](place), "
        '[nhà sập]{"entity": "hazard", "value": "collapse"}'
    )
    assert text == "nhà bị ngập ở bản Panh, nhà sập"
    assert spans == [
        EntitySpan("hazard", "bị ngập", 4, 11),
        EntitySpan("place", "bản Panh", 14, 22),
        EntitySpan("hazard", "collapse", 24, 31),
    ]
    assert [text[s.start : s.end] for s in spans] == ["bị ngập", "bản Panh", "nhà sập"]


def test_parse_example_old_colon_value_form() -> None:
    text, spans = parse_example("[ngap](hazard:flood) roi")
    assert text == "ngap roi"
    assert spans == [EntitySpan("hazard", "flood", 0, 4)]


def test_parse_example_without_entities_is_unchanged() -> None:
    assert parse_example("chào [anh ạ") == ("chào [anh ạ", [])


def test_bad_entity_json_names_the_example() -> None:
    with pytest.raises(NluDataError, match="bad entity JSON"):
        parse_example('[x]{"entity": }')


def test_document_blocks_synonyms_lookups_regex_and_list_examples() -> None:
    doc = yaml.safe_load(
        """
nlu:
- intent: report_disaster
  examples: |
    - nha [ngap]{"entity": "hazard", "value": "flood"}
    - sạt lở
- intent: greet
  examples:
    - text: chào
    - xin chào
- synonym: storm
  examples: |
    - Bão
- lookup: hazard
  examples: |
    - lũ quét
- regex: report_ref
  examples: |
    - TT-?[A-Z0-9]{6}
stories: []
"""
    )
    data = parse_document(doc)
    assert [(e.text, e.intent) for e in data.examples] == [
        ("nha ngap", "report_disaster"),
        ("sạt lở", "report_disaster"),
        ("chào", "greet"),
        ("xin chào", "greet"),
    ]
    # Annotated values become synonyms, as in Rasa; keys are lower case.
    assert data.synonyms == {"ngap": "flood", "bão": "storm"}
    assert data.lookups == {"hazard": ["lũ quét"]}
    assert data.regexes == {"report_ref": ["TT-?[A-Z0-9]{6}"]}
    assert data.intents == ["report_disaster", "greet"]


@pytest.mark.parametrize(
    "doc", [{"nlu": "x"}, {"nlu": ["x"]}, {"nlu": [{"intent": "a", "examples": 3}]}]
)
def test_malformed_documents_raise(doc: object) -> None:
    with pytest.raises(NluDataError):
        parse_document(doc)


def test_missing_project_raises(tmp_path: Path) -> None:
    with pytest.raises(NluDataError, match="no training data"):
        load_project(tmp_path)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("nlu: [\n", encoding="utf-8")
    with pytest.raises(NluDataError, match=r"bad\.yml"):
        load_files([bad])


# --- the project's data ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def train() -> object:
    return load_project(NLU_DATA)


@pytest.fixture(scope="module")
def held_out() -> object:
    return load_files([NLU_DATA / "tests" / "dev_nlu.yml"])


def test_domain_lists_exactly_the_intents_and_entities() -> None:
    domain = yaml.safe_load((NLU_DATA / "domain.yml").read_text(encoding="utf-8"))
    assert domain["version"] == "3.1"
    assert set(domain["intents"]) == INTENTS
    assert set(domain["entities"]) == ENTITIES


def test_config_is_the_agreed_pipeline() -> None:
    config = yaml.safe_load((NLU_DATA / "config.yml").read_text(encoding="utf-8"))
    assert config["language"] == "vi" and config["recipe"] == "default.v1"
    assert config["assistant_id"] and config["policies"] == []
    names = [c["name"] for c in config["pipeline"]]
    assert names == [
        "WhitespaceTokenizer", "RegexFeaturizer", "LexicalSyntacticFeaturizer",
        "CountVectorsFeaturizer", "CountVectorsFeaturizer", "CountVectorsFeaturizer",
        "DIETClassifier", "RegexEntityExtractor", "EntitySynonymMapper", "FallbackClassifier",
    ]  # fmt: skip
    words, plain_chars, chars = config["pipeline"][3:6]
    # unaccented Vietnamese: "ngap" and "ngập" share their word and char n-gram features
    assert words["strip_accents"] == plain_chars["strip_accents"] == "unicode"
    assert (plain_chars["analyzer"], plain_chars["min_ngram"], plain_chars["max_ngram"]) == (
        "char_wb", 2, 5,
    )  # fmt: skip
    assert "strip_accents" not in chars and chars["analyzer"] == "char_wb"
    diet = config["pipeline"][6]
    assert (diet["epochs"], diet["random_seed"], diet["constrain_similarities"]) == (60, 42, True)
    # small enough to train in ~2 min on 2 cores (docs/benchmarks.md, NLU)
    assert (diet["number_of_transformer_layers"], diet["transformer_size"]) == (1, 64)
    regex = config["pipeline"][7]
    assert (regex["use_regexes"], regex["use_lookup_tables"]) == (True, False)  # report_ref
    assert config["pipeline"][9]["threshold"] == 0.55


def test_every_data_file_declares_rasa_version() -> None:
    for path in [*(NLU_DATA / "data").glob("*.yml"), NLU_DATA / "tests" / "dev_nlu.yml"]:
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["version"] == "3.1", path


def test_every_intent_has_forty_examples(train: object) -> None:
    counts = Counter(e.intent for e in train.examples)  # type: ignore[attr-defined]
    assert set(counts) == INTENTS
    assert min(counts.values()) >= 40, counts


def test_annotations_use_known_entities_and_canonical_values(
    train: object, held_out: object
) -> None:
    for data in (train, held_out):
        for ex in data.examples:  # type: ignore[attr-defined]
            for span in ex.entities:
                assert span.entity in ENTITIES, (ex.text, span)
                if span.entity in CANONICAL:
                    assert span.value in CANONICAL[span.entity], (ex.text, span)
                assert ex.text[span.start : span.end].strip() == ex.text[span.start : span.end]


def test_every_lookup_entry_resolves_to_a_canonical_value(train: object) -> None:
    synonyms = train.synonyms  # type: ignore[attr-defined]
    for entity, values in CANONICAL.items():
        entries = train.lookups[entity]  # type: ignore[attr-defined]
        assert entries, entity
        for item in entries:
            assert synonyms.get(item.lower()) in values, (entity, item)
        # with and without diacritics
        assert any(fold(i) == i for i in entries) and any(fold(i) != i for i in entries)


def test_no_synonym_text_maps_to_two_values() -> None:
    seen: dict[str, str] = {}
    doc = yaml.safe_load((NLU_DATA / "data" / "synonyms.yml").read_text(encoding="utf-8"))
    for block in doc["nlu"]:
        for line in block["examples"].splitlines():
            item = line.strip()[2:].lower()
            assert seen.setdefault(item, block["synonym"]) == block["synonym"], item


def test_report_reference_regex(train: object) -> None:
    (pattern,) = train.regexes["report_ref"]  # type: ignore[attr-defined]
    for code in ("TT-7K3Q9M", "tt7k3q9m", "mã BC-4H8P2X nhé"):
        assert re.search(pattern, code), code
    for text in ("nha toi bi ngap", "thongbao", "TT-ABCDEF"):
        assert not re.search(pattern, text), text


def test_dev_set_is_big_disjoint_and_covers_everything(train: object, held_out: object) -> None:
    examples = held_out.examples  # type: ignore[attr-defined]
    assert len(examples) >= 400
    assert {e.intent for e in examples} == INTENTS
    assert {s.entity for e in examples for s in e.entities} == ENTITIES - {"report_ref"}
    assert {e.category for e in examples} == CATEGORIES | {"entities"}
    trained = {fold(e.text) for e in train.examples}  # type: ignore[attr-defined]
    assert not [e.text for e in examples if fold(e.text) in trained]
    plain = sum(1 for e in examples if fold(e.text) == e.text.lower())
    assert 0.4 <= plain / len(examples) <= 0.6


# --- the locked test set -----------------------------------------------------------------------

LOCKED = NLU_DATA / "tests" / "locked_nlu.yml"
CATEGORIES = {
    "ordinary", "eligibility_words", "household_change_general", "disaster_effects",
    "disaster_plea", "subscribe_supports", "status_followup", "handover_staff", "loan_vbsp",
}  # fmt: skip


def _words(text: str) -> set[str]:
    return set(fold(text).split())


def test_locked_set_is_the_one_recorded_in_the_benchmarks() -> None:
    """Its SHA-256 is in docs/benchmarks.md: editing it silently would void every figure."""
    digest = hashlib.sha256(LOCKED.read_bytes()).hexdigest()
    docs = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert f"`{digest}`" in docs


def test_locked_set_covers_every_category_intent_and_entity(train: object) -> None:
    examples = load_files([LOCKED]).examples
    assert len(examples) >= 350
    assert {e.intent for e in examples} == INTENTS
    per_category = Counter(e.category for e in examples)
    assert set(per_category) == CATEGORIES
    assert min(per_category.values()) >= 15, per_category
    per_entity = Counter(s.entity for e in examples for s in e.entities)
    assert set(per_entity) == ENTITIES - {"report_ref"}
    assert min(per_entity.values()) >= 15, per_entity
    plain = sum(1 for e in examples if fold(e.text) == e.text.lower())
    assert 0.3 <= plain / len(examples) <= 0.5  # as typed: many without diacritics


def test_locked_set_was_never_trained_on(train: object, held_out: object) -> None:
    examples = load_files([LOCKED]).examples
    seen = {fold(e.text) for e in [*train.examples, *held_out.examples]}  # type: ignore[attr-defined]
    assert not [e.text for e in examples if fold(e.text) in seen]
    # Training examples written after the lock are not near-copies of locked messages either
    # (word overlap); the texts are not printed, to keep the locked set's content out of logs.
    later = load_files([NLU_DATA / "data" / "nlu_wording.yml"]).examples
    locked = [_words(e.text) for e in examples]
    near = [
        e.text
        for e in later
        if max(len(_words(e.text) & w) / len(_words(e.text) | w) for w in locked) >= 0.75
    ]
    assert near == []


def test_rasa_yaml_round_trips_every_training_example(train: object) -> None:
    """Folds for Rasa's cross-validation are written back as Rasa YAML: nothing may change."""
    examples = train.examples  # type: ignore[attr-defined]
    back = parse_document(yaml.safe_load(to_rasa_yaml(examples))).examples
    key = lambda e: (e.intent, e.text, e.entities)  # noqa: E731
    assert sorted(map(key, back)) == sorted(map(key, examples))
    assert any(e.entities for e in back)
