"""A real Rasa server for tests, ``banbot nlu evaluate`` and ``bench/nlu.py``.

``RasaServer`` drives ``scripts/rasa.sh``: ``start()`` trains from ``nlu_data/`` when the data
changed (model cached by data hash in ``~/.cache/banbot/rasa-models/``), serves on a free port
of 127.0.0.1 and returns once the server answers; ``stop()`` ends that server. The environment
is ``.venv-rasa`` (built by ``scripts/rasa-venv.sh``) or ``$RASA_VENV``; :func:`rasa_available`
says whether it exists.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "rasa.sh"
BASH = shutil.which("bash") or "/bin/bash"


def rasa_venv() -> Path:
    """Where the Rasa environment is expected (``$RASA_VENV`` or ``.venv-rasa``)."""
    return Path(os.environ.get("RASA_VENV") or ROOT / ".venv-rasa")


def rasa_available() -> bool:
    """True when ``rasa`` can be run from :func:`rasa_venv`."""
    return os.access(rasa_venv() / "bin" / "rasa", os.X_OK)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RasaError(RuntimeError):
    """Training or serving failed; the message holds the script's last output lines."""


class RasaServer:
    """One ``rasa run --enable-api`` process started through ``scripts/rasa.sh``."""

    def __init__(self, port: int | None = None, timeout_seconds: float = 600.0) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.timeout_seconds = timeout_seconds
        self.log = ""
        self.seconds = 0.0  # how long start() took (training included)

    def _run(self, *args: str) -> str:
        env = {**os.environ, "RASA_VENV": str(rasa_venv())}
        done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [BASH, str(SCRIPT), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=self.timeout_seconds,
            check=False,
        )
        if done.returncode != 0:
            raise RasaError(f"scripts/rasa.sh {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stderr

    def train(self) -> str:
        """Train unless a model for the current data exists; the script's report."""
        return self._run("train")

    def start(self) -> RasaServer:
        """Train if needed, serve, wait until ready (raises :class:`RasaError`)."""
        started = time.perf_counter()
        self.log = self._run("serve", str(self.port))
        self.seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        self._run("stop", str(self.port))

    def __enter__(self) -> RasaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
