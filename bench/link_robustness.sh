#!/usr/bin/env bash
# Linkage robustness: runs `joindots link` on every visible benchmark set in
# ../shared/data/linkage (and, when given, on the perturbed variants link_corrupt writes),
# once with no config and once with the shipped config where one fits, and prints F1
# against truth with the warnings the run raised. Every linkage change is judged on the
# whole table (docs/linkage.md "Robustness").
#   bench/link_robustness.sh build/bin/joindots [DATA_DIR|-] [VARIANTS_DIR]
# VARIANTS_DIR: from build/bin/joindots_link_corrupt BASE.csv VARIANTS_DIR (see that file).
set -uo pipefail
joindots=${1:-build/bin/joindots}
data=${2:-/work/shared/data/linkage}
variants=${3:-}
configs=$(cd "$(dirname "$0")/../configs/link" && pwd)

# name | truth column | config (or -) | input files
sets=(
  "febrl1|entity_id|febrl.toml|$data/febrl1/febrl1.csv"
  "febrl2|entity_id|febrl.toml|$data/febrl2/febrl2.csv"
  "febrl3|entity_id|febrl.toml|$data/febrl3/febrl3.csv"
  "febrl4|entity_id|febrl.toml|$data/febrl4/febrl4a.csv $data/febrl4/febrl4b.csv"
  "febrl4_names_postcode|entity_id|febrl4_names_postcode.toml|$data/febrl4/febrl4a.csv $data/febrl4/febrl4b.csv"
  "zingg_febrl_20k|entity_id|febrl.toml|$data/zingg_febrl_20k/febrl_20k.csv"
  "RLdata500|entity_id|rldata500.toml|$data/RLdata500/RLdata500.csv"
  "splink_fake_1000|cluster|-|$data/splink_fake_1000/fake_1000.csv"
  "splink_historical_50k|cluster|splink_historical.toml|$data/splink_historical_50k/historical_figures_with_errors_50k.csv"
)
[[ "$data" == - ]] && sets=()  # variants only
if [[ -n "$variants" ]]; then
  for d in "$variants"/*/; do
    name=$(basename "$d")
    files=$(ls "$d"/*.csv | tr '\n' ' ')
    cfg=-
    [[ -f "$d/link.toml" ]] && cfg="$d/link.toml"
    sets+=("$name|entity_id|$cfg|$files")
  done
fi

run() {  # truth config files... -> "f1 precision recall warnings seconds"
  local truth=$1 cfg=$2; shift 2
  local args=(link --quiet --json --truth-column "$truth" --input "$@")
  [[ "$cfg" != - ]] && args+=(--config "$cfg")
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$("$joindots" "${args[@]}" 2>/dev/null) || { echo "error($?) - - - -"; return; }
  t1=$(date +%s.%N)
  echo "$out" | jq -r --arg s "$(echo "$t1 - $t0" | bc)" \
    '"\(.f1*10000|round/10000) \(.precision*10000|round/10000) \(.recall*10000|round/10000) \((.warnings // [])|map(.code)|join(",")|if .=="" then "-" else . end) \($s|tonumber*10|round/10)"'
}

printf "%-28s %-8s %-7s %-7s %-7s %-6s %s\n" set config F1 prec recall secs warnings
for s in "${sets[@]}"; do
  IFS='|' read -r name truth cfg files <<<"$s"
  read -r -a inputs <<<"$files"
  read -r f1 p r w secs <<<"$(run "$truth" - "${inputs[@]}")"
  printf "%-28s %-8s %-7s %-7s %-7s %-6s %s\n" "$name" none "$f1" "$p" "$r" "$secs" "$w"
  if [[ "$cfg" != - ]]; then
    [[ "$cfg" != /* ]] && cfg="$configs/$cfg"
    read -r f1 p r w secs <<<"$(run "$truth" "$cfg" "${inputs[@]}")"
    printf "%-28s %-8s %-7s %-7s %-7s %-6s %s\n" "$name" shipped "$f1" "$p" "$r" "$secs" "$w"
  fi
done
