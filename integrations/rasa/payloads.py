"""Rasa 3.6 ``POST /model/parse`` answers, typed (pydantic); they never leave this folder.

A real answer of the server trained from ``nlu_data/`` (``text_tokens`` shortened)::

    {"text": "nhà em ở bản Nam Niệu bị ngập, vay 1tr5 cho 5 người",
     "intent": {"name": "report_disaster", "confidence": 0.999100923538208},
     "entities": [
       {"entity": "place", "start": 9, "end": 21, "confidence_entity": 0.9923612475395203,
        "value": "bản Nam Niệu", "extractor": "DIETClassifier",
        "processors": ["EntitySynonymMapper"]},
       {"entity": "hazard", "start": 25, "end": 29, "confidence_entity": 0.8494482636451721,
        "value": "flood", "extractor": "DIETClassifier", "processors": ["EntitySynonymMapper"]},
       {"entity": "amount", "start": 35, "end": 39, "confidence_entity": 0.9873180985450745,
        "value": "1tr5", "extractor": "DIETClassifier"},
       {"entity": "people_count", "start": 44, "end": 51,
        "confidence_entity": 0.9900938868522644, "value": "5 người",
        "extractor": "DIETClassifier"}],
     "text_tokens": [[0, 3], [4, 6], [7, 8]],
     "intent_ranking": [{"name": "report_disaster", "confidence": 0.999100923538208},
                        {"name": "ask_loan_programs", "confidence": 0.0006108362576924264}]}

Below the FallbackClassifier's threshold ``intent`` is ``{"name": "nlu_fallback",
"confidence": 0.55}`` and that entry is also first in ``intent_ranking``. ``amount`` and
``people_count`` values are the raw text; the adapter reads them as numbers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RasaIntent(BaseModel):
    """One intent with its confidence (0..1)."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0)


class RasaEntity(BaseModel):
    """One extracted entity; ``value`` is raw text unless a synonym mapped it."""

    model_config = ConfigDict(extra="ignore")

    entity: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    value: Any
    extractor: str | None = None
    confidence_entity: float | None = None


class RasaParse(BaseModel):
    """The whole answer; ``intent`` is None when the model has no intent classifier."""

    model_config = ConfigDict(extra="ignore")

    text: str
    intent: RasaIntent | None = None
    entities: list[RasaEntity] = Field(default_factory=list)
    intent_ranking: list[RasaIntent] = Field(default_factory=list)
