#!/usr/bin/env bash
# The hub under load (issue 17's acceptance): on loopback, with the fixture of serve_load.sh.
#   bench/hub_load.sh [JOINDOTS] [FIXTURE_DIR]
# 1. 20 agencies delivering at once over HTTPS (20 accounts, 20 different files, curl in
#    parallel): each file ingested exactly once, none lost, then `PRAGMA integrity_check`.
# 2. wrk at 64 connections over HTTP and over HTTPS: the public API (GET /api/v1/summary) and
#    an authenticated, audited route with an agency's token (GET /api/v1/deliveries).
# 3. The HTTPS server's RSS sampled every 5 s over a mixed run (HUB_MIXED_SECONDS, 300):
#    wrk on the public and the authenticated route and a delivery every 5 s; RSS at each
#    minute and the growth from the first minute to the end.
# 4. Part 2's wrk runs over HTTP on a PostgreSQL store (Debian's server started in a
#    temporary folder as bench/postgres_ingest.sh does; skipped without its binaries).
# Needs wrk (scripts/install-deps --bench), curl, openssl, python3 and sqlite3; never part
# of make test. The servers run under nice -n 19 like everything else on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
joindots=$(realpath "${1:-build/bin/joindots}")
fixture=${2:-${TMPDIR:-/tmp}/joindots-serve-bench}
duration=${HUB_BENCH_SECONDS:-15}
mixed=${HUB_MIXED_SECONDS:-300}
connections=${HUB_BENCH_CONNECTIONS:-64}
for tool in wrk curl openssl python3 sqlite3; do
  command -v $tool >/dev/null || { echo "skipped: $tool is not installed (scripts/install-deps --bench)"; exit 0; }
done
if [ ! -f "$fixture/hub.db" ]; then
  echo "building the fixture in $fixture ..."
  mkdir -p "$fixture"
  "$joindots" simulate --quiet --seed 7 --scale 0.3 --out "$fixture/country" >/dev/null
  "$joindots" ingest --quiet --db "$fixture/hub.db" "$fixture/country/agencies" >/dev/null
  "$joindots" link --quiet --db "$fixture/hub.db" >/dev/null
  "$joindots" estimate --quiet --db "$fixture/hub.db" --by region --bootstrap 200 >/dev/null
fi
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
sqlite3 "$fixture/hub.db" ".backup '$work/hub.db'"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$work/hub.key" -out "$work/hub.crt" 2>/dev/null
chmod 600 "$work/hub.key"

