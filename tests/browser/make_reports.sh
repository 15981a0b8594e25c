#!/usr/bin/env bash
# Fixture for the browser tests: a small simulated country, ingested, reported in both tiers.
set -euo pipefail
joindots=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
"$joindots" simulate --quiet --seed 7 --scale 0.3 --out "$out/country"
"$joindots" ingest --quiet --db "$out/hub.db" "$out/country/agencies" >/dev/null
"$joindots" link --quiet --db "$out/hub.db" >/dev/null
# --min-observed 100: some regions (East Midlands, North East, South West, Wales) are then
# too sparse, so the regional map's grey strata and the forest plots' flagged rows are drawn.
"$joindots" estimate --quiet --db "$out/hub.db" --by region,pfa,sex --min-observed 100 --bootstrap 200 >/dev/null
"$joindots" networks --quiet --db "$out/hub.db" >/dev/null
"$joindots" report --quiet --db "$out/hub.db" --out "$out/report-public.html" --bundle "$out/bundle-public.json" >/dev/null
"$joindots" report --quiet --db "$out/hub.db" --tier restricted --out "$out/report-restricted.html" \
  --bundle "$out/bundle-restricted.json" >/dev/null
