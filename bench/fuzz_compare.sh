#!/bin/bash
# Time to first finding of every bug variant under libFuzzer, with and
# without interleaving coverage: median of N campaigns each (default 3),
# no seed corpus, a fresh findings folder every time. Prints a markdown
# table (docs/fuzzing.md carries the latest one).
#   bench/fuzz_compare.sh [RUNS] [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-3}"; limit="${2:-60}"; shift 2 || true
targets=("$@"); [[ ${#targets[@]} -gt 0 ]] || targets=(demo membar race)
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

source bench/fuzz_env.sh
fuzz_env_init
"$smpfuzz" list > "$tmp/list"
median() { sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}'; }

echo "| variant | expects | median s, interleaving coverage | median s, code coverage only |"
echo "|---|---|---|---|"
for target in "${targets[@]}"; do
  fuzz_env_target "$target"
  while read -r name expects _; do
    [[ "$name" == "$target/"* && "$expects" != "clean" ]] || continue
    variant="${name#*/}"
    cells=()
    for mode in on off; do
      flag=(); [[ $mode == off ]] && flag=(--no-interleaving-coverage)
      times=()
      for r in $(seq "$runs"); do
        out="$tmp/$variant-$mode-$r"
        t=$( ("$smpfuzz" fuzz --target="$target" --variant="$variant" \
               --time="${limit}s" --out="$out" --seeds=/nonexistent --until-found \
               "${flag[@]}" 2>&1 || true) |
             awk '/^== found/ {for (i=1;i<=NF;i++) if ($i=="after") {print $(i+1); exit}}')
        times+=("${t:-$limit+}")
      done
      cells+=("$(printf '%s\n' "${times[@]}" | median)")
    done
    echo "| $name | $expects | ${cells[0]} | ${cells[1]} |"
  done < "$tmp/list"
done
