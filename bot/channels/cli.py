"""``banbot webhooks set|info <name>``: register this server's webhook URL with a provider.

The URL is ``{BANBOT_PUBLIC_URL}/webhooks/<name>``. An adapter offers registration by having
``async def set_webhook(url: str) -> None`` (Telegram ``setWebhook`` with its secret token,
Zalo Bot Platform, Android gateway ``POST /webhooks``) and, optionally,
``async def webhook_info() -> Mapping[str, object]``. Where a provider has no such API (Zalo
OA, Twilio), the command says which URL to paste into the provider's console.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import click

from bot.config import Settings, get_settings
from bot.engine.texts import Catalog
from bot.ports import ChannelAdapter
from bot.store.channel_state import SqlChannelState
from bot.store.repo import Store
from integrations import registry
from integrations.registry import CHANNELS, AdapterDeps, env_var, section


def webhook_url(settings: Settings, name: str) -> str:
    """Where provider ``name`` must post; ClickException without ``public_url``."""
    if not settings.public_url:
        raise click.ClickException(
            "BANBOT_PUBLIC_URL is not set: the public HTTPS address of this server, "
            "e.g. BANBOT_PUBLIC_URL=https://bot.xa.vn"
        )
    return f"{settings.public_url.rstrip('/')}/webhooks/{name}"


@asynccontextmanager
async def one_adapter(settings: Settings, name: str) -> AsyncIterator[ChannelAdapter]:
    """Build only adapter ``name`` (it must be enabled), closed afterwards."""
    if not section(settings, name).enabled:
        env = env_var(name, "enabled")
        raise click.ClickException(f"{name} is not enabled: set {env}=true and its secrets")
    catalog = Catalog.load(settings.dialogs_dir / "locales")
    store = Store(settings.database_url)
    deps = AdapterDeps(state=SqlChannelState(store), texts=lambda k, lang: catalog.text(lang, k))
    adapter = registry.build(name, settings, deps)
    try:
        yield adapter
    finally:
        await adapter.aclose()
        await store.close()


async def set_webhook(settings: Settings, name: str) -> str:
    url = webhook_url(settings, name)
    async with one_adapter(settings, name) as adapter:
        register = getattr(adapter, "set_webhook", None)
        if register is None:
            raise click.ClickException(
                f"{name} has no webhook registration API; set {url} in the provider's console"
            )
        await register(url)
    return url


async def webhook_info(settings: Settings, name: str) -> Any:
    async with one_adapter(settings, name) as adapter:
        info = getattr(adapter, "webhook_info", None)
        if info is None:
            raise click.ClickException(f"{name} cannot report its webhook")
        return await info()


@click.group("webhooks")
def webhooks() -> None:
    """Provider webhooks of the channels (Telegram, Zalo, SMS)."""


@webhooks.command("set")
@click.argument("name", type=click.Choice(sorted(CHANNELS)))
def set_command(name: str) -> None:
    """Register {BANBOT_PUBLIC_URL}/webhooks/NAME with the provider."""
    url = asyncio.run(set_webhook(get_settings(), name))
    click.echo(f"{name}: webhook set to {url}")


@webhooks.command("info")
@click.argument("name", type=click.Choice(sorted(CHANNELS)))
def info_command(name: str) -> None:
    """Show what the provider knows of the webhook (URL, pending updates, last error)."""
    info = asyncio.run(webhook_info(get_settings(), name))
    click.echo(json.dumps(info, ensure_ascii=False, indent=2, default=str))
