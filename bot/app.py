"""Composition root: build every part of the bot from :class:`bot.config.Settings`.

Nothing is built at import time. ``build_app`` trains the built-in NLU, loads the gazetteer
and policy rules, opens the store and the conversation state, and wires the pipeline.
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.actions import ActionExecutor
from bot.channels.compose import Channels, build_channels
from bot.config import Settings
from bot.domain.json import JSON
from bot.engine.engine import Engine
from bot.engine.types import EngineServices
from bot.flood import FloodGate
from bot.logsafe import protect, settings_secrets
from bot.notices import jobs as _notice_jobs  # noqa: F401  (registers the notice jobs)
from bot.notices.planner import Planner
from bot.notices.service import Notices
from bot.pipeline import Pipeline
from bot.places.gazetteer import Gazetteer
from bot.places.load import load_gazetteer, seed_places
from bot.policy.service import Policy
from bot.ports import Nlu
from bot.reports.officer_chat import OfficerActions
from bot.reports.urgency import load_urgency_rules
from bot.sessions.factory import ConversationState, build_state
from bot.store.migrate import upgrade_database
from bot.store.repo import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class App:
    """Everything a running bot holds; ``aclose`` releases connections."""

    settings: Settings
    store: Store
    state: ConversationState
    places: Gazetteer
    policy: Policy
    nlu: Nlu
    engine: Engine
    pipeline: Pipeline
    channels: Channels | None = field(default=None)
    notices: Notices | None = field(default=None)

    async def aclose(self) -> None:
        """Drain inbound and outbound messages, close adapters, then state and store."""
        if self.channels is not None:
            await self.channels.aclose()
        await self.state.aclose()
        await self.store.close()
        close = getattr(self.nlu, "aclose", None)  # the Rasa client holds connections
        if close is not None:
            await close()


async def prepare_database(settings: Settings) -> None:
    """Migrate to the newest schema and load the seed gazetteer (idempotent)."""
    await upgrade_database(settings.database_url)
    store = Store(settings.database_url)
    try:
        await seed_places(store, settings.data_dir / "places")
    finally:
        await store.close()


def build_nlu(settings: Settings, places: Gazetteer) -> Nlu:
    """The NLU backend named by ``settings.nlu``."""
    from bot.nlu.builtin import BuiltinNlu  # scikit-learn: only where text is read

    builtin = BuiltinNlu.train(
        settings.nlu_data_dir,
        places=places,
        threshold=settings.nlu_threshold,
        cache_dir=Path("var") / "nlu-cache",
    )
    if settings.nlu == "rasa":
        from integrations.rasa.adapter import RasaNlu  # only when configured

        return RasaNlu(settings.rasa_url, fallback=builtin, threshold=settings.nlu_threshold)
    return builtin


def settle_heap() -> None:
    """Take what was built at start out of the garbage collector's sight (CPython's
    ``gc.freeze``): the NLU's model, the gazetteer and the flows are a few hundred thousand
    objects that live as long as the process, and every full collection walked them all —
    127 ms on a quiet machine, landing on whichever message was running (decision 0021).
    For a long-running process, once, after
    ``build_app``; not in tests, which build many bots (frozen objects are never freed)."""
    gc.collect()
    gc.freeze()
    log.info("heap settled: %d objects frozen", gc.get_freeze_count())


class NoNlu:
    """The NLU of a process that reads no messages (``banbot worker``): never trained."""

    async def parse(self, text: str) -> JSON:
        raise RuntimeError("this process does not read messages")


async def build_app(settings: Settings, *, migrate: bool = True, nlu: bool = True) -> App:
    """Build the whole bot. With ``migrate`` the database is upgraded and seeded first;
    ``nlu=False`` skips training the NLU (a worker sends, it does not read)."""
    started = time.perf_counter()
    protect(settings_secrets(settings))
    if migrate:
        await prepare_database(settings)
    store = Store(settings.database_url, pool_size=settings.database_pool_size)
    places = await load_gazetteer(store)
    policy = Policy.load(settings.data_dir / "policy")
    understanding: Nlu = build_nlu(settings, places) if nlu else NoNlu()
    engine = Engine(
        settings.dialogs_dir,
        EngineServices(
            places=places, policy=policy, flow_timeout_seconds=settings.flow_timeout_seconds
        ),
    )
    state = build_state(settings)
    executor = ActionExecutor(
        places=places,
        urgency_rules=load_urgency_rules(settings.data_dir / "urgency.yml"),
        reports_per_hour=settings.limits.reports_per_hour,
    )
    pipeline = Pipeline(
        engine=engine,
        nlu=understanding,
        state=state,
        store=store,
        executor=executor,
        settings=settings,
    )
    channels = build_channels(settings, store, pipeline, engine.text)
    pipeline.use_gate(FloodGate(channels.limiter, settings.limits))
    executor.bind(
        OfficerActions(channels.contacts_out, engine.text, public_url=settings.public_url)
    )
    planner = Planner(
        channels.adapters, channels.router, engine.text, places,
        sms_price_vnd=settings.sms_price_vnd,
    )  # fmt: skip
    notices = Notices(planner, places)
    channels.runner.services.extra["notices"] = notices
    executor.bind_notices(notices)
    log.info("bot ready in %.1f s", time.perf_counter() - started)
    return App(
        settings, store, state, places, policy, understanding, engine, pipeline, channels, notices
    )
