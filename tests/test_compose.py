"""docker-compose.yml runs what the code expects: every BANBOT_ variable is a setting, the app
and its workers share one configuration on the Redis queue, and each command exists."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.config import Settings

COMPOSE = yaml.safe_load((Path(__file__).parents[1] / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_banbot_variable_is_a_setting() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    for name, service in SERVICES.items():
        for var in service.get("environment") or {}:
            if var.startswith("BANBOT_"):
                assert var.removeprefix("BANBOT_") in fields, (name, var)


def test_workers_share_the_apps_configuration_on_the_redis_queue() -> None:
    app, worker = SERVICES["app"], SERVICES["worker"]
    assert worker["environment"] == app["environment"]
    assert app["environment"]["BANBOT_QUEUE"] == "saq"
    assert "ports" not in worker  # scaled with --scale worker=N: no port to clash
    settings = Settings(_env_file=None, **{  # type: ignore[call-arg]
        k.removeprefix("BANBOT_").lower(): v for k, v in app["environment"].items()
        if k != "BANBOT_ENV"
    })  # fmt: skip
    assert settings.queue == "saq" and settings.redis_url


def test_the_commands_exist() -> None:
    runner = CliRunner()
    for argv in (["worker", "--help"], ["serve", "--help"], ["db", "upgrade", "--help"]):
        result = runner.invoke(main, argv)
        assert result.exit_code == 0, (argv, result.output)