# The deliveries: agency i's file is the largest agency file of the fixture with every record's
# source_org made BENCHi and its record_id made unique, so each is new to the store.
mkdir -p "$work/files"
python3 - "$fixture/country/agencies" "$work/files" <<'EOF'
import csv, glob, os, sys
src = max(sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))), key=os.path.getsize)
rows = list(csv.reader(open(src, newline="")))
head, body = rows[0], rows[1:]
org, rid = head.index("source_org"), head.index("record_id")
for i in range(20):
    with open(os.path.join(sys.argv[2], f"bench{i:02}.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        for r in body:
            r = list(r)
            r[org], r[rid] = f"BENCH{i:02}", f"B{i:02}-{r[rid]}"
            w.writerow(r)
EOF
for i in $(seq -w 0 19); do
  "$joindots" accounts add --quiet --db "$work/hub.db" --org "BENCH$i" --role agency >"$work/agency$i.token"
done
token=$(cat "$work/agency00.token")

start_server() {  # start_server LOG ARGS...: serve on a free port; sets url and pid
  local log=$1
  shift
  nice -n 19 "$joindots" serve --db "${serve_db:-$work/hub.db}" --port 0 "$@" >/dev/null 2>"$log" &
  pid=$!
  pids+=("$pid")
  url=
  for _ in $(seq 200); do
    url=$(grep -o 'https\?://127\.0\.0\.1:[0-9]*/' "$log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "the server did not start:" >&2; cat "$log" >&2; exit 1; }
}
start_server "$work/http.log"
http=$url http_pid=$pid
start_server "$work/https.log" --tls-cert "$work/hub.crt" --tls-key "$work/hub.key"
https=$url https_pid=$pid
tls=(--cacert "$work/hub.crt")
echo "load: $(uptime)"
echo "HTTP $http (pid $http_pid), HTTPS $https (pid $https_pid)"

echo
echo "== 1. 20 agencies delivering at once over HTTPS =="
files_before=$(sqlite3 "$work/hub.db" "SELECT count(*) FROM files")
records_before=$(sqlite3 "$work/hub.db" "SELECT count(*) FROM records")
t0=$(date +%s.%N)
uploads=()
for i in $(seq -w 0 19); do
  curl -s "${tls[@]}" -o "$work/answer$i.json" -w "%{http_code}\n" \
    -H "Authorization: Bearer $(cat "$work/agency$i.token")" \
    --data-binary @"$work/files/bench$i.csv" "${https}api/v1/deliveries?name=bench$i.csv" >"$work/status$i" &
  uploads+=($!)
done
wait "${uploads[@]}"
t1=$(date +%s.%N)
statuses=$(cat "$work"/status* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
rows=$(($(cat "$work"/files/*.csv | wc -l) - 20))
echo "statuses: $statuses wall $(python3 -c "print(f'{$t1 - $t0:.1f}')") s; $rows rows in 20 files"
echo "files +$(($(sqlite3 "$work/hub.db" "SELECT count(*) FROM files") - files_before)) (want 20)," \
  "records +$(($(sqlite3 "$work/hub.db" "SELECT count(*) FROM records") - records_before)) (want $rows)," \
  "organisations with their rows:" \
  "$(sqlite3 "$work/hub.db" "SELECT count(DISTINCT source_org) FROM records WHERE source_org LIKE 'BENCH%'")," \
  "integrity_check: $(sqlite3 "$work/hub.db" "PRAGMA integrity_check")"
again=$(curl -s "${tls[@]}" -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $token" \
  --data-binary @"$work/files/bench00.csv" "${https}api/v1/deliveries?name=bench00.csv")
echo "bench00.csv again: $again (want 200); audit: $("$joindots" audit verify --db "$work/hub.db")"

run_wrk() {  # run_wrk LABEL URL [wrk args]
  local label=$1 url=$2
  shift 2
  curl -sf -k -o /dev/null "$@" "$url" 2>/dev/null || true  # warm-up (builds the results)
  echo
  echo "== $label: $url ($(uptime | sed 's/.*load/load/')) =="
  wrk -t2 -c"$connections" -d"${duration}s" --latency --timeout 10s "$@" "$url" |
    grep -E 'Requests/sec|Latency  |50%|99%|requests in|Socket errors|Non-2xx'
}
auth=(-H "Authorization: Bearer $token")
run_wrk "2. public, HTTP" "${http}api/v1/summary"
run_wrk "2. public, HTTPS" "${https}api/v1/summary"
run_wrk "2. agency token, audited, HTTP" "${http}api/v1/deliveries" "${auth[@]}"
run_wrk "2. agency token, audited, HTTPS" "${https}api/v1/deliveries" "${auth[@]}"

echo
echo "== 3. HTTPS server's RSS over a ${mixed} s mixed run =="
rss() { awk '/VmRSS/ {print $2}' "/proc/$https_pid/status"; }
echo "RSS before: $(rss) kB ($(uptime | sed 's/.*load/load/'))"
wrk -t1 -c16 -d"${mixed}s" --timeout 10s "${https}api/v1/summary" >"$work/mixed-public.txt" &
loads=($!)
wrk -t1 -c8 -d"${mixed}s" --timeout 10s "${auth[@]}" "${https}api/v1/deliveries" >"$work/mixed-auth.txt" &
loads+=($!)
start=$(date +%s)
end=$((start + mixed))
n=0
samples=()
while [ "$(date +%s)" -lt "$end" ]; do
  # A new delivery every 5 s: the agency's file with its record_ids renumbered.
  sed "2,\$s/,B00-/,M$n-/" "$work/files/bench00.csv" >"$work/mixed.csv"
  curl -s "${tls[@]}" -o /dev/null -H "Authorization: Bearer $token" --data-binary @"$work/mixed.csv" \
    "${https}api/v1/deliveries?name=mixed$n.csv" >/dev/null || true
  n=$((n + 1))
  samples+=("$(($(date +%s) - start)):$(rss)")
  sleep 5
done
wait "${loads[@]}"
echo "RSS samples (seconds:kB, every ~5 s): ${samples[*]}"
python3 - "${samples[@]}" <<'EOF'
import sys
s = [tuple(int(v) for v in x.split(":")) for x in sys.argv[1:]]
def at(t):  # the sample nearest to t seconds
    return min(s, key=lambda p: abs(p[0] - t))[1]
minutes = [m for m in range(1, 6) if m * 60 <= s[-1][0] + 5]
print("RSS at " + ", ".join(f"{m} min {at(m * 60) / 1024:.1f} MB" for m in minutes))
after = [kb for t, kb in s if t >= 60]
if after:
    print(f"after the first minute: min {min(after) / 1024:.1f} MB, max {max(after) / 1024:.1f} MB; "
          f"growth from 1 min to the end {(s[-1][1] - at(60)) / 1024:+.1f} MB")
EOF
echo "deliveries during the run: $n"
grep -hE 'Requests/sec|requests in|Socket errors|Non-2xx' "$work/mixed-public.txt" "$work/mixed-auth.txt"
echo "load after: $(uptime)"
for p in "$http_pid" "$https_pid"; do
  kill -0 "$p" 2>/dev/null || { echo "a server died during the load"; cat "$work"/*.log; exit 1; }
done
kill "$http_pid" "$https_pid" 2>/dev/null || true

# 4. The same wrk runs over HTTP on a PostgreSQL store: Debian's server in a temporary folder
# (initdb + pg_ctl, unix socket only, default durability), the fixture's agency files
# ingested, an agency account. Skipped without the server binaries.
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "4. skipped: no PostgreSQL server binaries (scripts/install-deps)"
  exit 0
fi
pgdir=$(mktemp -d /tmp/joindots-hubpg-XXXXXX)
as_server_user() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres: "$pgdir"
cleanup_pg() {
  as_server_user "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
  cleanup
}
trap cleanup_pg EXIT
as_server_user "$pgbin/initdb" -D "$pgdir/data" -U joindots -A trust -E UTF8 --locale=C >/dev/null
as_server_user "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
  -o "-c listen_addresses='' -k $pgdir -p 5432" start >/dev/null
"$pgbin/psql" -q "postgresql:///postgres?host=$pgdir&port=5432&user=joindots" -c "CREATE DATABASE hub" >/dev/null
pg="postgresql:///hub?host=$pgdir&port=5432&user=joindots"
"$joindots" ingest --quiet --db "$pg" "$fixture/country/agencies" >/dev/null 2>&1
pgtoken=$("$joindots" accounts add --quiet --db "$pg" --org BENCH00 --role agency)
serve_db=$pg start_server "$work/pg.log"
echo
echo "== 4. PostgreSQL store: $url =="
run_wrk "4. public, HTTP, PostgreSQL" "${url}api/v1/summary"
run_wrk "4. agency token, audited, HTTP, PostgreSQL" "${url}api/v1/deliveries" -H "Authorization: Bearer $pgtoken"
echo "audit: $("$joindots" audit verify --db "$pg")"
