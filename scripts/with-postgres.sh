#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on loopback, then remove the cluster.
#   scripts/with-postgres.sh python -m pytest
# The cluster's URL is exported as DATABASE_URL. initdb refuses to run as root, so as root the
# cluster runs as the `postgres` system user. PostgreSQL is installed with apt if missing.
set -euo pipefail

find_bin() {
  local name=$1
  command -v "$name" 2>/dev/null && return
  ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(find_bin initdb)" ]; then
  echo "==> Installing PostgreSQL (apt package postgresql)"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)

PGPORT=${PGPORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PGDIR=$(mktemp -d /tmp/portal-pg.XXXXXX)
chmod 755 "$PGDIR"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"

cleanup() {
  as_owner "$PG_CTL" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT

as_owner "$INITDB" -D "$PGDIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
as_owner "$PG_CTL" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
echo "==> PostgreSQL $("$PG_CTL" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/portal"
"$@"
