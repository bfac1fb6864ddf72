"""Queue page benchmark: the commune workspace's queue with 100,000 reports on PostgreSQL.

Creates a fresh PostgreSQL database (``--database``, dropped before and after), migrates
it, loads the gazetteer, inserts ``--reports`` reports spread over a year (60 % in phường
Chiềng An, the officer's commune; 20 % of all still open) with one SQL statement, starts
``banbot serve`` in a subprocess, logs in as an officer of Chiềng An, and times
``--requests`` sequential GETs of each variant of the page (the open queue, a village
filter, every status, the second page, and the live poll that finds nothing new). Prints one
JSON object per variant: p50 / p99 / max in ms, and the rows the page showed. Traffic goes to
127.0.0.1 only; loops are bounded.

    .venv/bin/python bench/queue_page.py [--reports 100000] [--requests 200]
        [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation import free_port, wait_ready  # noqa: E402 - after the path is set
from bot.app import prepare_database  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.store.repo import Store  # noqa: E402
from bot.web.workspace.passwords import hash_password  # noqa: E402

COMMUNE = "03664"
PASSWORD = "bench-mat-khau-dai"  # noqa: S105 - a throwaway bench database's only user
# One INSERT ... SELECT: kinds, communes, statuses and ages from the row number, so a run is
# the same every time. Disaster reports carry the details the urgency and clusters read.
CONTACTS = """
INSERT INTO contacts (id, language, role, stopped, created_at, updated_at)
SELECT g, 'vi', 'resident', false, now(), now() FROM generate_series(1, $1::int) g
"""
FILL = """
INSERT INTO reports (ref, contact_id, type, subtype, village_id, commune_code, details, photos,
                     urgency, flagged, status, created_at, updated_at)
SELECT 'TT-' || lpad(g::text, 6, '0'),
       1 + g % $2::int,
       (ARRAY['disaster','disaster','household_change','household_change','disaster',
              'household_change','eligibility_request','handover','disaster','household_change'])
             [1 + g % 10],
       CASE WHEN g % 10 IN (0, 1, 4, 8) THEN 'flood' ELSE NULL END,
       CASE WHEN g % 10 < 6 THEN (SELECT v.id FROM villages v WHERE v.commune_code = $3::text
                                   ORDER BY v.id OFFSET (g % $4::int) LIMIT 1)
            ELSE NULL END,
       CASE WHEN g % 10 < 6 THEN $3::text WHEN g % 10 < 9 THEN '04105' ELSE NULL END,
       CASE WHEN g % 10 IN (0, 1, 4, 8)
            THEN json_build_object('hazard', 'flood', 'people', 1 + g % 9,
                                   'vulnerable', json_build_array('elderly'),
                                   'urgency_reasons', json_build_array('hazard:flood'))
            ELSE json_build_object('who', 'Lò Văn ' || g) END,
       '[]'::json,
       CASE WHEN g % 10 IN (0, 1, 4, 8) THEN (g * 37) % 101 ELSE NULL END,
       g % 10 IN (0, 1, 4, 8) AND (g * 37) % 101 >= 50,
       (ARRAY['new','acknowledged','in_progress','resolved','resolved','resolved','resolved',
              'resolved','resolved','rejected'])[1 + (g / 10) % 10],
       now() - make_interval(mins => (g * 5) % 525600),
       now()
FROM generate_series(1, $1::int) g
"""
VARIANTS = {
    "open queue": "/ws/",
    "village filter": "/ws/?village={village}",
    "every status": "/ws/?status=all",
    "second page": "/ws/?offset=50",
    "live poll, nothing new": "/ws/?since={newest}",
}


async def _maintenance(url: str) -> asyncpg.Connection:
    base = make_url(url)
    return await asyncpg.connect(host=base.host or "127.0.0.1", port=base.port or 5432,
                                 user=base.username or "postgres", password=base.password,
                                 database="postgres")  # fmt: skip


def dsn(db_url: str) -> str:
    """asyncpg's address of a SQLAlchemy ``postgresql+asyncpg://`` URL."""
    return db_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def recreate(url: str, name: str) -> str:
    """Drop database ``name`` on the server of ``url`` if it exists, create it empty; its URL."""
    admin = await _maintenance(url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    finally:
        await admin.close()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def build(url: str, name: str, reports: int) -> tuple[str, str, float]:
    """A fresh database with ``reports`` reports; returns its URL, a village, seconds taken."""
    db_url = await recreate(url, name)
    started = time.perf_counter()
    await prepare_database(Settings(database_url=db_url))
    conn = await asyncpg.connect(dsn(db_url))
    try:
        villages = await conn.fetchval(
            "SELECT count(*) FROM villages WHERE commune_code = $1", COMMUNE
        )
        await conn.execute(CONTACTS, reports // 5)
        await conn.execute(FILL, reports, reports // 5, COMMUNE, villages)
        await conn.execute("VACUUM ANALYZE")  # what autovacuum does to a table at rest
        village = await conn.fetchval(
            "SELECT village_id FROM reports WHERE commune_code = $1 AND village_id IS NOT NULL"
            " GROUP BY village_id ORDER BY count(*) DESC LIMIT 1", COMMUNE)  # fmt: skip
    finally:
        await conn.close()
    store = Store(db_url)
    try:
        async with store.transaction() as tx:
            await tx.users.add(username="bench", password_hash=hash_password(PASSWORD),
                               role="officer", commune_code=COMMUNE)  # fmt: skip
    finally:
        await store.close()
    return db_url, str(village), time.perf_counter() - started


async def measure(base: str, village: str, requests: int) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        r = await client.post("/api/v1/session", json={"username": "bench", "password": PASSWORD})
        r.raise_for_status()
        first = await client.get("/ws/")
        newest = re.search(r"since=(\d+)", first.text)
        if newest is None:
            raise RuntimeError(f"no queue page: {first.text[:300]}")
        for name, template in VARIANTS.items():
            path = template.format(village=village, newest=newest.group(1))
            headers = {"HX-Request": "true"} if "since" in path else {}
            for _ in range(5):  # warm-up
                await client.get(path, headers=headers)
            times: list[float] = []
            rows = 0
            for _ in range(requests):
                t = time.perf_counter()
                resp = await client.get(path, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
                if resp.status_code not in (200, 204):
                    raise RuntimeError(f"{path}: {resp.status_code}")
                rows = resp.text.count('<li class="report')
            times.sort()
            results.append({
                "variant": name, "path": path, "requests": requests, "rows_shown": rows,
                "p50_ms": round(statistics.median(times), 1),
                "p99_ms": round(times[min(len(times) - 1, int(0.99 * len(times)))], 1),
                "max_ms": round(times[-1], 1),
            })  # fmt: skip
    return results


async def main_async(args: argparse.Namespace) -> None:
    db_url, village, seconds = await build(args.postgres_url, args.database, args.reports)
    print(json.dumps({"setup": "database", "reports": args.reports, "seconds": round(seconds, 1)}))
    port = free_port()
    env = {**os.environ, "BANBOT_DATABASE_URL": db_url, "BANBOT_ENV": "test"}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(  # noqa: S603, ASYNC220 - our own CLI; started once, before timing
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--no-access-log"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            await wait_ready(base)
            for line in await measure(base, village, args.requests):
                print(json.dumps(line, ensure_ascii=False))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            await drop(args.postgres_url, args.database)


async def drop(url: str, name: str) -> None:
    admin = await _maintenance(url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default="banbot_bench_queue")
    parser.add_argument(
        "--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
