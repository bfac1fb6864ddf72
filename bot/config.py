"""One settings class for the whole application (env prefix ``BANBOT_``).

Every field is documented here and listed in ``.env.example``. Secrets are ``SecretStr`` so
they never print; outside development a placeholder secret is refused.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class TelegramSettings(BaseModel):
    """Telegram Bot API (aiogram 3). Webhook at ``{public_url}/webhooks/telegram``."""

    enabled: bool = Field(False, description="Accept and send Telegram messages.")
    token: SecretStr | None = Field(None, description="Bot token from @BotFather.")
    webhook_secret: SecretStr | None = Field(
        None, description="secret_token for setWebhook (1-256 of A-Z a-z 0-9 _ -)."
    )
    api_base: str = Field("https://api.telegram.org", description="Bot API server.")
    send_per_second: float | None = Field(
        None, gt=0, description="Send rate limit for the bot (default 30/s, Telegram's own)."
    )
    send_burst: int | None = Field(None, gt=0, description="Burst size of the send limit.")


class ZaloSettings(BaseModel):
    """Zalo Official Account API v3. Webhook at ``{public_url}/webhooks/zalo``."""

    enabled: bool = Field(False, description="Accept and send Zalo OA messages.")
    app_id: str | None = Field(None, description="Zalo app id (signature and token refresh).")
    app_secret: SecretStr | None = Field(None, description="Zalo app secret (token refresh).")
    oa_secret_key: SecretStr | None = Field(None, description="OA secret key (webhook signature).")
    access_token: SecretStr | None = Field(None, description="Initial OA access token.")
    refresh_token: SecretStr | None = Field(None, description="Initial single-use refresh token.")
    api_base: str = Field("https://openapi.zalo.me", description="OA Open API host.")
    oauth_base: str = Field("https://oauth.zaloapp.com", description="OAuth host (refresh).")
    window_hours: int = Field(
        48, gt=0, description="Hours after a resident's message in which the OA may reply."
    )
    free_replies: int | None = Field(
        8, ge=0, description="Replies allowed per window; empty = no check (paid OA tiers)."
    )
    paid_quota: bool = Field(
        False,
        description=(
            "The OA has paid quota for proactive messages: a message outside the reply window "
            "(or beyond its free replies) is sent, counted against the quota, instead of "
            "refused; the OA must be verified."
        ),
    )
    send_per_second: float | None = Field(
        None, gt=0, description="Send rate limit for this OA (default 10/s)."
    )
    send_burst: int | None = Field(None, gt=0, description="Burst size of the send limit.")


class ZaloBotSettings(BaseModel):
    """Zalo Bot Platform (Telegram-like). Webhook at ``{public_url}/webhooks/zalo_bot``."""

    enabled: bool = Field(False, description="Accept and send Zalo Bot messages.")
    token: SecretStr | None = Field(None, description="Bot token <id>:<secret>.")
    webhook_secret: SecretStr | None = Field(None, description="secret_token for setWebhook.")
    api_base: str = Field("https://bot-api.zaloplatforms.com", description="Bot API host.")
    send_per_second: float | None = Field(
        None, gt=0, description="Send rate limit for this bot (default 10/s)."
    )
    send_burst: int | None = Field(None, gt=0, description="Burst size of the send limit.")


class TwilioSettings(BaseModel):
    """Twilio Programmable Messaging (SMS outside Vietnam, outbound notices)."""

    enabled: bool = Field(False, description="Accept and send SMS through Twilio.")
    account_sid: str | None = Field(None, description="Account SID (AC...).")
    auth_token: SecretStr | None = Field(None, description="Auth token (signs webhooks).")
    from_number: str | None = Field(None, description="Sender number in E.164.")
    messaging_service_sid: str | None = Field(None, description="MG... instead of from_number.")
    api_base: str = Field("https://api.twilio.com", description="REST API host.")
    send_per_second: float | None = Field(
        None, gt=0, description="Send rate limit, in SMS segments (default 1/s, a long code)."
    )
    send_burst: int | None = Field(None, gt=0, description="Burst size of the send limit.")


class AndroidSmsSettings(BaseModel):
    """SMS Gateway for Android on a Vietnamese SIM: two-way SMS inside Vietnam."""

    enabled: bool = Field(False, description="Accept and send SMS through the Android gateway.")
    base_url: str = Field(
        "https://api.sms-gate.app/3rdparty/v1",
        description="Gateway API: cloud, private server, or http://<phone-ip>:8080 (local).",
    )
    username: str | None = Field(None, description="Gateway API user.")
    password: SecretStr | None = Field(None, description="Gateway API password.")
    signing_key: SecretStr | None = Field(None, description="Webhook HMAC signing key.")
    send_per_second: float | None = Field(
        None, gt=0,
        description="Send rate limit, in SMS segments (default 1 a minute: what a SIM may do "
        "without the carrier blocking it; raise it for several phones behind one gateway).",
    )  # fmt: skip
    send_burst: int | None = Field(None, gt=0, description="Burst size of the send limit.")


class KindMinutes(BaseModel):
    """Minutes per report kind (a service level: time allowed before it is breached)."""

    disaster: int = Field(gt=0, description="Disaster / relocation reports.")
    handover: int = Field(gt=0, description="Requests to talk to an officer.")
    household_change: int = Field(gt=0, description="Household changes (monthly review).")
    eligibility_request: int = Field(gt=0, description="Requests to be reviewed (Mẫu 01).")

    def of(self, kind: str) -> int:
        """Minutes for ``kind``; KeyError for an unknown kind."""
        if kind not in type(self).model_fields:
            raise KeyError(kind)
        return int(getattr(self, kind))


class AcknowledgeMinutes(KindMinutes):
    """From a new report to its acknowledgement. Danger to life first."""

    disaster: int = Field(60, gt=0)
    handover: int = Field(4 * 60, gt=0)
    household_change: int = Field(3 * 24 * 60, gt=0)
    eligibility_request: int = Field(3 * 24 * 60, gt=0)


class ResolveMinutes(KindMinutes):
    """From a new report to resolved or rejected. Household changes wait for the monthly
    review (from the 15th), so a month."""

    disaster: int = Field(24 * 60, gt=0)
    handover: int = Field(2 * 24 * 60, gt=0)
    household_change: int = Field(30 * 24 * 60, gt=0)
    eligibility_request: int = Field(30 * 24 * 60, gt=0)


class AlertSettings(BaseModel):
    """Officers' push alerts: who hears about a flagged report or a handover, and when."""

    danger_minutes: list[int] = Field(
        default_factory=lambda: [5, 15],
        description=(
            "Someone in danger now: minutes after the first alert before it is repeated to the "
            "commune's officers, then before the admins get it, if nobody has acknowledged."
        ),
    )
    flagged_minutes: list[int] = Field(
        default_factory=lambda: [120],
        description="Other flagged reports and handovers: the same ladder (last step: admins).",
    )
    talk_hours: int = Field(
        24,
        gt=0,
        le=24 * 14,
        description=(
            "After an officer writes to a resident, how long the resident's messages go to "
            "the report (and the officer) instead of the bot's journeys."
        ),
    )


