"""The consent version names one text: the first-contact notice's texts (both languages, all
renderings) are pinned to it, so an edit without a new CONSENT_VERSION fails here."""

from __future__ import annotations

import hashlib

import yaml

from bot.config import ROOT
from bot.domain.consent import CONSENT_KEYS, CONSENT_VERSION

# CONSENT_VERSION -> sha256 of the texts; add a line (never change one) with a new version
FINGERPRINTS = {
    "2026-12-02": "28233409f3985ae2bceb120c3f7a8ce08146c6fa804128efc819591b987c5392",
}


def fingerprint() -> str:
    digest = hashlib.sha256()
    for lang in ("vi", "en"):
        texts = yaml.safe_load((ROOT / "dialogs" / "locales" / f"{lang}.yml").read_text("utf-8"))
        for key in CONSENT_KEYS:
            digest.update(f"{lang}:{key}={texts[key]}\n".encode())
    return digest.hexdigest()


def test_the_notice_text_is_the_one_its_version_names() -> None:
    assert FINGERPRINTS.get(CONSENT_VERSION) == fingerprint(), (
        "the first-contact notice changed: give it a new CONSENT_VERSION (bot/domain/consent.py)"
        " and add its fingerprint here"
    )


def test_the_notice_carries_a_consent_line_in_every_language() -> None:
    for lang, words in (("vi", "đồng ý"), ("en", "agree")):
        texts = yaml.safe_load((ROOT / "dialogs" / "locales" / f"{lang}.yml").read_text("utf-8"))
        assert all(words in texts[key] for key in CONSENT_KEYS), lang
