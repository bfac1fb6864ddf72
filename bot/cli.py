"""The ``banbot`` command line: serve, chat, policy, nlu, db, places, webhooks, users, data."""

from __future__ import annotations

import asyncio
import importlib
import logging
from pathlib import Path
from typing import Any

import click

from bot.config import get_settings


class LazyGroup(click.Group):
    """A group whose subcommands live in other modules and are imported only when used
    (``banbot worker`` must not pay for scikit-learn, which only ``banbot nlu`` needs)."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self._lazy.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(
    cls=LazyGroup,
    lazy={
        "webhooks": "bot.channels.cli:webhooks",
        "users": "bot.web.workspace.cli:users",
        "data": "bot.privacy.cli:data",
    },
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Bản Bot — trợ lý cho bà con vùng cao (Telegram / Zalo / SMS)."""
    from bot.logs import configure, log_format

    # JSON lines in production (BANBOT_LOG_FORMAT), readable lines in development
    configure(log_format(get_settings()), level=logging.DEBUG if verbose else logging.INFO)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--access-log/--no-access-log", default=True, help="Log every HTTP request.")
@click.option(
    "--telegram-polling", is_flag=True, help="Fetch Telegram updates by long polling (development)."
)
def serve(host: str, port: int, access_log: bool, telegram_polling: bool) -> None:
    """Start the HTTP server (simulator web chat at /, GET /healthz once ready)."""
    import uvicorn

    from bot.web.app import create_app

    click.echo(f"Bản Bot: http://{host}:{port}/", err=True)
    uvicorn.run(
        create_app(get_settings(), telegram_polling=telegram_polling, settle=True),
        host=host,
        port=port,
        log_level="info",
        log_config=None,  # uvicorn's lines go through the root handler (bot/logs.py)
        access_log=access_log,
    )


@main.command()
@click.option(
    "--metrics-port", type=int, default=None,
    help="Serve this worker's Prometheus metrics at http://<host>:PORT/metrics.",
)  # fmt: skip
@click.option("--metrics-host", default="127.0.0.1", show_default=True)
def worker(metrics_port: int | None, metrics_host: str) -> None:
    """Run sends, notice pumps and jobs from Redis (BANBOT_QUEUE=saq); any number of them."""
    from bot.jobs.worker import run_worker

    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=metrics_host)  # a thread; each worker its own port
    asyncio.run(run_worker(get_settings(), settle=True))


@main.command()
@click.option("--user", default="terminal", show_default=True, help="Simulated user id.")
@click.option(
    "--channel",
    type=click.Choice(["telegram", "zalo", "sms"]),
    default="sms",
    show_default=True,
    help="How replies are rendered.",
)
@click.option("--record", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the conversation as a golden transcript (YAML).")  # fmt: skip
def chat(user: str, channel: str, record: Path | None) -> None:
    """Chat with the bot in the terminal (the simulator channel, no server needed)."""
    from bot.chat import run_chat

    asyncio.run(run_chat(get_settings(), user=user, channel=channel, record=record))


@main.group(cls=LazyGroup, lazy={"classify": "bot.policy.cli:classify_command"})
def policy() -> None:
    """Poverty standards and classification."""


@main.group(
    cls=LazyGroup,
    lazy={"parse": "bot.nlu.cli:parse_command", "evaluate": "bot.nlu.cli:evaluate_command"},
)
def nlu() -> None:
    """The built-in NLU."""


@main.group()
def db() -> None:
    """The SQL database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema and load the seed gazetteer."""
    from bot.app import prepare_database

    settings = get_settings()
    asyncio.run(prepare_database(settings))
    click.echo("database ready", err=True)


@main.group(cls=LazyGroup, lazy={"locate": "bot.web.workspace.cli:locate"})
def places() -> None:
    """The gazetteer (provinces, communes, villages)."""


@places.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
def places_import(csv_file: Path, dry_run: bool) -> None:
    """Add villages from CSV_FILE (columns: province, commune, village, village_type)."""
    from bot.places.load import import_villages

    ok = asyncio.run(import_villages(get_settings(), csv_file, dry_run=dry_run, echo=click.echo))
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