class RetentionSettings(BaseModel):
    """How long each kind of personal record is kept (Decree 13/2023/NĐ-CP); the purge job
    (``bot.privacy.jobs``, every ``purge_every_hours``) and ``banbot data purge`` apply it.
    0 keeps that kind for ever. Conversation state needs no purge: it expires after
    ``BANBOT_SESSION_TTL_SECONDS``; open reports are kept while an officer works on them."""

    inbound_message_days: int = Field(
        180, ge=0, description="Residents' messages kept for officers: deleted after this."
    )
    outbound_message_days: int = Field(
        90, ge=0,
        description="Texts the bot sent (replies, statuses, notices): redacted after this; the "
        "row (status, segments) stays for the counts.",
    )  # fmt: skip
    closed_report_days: int = Field(
        730, ge=0,
        description="A resolved or rejected report: its personal fields are removed this long "
        "after it was closed (kind, place, urgency and status stay for the statistics).",
    )  # fmt: skip
    purge_every_hours: int = Field(24, ge=1, le=24 * 7, description="How often the purge runs.")


class WorkspaceSettings(BaseModel):
    """The commune officers' workspace (web pages under /ws, JSON API under /api/v1)."""

    sla_acknowledge_minutes: AcknowledgeMinutes = Field(
        default_factory=AcknowledgeMinutes,
        description="Time allowed from a new report to its acknowledgement, per kind.",
    )
    sla_resolve_minutes: ResolveMinutes = Field(
        default_factory=ResolveMinutes,
        description="Time allowed from a new report to resolved / rejected, per kind.",
    )
    sla_warn_fraction: float = Field(
        0.25,
        gt=0,
        lt=1,
        description="'About to breach' when less than this share of the allowed time is left.",
    )
    cluster_window_minutes: int = Field(
        24 * 60,
        gt=0,
        description="Disaster reports of one hazard in one village this close together group.",
    )
    session_hours: int = Field(12, gt=0, le=24 * 30, description="Longest life of a login.")
    session_idle_minutes: int = Field(
        120, gt=0, description="A login unused this long ends (the absolute limit still holds)."
    )
    lockout_after: int = Field(
        5, ge=1, description="Failed logins for one username before it is locked."
    )
    lockout_ip_after: int = Field(
        20, ge=1, description="Failed logins from one address before it is locked."
    )
    lockout_base_seconds: int = Field(
        60, gt=0, description="First lock; each further failure doubles it (backoff)."
    )
    lockout_max_seconds: int = Field(3600, gt=0, description="Longest lock.")
    cookie_secure: bool | None = Field(
        None,
        description="Secure flag on the session cookie; empty = on except in development/test.",
    )
    queue_poll_seconds: int = Field(
        5, ge=1, le=300, description="How often an open queue page asks for new reports."
    )
    map_tile_url: str | None = Field(
        None,
        description="Optional XYZ tile URL ({z}/{x}/{y}) under the map; empty = outline only.",
    )
    export_max_rows: int = Field(20_000, gt=0, description="Most rows in one CSV/XLSX export.")
    simulator: bool | None = Field(
        None,
        description="Serve /sim/messages and the web chat; empty = on unless env=production.",
    )


