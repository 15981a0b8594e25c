#!/usr/bin/env bash
# Ingest speed of the PostgreSQL store against the SQLite store (issue 17): the same agency
# files (a simulated country) ingested into a new SQLite file and into a new PostgreSQL
# database, each timed end to end by the CLI, records per second. The server is Debian's
# (initdb + pg_ctl in a temporary folder, unix socket only) with its default durability:
# fsync on, synchronous_commit on (SQLite runs in WAL mode with synchronous=NORMAL).
# Usage: bench/postgres_ingest.sh [JOINDOTS]   (BENCH_SCALE=1, BENCH_REPEATS=3, BENCH_SEED=1;
# BENCH_PG_OPTIONS adds server settings, e.g. "-c synchronous_commit=off")
# Figures in bench/README.md ("Ingest: PostgreSQL against SQLite").
set -euo pipefail
cd "$(dirname "$0")/.."
joindots=$(realpath "${1:-build/bin/joindots}")
scale=${BENCH_SCALE:-1}
repeats=${BENCH_REPEATS:-3}
seed=${BENCH_SEED:-1}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres_ingest: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (scripts/install-deps)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/joindots-pgbench-XXXXXX)
as_server_user() {  # PostgreSQL refuses to run as root
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$work"; fi
stop() {
  as_server_user "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
as_server_user "$bin/initdb" -D "$work/data" -U joindots -A trust -E UTF8 --locale=C >/dev/null
as_server_user "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-c listen_addresses='' -k $work -p 5432 ${BENCH_PG_OPTIONS:-}" start >/dev/null
server="postgresql:///DB?host=$work&port=5432&user=joindots"

echo "simulating the country (--scale $scale --seed $seed)" >&2
"$joindots" simulate --quiet --seed "$seed" --scale "$scale" --out "$work/country" >/dev/null
files=$(ls "$work/country/agencies"/*.csv | wc -l)
bytes=$(cat "$work/country/agencies"/*.csv | wc -c)

ingest() {  # label, --db location: prints "label seconds records"
  local start end records
  start=$(date +%s.%N)
  records=$("$joindots" ingest --quiet --json --db "$2" "$work/country/agencies" 2>"$work/ingest.err" |
    python3 -c "import json,sys; print(json.load(sys.stdin)['records_added'])")
  end=$(date +%s.%N)
  echo "$1 $(python3 -c "print(f'{$end - $start:.3f}')") $records"
}

echo "files: $files, bytes: $bytes"
echo "store seconds records records_per_s"
for i in $(seq "$repeats"); do
  rm -f "$work/hub.db" "$work/hub.db-wal" "$work/hub.db-shm"
  ingest sqlite "$work/hub.db" | awk '{printf "%s %s %s %.0f\n", $1, $2, $3, $3 / $2}'
  "$bin/psql" -q "${server/DB/postgres}" -c "CREATE DATABASE bench_$i" >/dev/null
  ingest postgresql "${server/DB/bench_$i}" | awk '{printf "%s %s %s %.0f\n", $1, $2, $3, $3 / $2}'
done
