#!/usr/bin/env bash
# Load on `joindots serve` (issue 14): wrk at 64 connections on loopback against the public
# API, after one warm-up request. Needs wrk (apt-get install wrk); never part of make test.
#   bench/serve_load.sh [JOINDOTS] [FIXTURE_DIR]
# The fixture (a small simulated country: ingested, linked, estimated by region) is built in
# FIXTURE_DIR when it has no hub.db yet, and kept. Figures are kept in bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
joindots=${1:-build/bin/joindots}
fixture=${2:-${TMPDIR:-/tmp}/joindots-serve-bench}
duration=${SERVE_BENCH_SECONDS:-15}
connections=${SERVE_BENCH_CONNECTIONS:-64}
if ! command -v wrk >/dev/null; then
  echo "skipped: wrk is not installed (apt-get install wrk)"
  exit 0
fi
if [ ! -f "$fixture/hub.db" ]; then
  echo "building the fixture in $fixture ..."
  mkdir -p "$fixture"
  "$joindots" simulate --quiet --seed 7 --scale 0.3 --out "$fixture/country" >/dev/null
  "$joindots" ingest --quiet --db "$fixture/hub.db" "$fixture/country/agencies" >/dev/null
  "$joindots" link --quiet --db "$fixture/hub.db" >/dev/null
  "$joindots" estimate --quiet --db "$fixture/hub.db" --by region --bootstrap 200 >/dev/null
fi
log=$(mktemp)
"$joindots" serve --db "$fixture/hub.db" --port 0 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -f "$log"' EXIT
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$log" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start:"; cat "$log"; exit 1; }
echo "joindots serve at $url; wrk, $connections connections, $duration s per endpoint"
for path in api/v1/summary api/v1/estimates api/v1/bundle; do
  curl -sf -o /dev/null "$url$path"  # warm-up: the first request builds the results
  echo
  echo "== GET /$path =="
  wrk -t2 -c"$connections" -d"${duration}s" --latency --timeout 10s "$url$path" |
    grep -E 'Requests/sec|Transfer/sec|Latency  |50%|90%|99%|requests in|Socket errors|Non-2xx'
done
if ! kill -0 "$server" 2>/dev/null; then
  echo "the server died during the load:"
  cat "$log"
  exit 1
fi