class InputLimits(BaseModel):
    """What one request, one sender or one address may send (hostile input, floods)."""

    body_bytes: int = Field(
        64 * 1024, ge=1024,
        description="Largest request body of a webhook or the simulator (413 beyond, counted "
        "as it streams in).",
    )  # fmt: skip
    api_body_bytes: int = Field(
        256 * 1024, ge=1024,
        description="Largest request body anywhere else (workspace pages and /api/v1).",
    )  # fmt: skip
    json_depth: int = Field(
        32, ge=4, le=500,
        description="Deepest JSON nesting of a webhook body (400 beyond); the simulator and "
        "the API parse with FastAPI, which answers 400 past Python's recursion limit.",
    )  # fmt: skip
    sender_per_minute: float = Field(
        20, gt=0,
        description="Messages per minute one address (URN) may send; beyond, they are dropped "
        "with one short 'please wait' per minute.",
    )  # fmt: skip
    sender_burst: int = Field(
        10, ge=1, description="Messages one address may send at once before the rate applies."
    )
    ip_per_minute: float = Field(
        60, gt=0,
        description="Simulator messages per minute from one client IP (429 beyond); webhooks "
        "come from the providers' servers and are limited per address instead.",
    )  # fmt: skip
    reports_per_hour: int = Field(
        5, ge=1,
        description="New reports one contact may file in an hour; beyond, the report is not "
        "filed and the person is asked to wait (their answers are kept).",
    )  # fmt: skip


