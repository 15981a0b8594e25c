#!/usr/bin/env bash
# The cost in linkage quality of each hardening of the encoding (issue 16, item 5;
# docs/privacy.md "Threat model"): one simulated country, encoded once per hardening with
# the same secret, ingested, linked on its encodings and scored against the truth, beside
# the same country linked in plaintext. Prints one line per scheme and role: F1, precision,
# recall, persons found against the truth.
#
# usage: bench/encoded_hardening.sh JOINDOTS WORKDIR [HARDENING...]
#   HARDENING: the options of `joindots encode` as one word, e.g. "--fold" or
#   "--salt=birth-year,--flip=0.05" (commas between options); default: each alone and all.
set -euo pipefail
joindots=$1
work=$2
shift 2
hardenings=("$@")
[ ${#hardenings[@]} -eq 0 ] && hardenings=(none --salt=sex --salt=birth-year --fold --flip=0.02 --flip=0.05
  --flip=0.1 "--salt=birth-year,--fold,--flip=0.05")
sim_args=${SIM_ARGS:---seed 1}

mkdir -p "$work"
[ -d "$work/country/agencies" ] || "$joindots" simulate --quiet $sim_args --out "$work/country" > /dev/null
(umask 077 && printf 'hardening-bench-secret-%s\n' 7d1e4a9c3f6b8e2d5a0c7f4b1e9d3a6c > "$work/secret.txt")

role_lines() {  # the link run's text -> one line per role: role, candidates, precision, recall, F1, persons
  awk -v label="$1" '
    /records ->/ { role = $1; cand = $0; sub(/.*\(/, "", cand); sub(/ candidate.*/, "", cand) }
    /against truth/ { sub(/^ */, ""); printf "%-36s %-10s candidates %10s  %s\n", label, role, cand, $0 }'
}

if [ ! -f "$work/plain.db" ]; then
  "$joindots" ingest --quiet --db "$work/plain.db" "$work/country/agencies" > /dev/null
fi
"$joindots" link --quiet --db "$work/plain.db" --truth "$work/country" | role_lines "plaintext"
for h in "${hardenings[@]}"; do
  name=${h//[^a-z0-9.]/}
  opts=()
  [ "$h" != none ] && IFS=, read -r -a opts <<< "$h"
  rm -rf "$work/enc-$name" "$work/enc-$name.db"*
  "$joindots" encode --quiet --secret-file "$work/secret.txt" --out "$work/enc-$name" "${opts[@]}" \
    "$work/country/agencies" > /dev/null
  "$joindots" ingest --quiet --db "$work/enc-$name.db" "$work/enc-$name" > /dev/null
  "$joindots" link --quiet --db "$work/enc-$name.db" --truth "$work/country" | role_lines "$h"
  rm -rf "$work/enc-$name"
done
