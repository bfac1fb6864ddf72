"""docker-compose.yml runs what the code expects. Docker is not on the test machines, so the file
is checked against the official compose-spec JSON schema (vendored: tests/vendor/README.md) and
read the way ``docker compose`` reads it: every BANBOT_ variable is a setting, the app and its
workers share one configuration on the Redis queue, no secret is written in the file, each
long-running service has a health check and a restart policy, Rasa is trained from nlu_data/
into the volume it serves from, and each command exists."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.config import Settings

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
SCHEMA = json.loads((Path(__file__).parent / "vendor" / "compose-spec.json").read_text())
LONG_RUNNING = {"app", "worker", "redis", "postgres", "rasa"}
ONE_SHOT = {"migrate", "rasa-train"}
SECRETS = {"POSTGRES_PASSWORD": "pg0secret1", "REDIS_PASSWORD": "redis0secret2"}

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ is a literal $
_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """What ``docker compose`` makes of ``value`` with ``env`` (its interpolation rules)."""

    def one(match: re.Match[str]) -> str:
        name, colon, kind, word = match.groups()
        if name is None:
            return "$"
        missing = name not in env or (colon == ":" and env[name] == "")
        if missing and kind == "?":
            raise KeyError(f"{name}: {word}")
        if missing and kind == "-":
            return str(word)
        return env.get(name, "")

    return _VARIABLE.sub(one, value)


def environment(service: str, env: Mapping[str, str] = SECRETS) -> dict[str, str]:
    return {k: interpolate(str(v), env) for k, v in SERVICES[service]["environment"].items()}


def test_the_file_is_valid_against_the_compose_spec_schema() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(COMPOSE), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_the_schema_check_catches_a_mistake() -> None:
    """The vendored schema is strict enough to matter: a misspelt key is refused."""
    broken = {**COMPOSE, "services": {**SERVICES, "app": {**SERVICES["app"], "restrat": "no"}}}
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(broken)


def test_every_banbot_variable_is_a_setting() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    for name, service in SERVICES.items():
        for var in service.get("environment") or {}:
            if var.startswith("BANBOT_"):
                assert var.removeprefix("BANBOT_") in fields, (name, var)


def test_workers_share_the_apps_configuration_on_the_redis_queue_and_rasa() -> None:
    app, worker = SERVICES["app"], SERVICES["worker"]
    assert worker["environment"] == app["environment"] == SERVICES["migrate"]["environment"]
    assert "ports" not in worker  # scaled with --scale worker=N: no port to clash
    settings = Settings(_env_file=None, **{  # type: ignore[call-arg]
        k.removeprefix("BANBOT_").lower(): v for k, v in environment("app").items()
    })  # fmt: skip
    assert settings.env == "production" and settings.queue == "saq"
    assert settings.redis_url == "redis://:redis0secret2@redis:6379/0"
    assert settings.database_url == "postgresql+asyncpg://banbot:pg0secret1@postgres:5432/banbot"
    # Rasa when it answers (RasaNlu falls back to the built-in NLU), so the app does not wait
    assert (settings.nlu, settings.rasa_url) == ("rasa", "http://rasa:5005")
    assert "rasa" not in app["depends_on"] and "rasa" not in worker["depends_on"]


def test_no_secret_is_written_in_the_file() -> None:
    """Passwords come from the environment (.env), and compose refuses to start without them."""
    for name in ("app", "worker", "migrate", "redis", "postgres"):
        with pytest.raises(KeyError, match=r"set it in \.env"):
            environment(name, env={})
        with pytest.raises(KeyError, match=r"set it in \.env"):
            environment(name, env={"POSTGRES_PASSWORD": "", "REDIS_PASSWORD": ""})
    text = (ROOT / "docker-compose.yml").read_text()
    written = re.findall(r"^\s*(\w*(?:PASSWORD|SECRET|TOKEN)\w*): (.+)$", text, re.M)
    assert len(written) >= 2  # postgres' and redis' own
    for key, value in written:
        assert value.strip().strip('"').startswith("${"), (key, value)
    assert re.search(r"://\w+:(?!\$\{)[^@/]+@", text) is None  # no user:password@ in a URL
    example = (ROOT / ".env.example").read_text()
    for name in SECRETS:  # listed for the operator, with no value
        assert re.search(rf"^{name}=$", example, re.MULTILINE), name


def test_long_running_services_have_health_checks_restart_policies_and_volumes() -> None:
    assert set(SERVICES) == LONG_RUNNING | ONE_SHOT
    for name in LONG_RUNNING:
        service = SERVICES[name]
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}, name
    for name in ONE_SHOT:
        assert SERVICES[name]["restart"] == "no", name
    declared = set(COMPOSE["volumes"])
    used = {
        v.split(":")[0]
        for s in SERVICES.values()
        for v in s.get("volumes", [])
        if not v.startswith(".")
    }
    assert used == declared == {"redis-data", "pg-data", "rasa-models", "inbound-spool"}
    assert "inbound-spool:/spool" in SERVICES["app"]["volumes"]
    assert SERVICES["app"]["environment"]["BANBOT_SPOOL_DIR"] == "/spool"
    # what depends on a one-shot waits for it to finish well, the rest for health
    for name, service in SERVICES.items():
        for needed, condition in (service.get("depends_on") or {}).items():
            want = "service_completed_successfully" if needed in ONE_SHOT else "service_healthy"
            assert condition == {"condition": want}, (name, needed)


def test_migrations_run_once_before_apps_and_workers() -> None:
    assert SERVICES["migrate"]["command"] == ["banbot", "db", "upgrade"]
    for name in ("app", "worker"):
        assert "migrate" in SERVICES[name]["depends_on"], name


def test_rasa_is_the_pinned_official_image_trained_from_nlu_data() -> None:
    pinned = re.search(r"rasa==([\d.]+)", (ROOT / "scripts" / "rasa-venv.sh").read_text())
    assert pinned is not None
    train, serve = SERVICES["rasa-train"], SERVICES["rasa"]
    assert train["image"] == serve["image"] == f"rasa/rasa:{pinned.group(1)}-full"
    assert "./nlu_data:/app:ro" in train["volumes"] and train["working_dir"] == "/app"
    script = " ".join(train["command"])
    assert "rasa train nlu --nlu data --config config.yml --domain domain.yml" in script
    out = re.search(r"--out (\S+) --fixed-model-name (\S+)", script)
    assert out is not None
    model = f"{out.group(1)}/{out.group(2)}.tar.gz"
    assert serve["command"][serve["command"].index("--model") + 1] == model
    assert f"rasa-models:{out.group(1)}" in train["volumes"]
    assert f"rasa-models:{out.group(1)}:ro" in serve["volumes"]
    assert "--enable-api" in serve["command"]
    for part in ("config.yml", "domain.yml", "data"):
        assert (ROOT / "nlu_data" / part).exists(), part


def test_interpolation_follows_compose_rules() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("a${SET}b$${SET}", env) == "ax" + "b${SET}"
    assert interpolate("${EMPTY:-d} ${EMPTY-d} ${UNSET-d}", env) == "d  d"
    assert interpolate("${EMPTY?e}", env) == ""
    with pytest.raises(KeyError, match="e"):
        interpolate("${EMPTY:?e}", env)


def test_the_commands_exist() -> None:
    runner = CliRunner()
    for argv in (["worker", "--help"], ["serve", "--help"], ["db", "upgrade", "--help"]):
        result = runner.invoke(main, argv)
        assert result.exit_code == 0, (argv, result.output)
