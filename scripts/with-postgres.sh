#!/usr/bin/env bash
# Runs a command against a private PostgreSQL server started for it, then stops the server:
#   bash scripts/with-postgres.sh npm run test:postgres
# The cluster lives in a new temporary directory and listens only on a Unix socket there (no TCP), with
# trust authentication; the command gets PGHOST (the socket's directory), PGUSER and PGDATABASE. It needs
# Debian's postgresql package (initdb and pg_ctl in /usr/lib/postgresql/<version>/bin). PostgreSQL
# refuses to run as root, so as root the server runs as the postgres user the package creates.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "with-postgres: no PostgreSQL server found in /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
  exit 2
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/backfill-postgres.XXXXXX")
as_server() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_server() { runuser -u postgres -- "$@"; }
fi
stop() {
  as_server "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_server "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-k $dir -c listen_addresses=''" start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "with-postgres: $("$bin/postgres" --version) on $dir" >&2
PGHOST=$dir PGUSER=postgres PGDATABASE=postgres "$@"
