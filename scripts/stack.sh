#!/usr/bin/env bash
# The production shape as local processes (no Docker): the services of docker-compose.yml.
#
#   scripts/stack.sh start    redis-server (own, port $STACK_REDIS_PORT), PostgreSQL (the local
#                             one: database banbot_stack, created and migrated), Rasa
#                             (scripts/rasa.sh), app x2 (ports $STACK_APP_PORTS), worker;
#                             returns once every one answers. Pid files and logs: var/stack/
#   scripts/stack.sh stop     stop what `start` started, newest first (the database stays)
#   scripts/stack.sh status   what runs, from the pid files
#   scripts/stack.sh env      the BANBOT_ variables the processes get (for a `banbot` command)
#
# Environment: STACK_REDIS_PORT (6380: not the 6379 a developer's tests share),
# STACK_APP_PORTS ("8081 8082"), STACK_RASA_PORT (5005), STACK_RASA=off (no Rasa: the apps use
# the built-in NLU), STACK_DATABASE_URL (postgresql+asyncpg://postgres@127.0.0.1:5432/banbot_stack),
# RASA_VENV (scripts/rasa.sh), STACK_READY_TIMEOUT seconds per process (240).
# A fresh Debian machine: run as root, missing redis-server / postgresql come from apt
# (scripts/ensure-services.sh); `make stack` also builds .venv and .venv-rasa first.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN=$ROOT/var/stack
BANBOT=${BANBOT_BIN:-$ROOT/.venv/bin/banbot}
REDIS_PORT=${STACK_REDIS_PORT:-6380}
APP_PORTS=${STACK_APP_PORTS:-8081 8082}
RASA_PORT=${STACK_RASA_PORT:-5005}
DATABASE_URL=${STACK_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/banbot_stack}
TIMEOUT=${STACK_READY_TIMEOUT:-240}

say() { echo "stack: $*" >&2; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -s "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

banbot_env() {
  export BANBOT_ENV=production BANBOT_DATABASE_URL=$DATABASE_URL
  export BANBOT_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0 BANBOT_QUEUE=saq
  if [ "${STACK_RASA:-on}" = off ]; then
    export BANBOT_NLU=builtin
  else
    export BANBOT_NLU=rasa BANBOT_RASA_URL=http://127.0.0.1:$RASA_PORT
  fi
  # a local tryout: the simulator answers (production turns it off by default)
  export BANBOT_WORKSPACE__SIMULATOR=${BANBOT_WORKSPACE__SIMULATOR:-true}
}

# wait NAME CHECK...: until CHECK succeeds; fails when the process died or time ran out
wait_for() {
  local name=$1 deadline=$((SECONDS + TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    if ! alive "$name"; then
      tail -20 "$RUN/$name.log" >&2 || true
      say "$name exited (log: var/stack/$name.log)"
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      say "$name not ready after $TIMEOUT s (log: var/stack/$name.log)"
      return 1
    fi
    sleep 0.5
  done
}

# spawn NAME COMMAND...: in its own session, pid in var/stack/NAME.pid, output in NAME.log
spawn() {
  local name=$1
  shift
  if alive "$name"; then
    say "$name already runs (pid $(cat "$RUN/$name.pid"))"
    return 0
  fi
  (cd "$ROOT" && exec setsid "$@") >"$RUN/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

start_redis() {
  command -v redis-server >/dev/null || bash "$ROOT/scripts/ensure-services.sh" >/dev/null
  if listening "$REDIS_PORT" && ! alive redis; then
    say "port $REDIS_PORT is taken by another process (set STACK_REDIS_PORT)"
    return 1
  fi
  spawn redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$RUN" \
    --appendonly yes --appendfilename redis.aof --save "" --daemonize no
  wait_for redis redis-cli -p "$REDIS_PORT" ping
  say "redis on 127.0.0.1:$REDIS_PORT"
}

start_postgres() {
  bash "$ROOT/scripts/ensure-services.sh" >/dev/null  # the local server, installed if missing
  "$ROOT/.venv/bin/python" - "$DATABASE_URL" <<'EOF'
import asyncio, sys
import asyncpg
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])

async def main() -> None:
    admin = await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username,
                                  password=url.password, database="postgres")
    try:
        if not await admin.fetchval("select 1 from pg_database where datname = $1", url.database):
            await admin.execute(f'CREATE DATABASE "{url.database}" ENCODING \'UTF8\'')
            print(f"stack: created database {url.database}", file=sys.stderr)
    finally:
        await admin.close()

asyncio.run(main())
EOF
  "$BANBOT" db upgrade >"$RUN/migrate.log" 2>&1 || {
    tail -20 "$RUN/migrate.log" >&2
    say "migration failed (log: var/stack/migrate.log)"
    return 1
  }
  say "postgresql: ${DATABASE_URL%%\?*} migrated"
}

start_rasa() {
  if [ "${STACK_RASA:-on}" = off ]; then
    say "rasa off (STACK_RASA=off): the apps use the built-in NLU"
    return 0
  fi
  RASA_RUN_DIR=$RUN bash "$ROOT/scripts/rasa.sh" serve "$RASA_PORT"
}

start_apps() {
  local port
  for port in $APP_PORTS; do
    if listening "$port" && ! alive "app-$port"; then
      say "port $port is taken by another process (set STACK_APP_PORTS)"
      return 1
    fi
    # one after the other: the first trains the built-in NLU's cache, the next reads it
    spawn "app-$port" "$BANBOT" serve --host 127.0.0.1 --port "$port" --no-access-log
    wait_for "app-$port" curl -sf "http://127.0.0.1:$port/healthz"
    say "app on http://127.0.0.1:$port/"
  done
}

start_worker() {
  spawn worker "$BANBOT" worker
  sleep 2
  alive worker || {
    tail -20 "$RUN/worker.log" >&2
    say "worker exited (log: var/stack/worker.log)"
    return 1
  }
  say "worker (pid $(cat "$RUN/worker.pid"))"
}

stop_one() {
  local name=$1 pid
  [ -s "$RUN/$name.pid" ] || return 0
  pid=$(cat "$RUN/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    say "stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}

need_curl() {  # readiness checks (here and in scripts/rasa.sh); not on a minimal Debian
  command -v curl >/dev/null && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "needs curl (apt-get install curl)"
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
}

start() {
  mkdir -p "$RUN"
  need_curl
  [ -x "$BANBOT" ] || {
    say "no $BANBOT: run make install (or make stack)"
    exit 3
  }
  banbot_env  # exported to every process started below
  start_redis
  start_postgres
  start_rasa
  start_apps
  start_worker
  say "up: apps on $(for p in $APP_PORTS; do printf 'http://127.0.0.1:%s/ ' "$p"; done)"
}

stop() {
  local port
  stop_one worker
  for port in $APP_PORTS; do stop_one "app-$port"; done
  if [ "${STACK_RASA:-on}" != off ]; then RASA_RUN_DIR=$RUN bash "$ROOT/scripts/rasa.sh" stop "$RASA_PORT"; fi
  stop_one redis
}

status() {
  local name
  for pidfile in "$RUN"/*.pid; do
    [ -e "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid)
    if alive "$name"; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: dead"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) banbot_env && env | grep '^BANBOT_' | sort ;;
  *)
    echo "usage: scripts/stack.sh start | stop | status | env" >&2
    exit 2
    ;;
esac
