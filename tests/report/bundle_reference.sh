#!/usr/bin/env bash
# The public results bundle of a small simulated country at a fixed seed, run through the
# whole pipeline (simulate, ingest, link, estimate by stratum, networks against the truth,
# report). ReportReference.PublicBundleMatches (bundle_reference_test.cpp) runs this and
# compares the bundle, field by field, with reference/bundle-public.json.
#
#   tests/report/bundle_reference.sh JOINDOTS OUT_DIR              # writes OUT_DIR/bundle-public.json
#   tests/report/bundle_reference.sh JOINDOTS OUT_DIR --regenerate # ... and replaces the reference
#
# Regenerate only for an intended change of figures (a method, a default or disclosure
# control changed on purpose), and have the difference reviewed: the commit that replaces
# the reference says which figures moved and why. A refactoring must leave it unchanged.
set -euo pipefail
joindots=$1
out=$2
regenerate=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
"$joindots" simulate --quiet --seed 7 --scale 0.3 --out "$out/country" >/dev/null
"$joindots" ingest --quiet --db "$out/hub.db" "$out/country/agencies" >/dev/null 2>&1
"$joindots" link --quiet --db "$out/hub.db" >/dev/null
"$joindots" estimate --quiet --db "$out/hub.db" --by region,pfa,year,age_band,sex --min-observed 100 \
  --bootstrap 200 --linkage-draws 5 --thresholds 0.3,0.5,0.7 --seed 3 >/dev/null
"$joindots" networks --quiet --db "$out/hub.db" --truth "$out/country" >/dev/null
"$joindots" report --quiet --db "$out/hub.db" --out "$out/report-public.html" --bundle "$out/bundle-public.json" >/dev/null
if [ "$regenerate" = "--regenerate" ]; then
  cp "$out/bundle-public.json" "$here/reference/bundle-public.json"
  echo "replaced $here/reference/bundle-public.json: review the difference (git diff) before committing"
fi