class Settings(BaseSettings):
    """Application settings, read from the environment and an optional ``.env`` file."""

    model_config = SettingsConfigDict(
        env_prefix="BANBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Literal["development", "test", "production"] = Field(
        "development", description="Deployment kind; production refuses placeholder secrets."
    )
    log_format: Literal["console", "json"] | None = Field(
        None,
        description="Log lines as JSON objects or readable console lines; unset = json in "
        "production, console elsewhere (bot/logs.py).",
    )
    heartbeat_stale_seconds: int = Field(
        30, ge=10, le=3600,
        description="/readyz fails when the queue's runner (`banbot worker`, or this app with "
        "the local queue) has not written its heartbeat for this long; it writes every 5 s.",
    )  # fmt: skip
    database_url: str = Field(
        f"sqlite+aiosqlite:///{ROOT / 'var' / 'banbot.db'}",
        repr=False,  # may hold a password
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    database_pool_size: int = Field(
        20, ge=1, le=200,
        description="Database connections each process keeps (and a quarter more when busy): "
        "PostgreSQL, where every app and worker process counts against the server's "
        "max_connections, and a SQLite file.",
    )  # fmt: skip
    redis_url: str | None = Field(
        None,
        repr=False,  # may hold a password
        description="redis://host:port/db for sessions, locks, dedupe; unset = in-process.",
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
    spool_dir: Path = Field(
        ROOT / "var" / "spool",
        description="Inbound messages kept on disk while the database is down (0700).",
    )
    dialogs_dir: Path = Field(ROOT / "dialogs", description="Folder with flow YAML and locales/.")
    nlu_data_dir: Path = Field(ROOT / "nlu_data", description="The Rasa project the NLU trains on.")
    sms_max_segments: int = Field(
        3, ge=1, le=10, description="Budget of SMS segments per reply before text is shortened."
    )
    sms_route: Literal["auto", "android_sms", "twilio_sms"] = Field(
        "auto",
        description=(
            "Which SMS adapter reaches a phone number both can: auto = the Android gateway "
            "for Vietnamese numbers (+84), Twilio for the others."
        ),
    )
    sms_price_vnd: int = Field(
        350, ge=0, description="What one SMS segment costs (VND), for the notice preview."
    )
    sms_unaccented: bool = Field(
        False, description="Send SMS without diacritics (GSM-7, cheaper) instead of UCS-2."
    )
    queue: Literal["local", "saq"] = Field(
        "local",
        description=(
            "Where sends and jobs run: local = in this process (embedded default); saq = on "
            "Redis (BANBOT_REDIS_URL), run by `banbot worker` processes."
        ),
    )
    queue_workers_reply: int = Field(
        64, ge=1, le=256,
        description="Concurrent reply-lane items per process (sends, alerts). Mostly waiting "
        "(a provider's answer, a person's earlier part, a short limit): with 8, a burst of "
        "first contacts' multi-part answers held every slot and others' replies queued "
        "0.7 s (docs/benchmarks.md, bench/load.py).",
    )  # fmt: skip
    queue_workers_bulk: int = Field(
        8, ge=1, le=256, description="Concurrent bulk-lane items per process (notice pumps)."
    )
    queue_name: str = Field(
        "banbot",
        pattern=r"^[a-z0-9_-]{1,40}$",
        description="Prefix of the saq queues on Redis (<name>-reply, <name>-bulk).",
    )
    send_stale_seconds: int = Field(
        120,
        ge=1,
        description=(
            "A message left 'sending' this long lost its sender (a crash): it is sent again "
            "(the one case where a person may get it twice)."
        ),
    )
    bulk_pumps: int = Field(
        2, ge=1, le=64, description="Pumps per adapter sharing its bulk messages (any worker)."
    )
    bulk_in_flight: int = Field(
        8, ge=1, le=256,
        description="Provider calls a bulk pump keeps in flight (hides the providers' latency).",
    )  # fmt: skip
    notice_watch_seconds: int = Field(
        20, ge=1, le=3600, description="How often a notice being sent is checked for the summary."
    )
    role_code_ttl_hours: int = Field(
        72, gt=0, le=24 * 30, description="How long a one-time role code can be used."
    )
    public_url: str | None = Field(
        None, description="Public HTTPS base URL of this server (webhooks), e.g. https://bot.xa.vn"
    )
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    zalo: ZaloSettings = Field(default_factory=ZaloSettings)
    zalo_bot: ZaloBotSettings = Field(default_factory=ZaloBotSettings)
    twilio: TwilioSettings = Field(default_factory=TwilioSettings)
    android_sms: AndroidSmsSettings = Field(default_factory=AndroidSmsSettings)
    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    limits: InputLimits = Field(default_factory=InputLimits)

    @property
    def simulator_enabled(self) -> bool:
        """The simulator (a development tool that files reports unauthenticated) is off in
        production unless ``BANBOT_WORKSPACE__SIMULATOR=true``."""
        if self.workspace.simulator is not None:
            return self.workspace.simulator
        return self.env != "production"

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        """Outside development, refuse empty or placeholder secrets of enabled channels."""
        if self.env != "production":
            return self
        for name in ("telegram", "zalo", "zalo_bot", "twilio", "android_sms"):
            section = getattr(self, name)
            if not section.enabled:
                continue
            for field, value in section:
                if isinstance(value, SecretStr) and _is_placeholder(value):
                    raise ValueError(f"BANBOT_{name.upper()}__{field.upper()} is a placeholder")
        return self

    @model_validator(mode="after")
    def _saq_needs_redis(self) -> Settings:
        if self.queue == "saq" and self.redis_url is None:
            raise ValueError("BANBOT_QUEUE=saq needs BANBOT_REDIS_URL")
        return self

    @field_validator("redis_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``BANBOT_REDIS_URL=`` (empty) means in-process state, like leaving it unset."""
        return None if isinstance(value, str) and not value.strip() else value


def _is_placeholder(value: SecretStr) -> bool:
    raw = value.get_secret_value().strip().lower()
    return raw in {"", "changeme", "change-me", "secret", "xxx", "todo"} or raw.startswith("your")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
