"""The named functions flows refer to; importing this package fills ``bot.engine.registry``."""

from bot.engine.functions import (
    common,
    eligibility,
    loans,
    media,
    notices,
    officers,
    privacy,
    reports,
    roles,
    validate,
)

__all__ = [
    "common",
    "eligibility",
    "loans",
    "media",
    "notices",
    "officers",
    "privacy",
    "reports",
    "roles",
    "validate",
]
