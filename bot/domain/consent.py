"""The version of the first-contact notice, whose consent line a contact is recorded as having
seen (``contacts.consent_version`` / ``consent_at``, Decree 13/2023/NĐ-CP).

Change :data:`CONSENT_VERSION` whenever the texts of :data:`CONSENT_KEYS` change: a test
holds the texts' fingerprint next to the version, so an edit without a new version fails.
"""

from __future__ import annotations

from typing import Final

CONSENT_VERSION: Final = "2026-12-02"
CONSENT_KEYS: Final = ("notice.text", "notice.text.sms")
