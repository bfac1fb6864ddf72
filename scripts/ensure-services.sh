#!/usr/bin/env bash
# Make sure a Redis and a PostgreSQL server answer on localhost for the test suite.
# On a fresh Debian machine (root), install them from Debian's packages and start them.
# Nothing here is needed for `make run`, which uses embedded defaults.
set -euo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "ensure-services: cannot install $* (need root and apt-get)" >&2
    return 1
  fi
  if [ -z "${_APT_UPDATED:-}" ]; then apt-get update -qq; _APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! listening 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /tmp/banbot-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/banbot-redis --logfile /tmp/banbot-redis/redis.log
  for _ in $(seq 50); do listening 6379 && break; sleep 0.1; done
fi
echo "ensure-services: redis on 127.0.0.1:6379"

if ! listening 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
  fi
  ver=$(ls /etc/postgresql | sort -V | tail -n1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  # Tests connect over TCP as postgres to the database `test` without a password.
  grep -q "banbot-test" "$hba" || sed -i "1i host all postgres 127.0.0.1/32 trust # banbot-test" "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || pg_ctlcluster "$ver" main start
  for _ in $(seq 100); do listening 5432 && break; sleep 0.1; done
fi
if command -v psql >/dev/null && ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  su postgres -c "createdb test" 2>/dev/null || true
fi
echo "ensure-services: postgresql on 127.0.0.1:5432"
