#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server on loopback and CITYKPI_TEST_POSTGRES_URL set,
# so that store and API tests run against PostgreSQL as well as SQLite. The server lives in a
# temporary directory and is stopped when the command ends, whatever its outcome.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "with-postgres: PostgreSQL is not installed (scripts/system-deps.sh installs it)" >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/citykpi-pg.XXXXXX)
chmod 755 "$tmp"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: hand the data directory to the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$tmp"
  run_as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U citykpi --auth=trust -E UTF8 >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp -c fsync=off -c max_connections=200" \
  start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U citykpi citykpi_test
export CITYKPI_TEST_POSTGRES_URL="postgresql+psycopg://citykpi@127.0.0.1:$port/citykpi_test"
"$@"
