"""Inbound messages kept on disk while the database or Redis is down, replayed when it is back.

A webhook answers its provider at once and the message is handled afterwards (see
:mod:`bot.channels.runtime`). If the database or Redis is down by then, the message would be
gone: the provider was told it arrived and will not send it again. Instead the runtime writes
it here and answers it later (as courier spools inbound messages to disk when its database is
down).

- One JSON line per message, appended to this process's file ``inbound-<pid>.jsonl`` and
  flushed to disk (``fsync``) before :meth:`Spool.put` returns; the folder and files are
  readable by the bot's user only (the lines hold phone numbers and what people wrote).
- :meth:`Spool.replay` takes a file by renaming it (``os.rename`` is atomic, so of several
  app processes sharing the folder only one takes each file), hands every message to the
  handler in order, and deletes the file. A message whose handler fails again is written back
  to the spool, with every message after it, ahead of what was kept meanwhile, and the replay
  stops there (the outage is not over). A message answered twice is dropped by the
  pipeline's dedupe.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.messages import Inbound, Location
from bot.outage import is_outage

log = logging.getLogger(__name__)

_TAKEN = ".replaying"


def encode(msg: Inbound) -> str:
    data = asdict(msg)
    if msg.received_at is not None:
        data["received_at"] = msg.received_at.isoformat()
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode(line: str) -> Inbound:
    data: dict[str, Any] = json.loads(line)
    if data.get("location") is not None:
        data["location"] = Location(**data["location"])
    if data.get("received_at") is not None:
        data["received_at"] = datetime.fromisoformat(data["received_at"])
    data["media"] = tuple(data.get("media") or ())
    return Inbound(**data)


class Spool:
    """The folder of kept messages (``BANBOT_SPOOL_DIR``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = asyncio.Lock()
        self._file = folder / f"inbound-{os.getpid()}.jsonl"

    async def put(self, msg: Inbound) -> None:
        """Keep ``msg`` on disk (written and flushed when this returns)."""
        async with self._lock:
            await asyncio.to_thread(self._append, [encode(msg)])

    def waiting(self) -> bool:
        """Cheap: is any message kept (this process's or another's)?"""
        return self.folder.is_dir() and any(self.folder.glob("inbound-*.jsonl*"))

    def pending(self) -> int:
        """Messages waiting in the folder (all processes' files)."""
        if not self.folder.is_dir():
            return 0
        total = 0
        for path in self.folder.glob("inbound-*.jsonl*"):
            with path.open("rb") as f:
                total += sum(1 for line in f if line.strip())
        return total

    async def replay(self, handle: Callable[[Inbound], Awaitable[None]]) -> int:
        """Hand every kept message to ``handle``, oldest file first; returns how many went
        through. Stops at the first message whose handler fails with an outage (that one
        and the rest are kept); any other failure is logged and the message dropped, as a
        message handled the first time would be."""
        done = 0
        self._recover()
        if not self.folder.is_dir():
            return 0
        for path in sorted(self.folder.glob("inbound-*.jsonl"), key=_age):
            taken = path.with_name(path.name + f".{os.getpid()}{_TAKEN}")
            async with self._lock:  # this process's own file is not being appended to
                try:
                    os.rename(path, taken)
                except FileNotFoundError:
                    continue  # another process took it
            lines = [ln for ln in taken.read_text(encoding="utf-8").splitlines() if ln.strip()]
            for n, line in enumerate(lines):
                try:
                    await handle(decode(line))
                except Exception as exc:
                    if not is_outage(exc):
                        log.error("a kept message failed again and is dropped", exc_info=exc)
                        continue
                    await asyncio.to_thread(self._keep_first, taken, lines[n:])
                    log.warning("replay stopped: still unavailable; %d kept", len(lines) - n)
                    return done
                done += 1
            taken.unlink()
        if done:
            log.info("replayed %d kept inbound message(s)", done)
        return done

    def _recover(self) -> None:
        """A file a process took and died with (``<name>.<pid>.replaying``, that pid gone)
        goes back to the spool."""
        for path in self.folder.glob(f"inbound-*.jsonl.*{_TAKEN}"):
            pid = path.name.removesuffix(_TAKEN).rsplit(".", 1)[-1]
            if pid.isdigit() and not _alive(int(pid)):
                original = path.name.removesuffix(_TAKEN).rsplit(".", 1)[0]
                path.rename(path.with_name(f"{original}.{pid}.recovered.jsonl"))

    def _keep_first(self, taken: Path, lines: list[str]) -> None:
        """The unanswered rest of a taken file back in the spool, ahead of what was kept
        since (a file of its own with the taken file's time: replays go oldest first)."""
        when = taken.stat()
        rest = self.folder / f"inbound-{os.getpid()}-rest-{time.time_ns()}.jsonl"
        _write(rest, lines, os.O_EXCL)
        os.utime(rest, ns=(when.st_atime_ns, when.st_mtime_ns))
        taken.unlink()

    def _append(self, lines: list[str]) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write(self._file, lines, os.O_APPEND)


def _write(path: Path, lines: list[str], flag: int) -> None:
    """``lines`` into ``path`` (created 0600; ``flag``: append, or a new file only), on disk
    when this returns."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | flag, 0o600)
    try:
        os.write(fd, "".join(line + "\n" for line in lines).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _age(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
