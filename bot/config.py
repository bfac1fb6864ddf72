"""One settings class for the whole application (env prefix ``BANBOT_``).

Every field is documented here and listed in ``.env.example``. Secrets are ``SecretStr`` so
they never print; outside development a placeholder secret is refused.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Application settings, read from the environment and an optional ``.env`` file."""

    model_config = SettingsConfigDict(
        env_prefix="BANBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "test", "production"] = Field(
        "development", description="Deployment kind; production refuses placeholder secrets."
    )
    database_url: str = Field(
        f"sqlite+aiosqlite:///{ROOT / 'var' / 'banbot.db'}",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    redis_url: str | None = Field(
        None, description="redis://host:port/db for sessions, locks, dedupe; unset = in-process."
    )
    nlu: Literal["builtin", "rasa"] = Field("builtin", description="Which NLU backend parses text.")
    rasa_url: str = Field("http://127.0.0.1:5005", description="Rasa server base URL (nlu=rasa).")
    nlu_threshold: float = Field(
        0.55, ge=0.0, le=1.0, description="Below this intent confidence the answer is nlu_fallback."
    )
    session_ttl_seconds: int = Field(
        7 * 24 * 3600,
        gt=0,
        description="How long a conversation's state is kept after its last message.",
    )
    flow_timeout_seconds: int = Field(
        30 * 60,
        gt=0,
        description="Idle time after which a half-finished flow is offered to resume.",
    )
    dedupe_ttl_seconds: int = Field(
        48 * 3600, gt=0, description="How long a provider message id is remembered (retries)."
    )
    default_language: Literal["vi", "en"] = Field("vi", description="Language for new contacts.")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="Local time zone for dates shown.")
    data_dir: Path = Field(ROOT / "data", description="Folder with policy/ and places/ data.")
    dialogs_dir: Path = Field(ROOT / "dialogs", description="Folder with flow YAML and locales/.")
    nlu_data_dir: Path = Field(ROOT / "nlu_data", description="The Rasa project the NLU trains on.")
    sms_max_segments: int = Field(
        3, ge=1, le=10, description="Budget of SMS segments per reply before text is shortened."
    )
    sms_unaccented: bool = Field(
        False, description="Send SMS without diacritics (GSM-7, cheaper) instead of UCS-2."
    )

    @field_validator("redis_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``BANBOT_REDIS_URL=`` (empty) means in-process state, like leaving it unset."""
        return None if isinstance(value, str) and not value.strip() else value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
