#!/bin/bash
# Time to first finding of every bug variant under libFuzzer, with and
# without interleaving coverage: median of N campaigns each (default 3),
# no seed corpus, a fresh findings folder every time. A cell is the median
# in seconds, then "(k/N)" when only k campaigns found anything, and the
# kinds of first findings other than the declared one (lockdep predicting
# the deadlock it leads to). Prints a markdown table (docs/fuzzing.md
# carries the latest one).
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
      times=(); others=()
      for r in $(seq "$runs"); do
        out="$tmp/$variant-$mode-$r"
        # "SECONDS KIND" of the first finding; a campaign that found
        # nothing counts as above every one that did.
        hit=$( ("$smpfuzz" fuzz --target="$target" --variant="$variant" \
                 --time="${limit}s" --out="$out" --seeds=/nonexistent --until-found \
                 "${flag[@]}" 2>&1 || true) |
               awk '/^== found/ {for (i=1;i<=NF;i++) if ($i=="after") {print $(i+1), $3; exit}}')
        if [[ -z "$hit" ]]; then
          times+=(99999)
        else
          times+=("${hit%% *}")
          [[ "${hit#* }" == "$expects" ]] || others+=("${hit#* }")
        fi
      done
      m="$(printf '%s\n' "${times[@]}" | median)"
      [[ "$m" == 99999 ]] && m=">${limit}"
      n_found=$(printf '%s\n' "${times[@]}" | grep -vc '^99999$' || true)
      [[ "$n_found" -lt "$runs" ]] && m="$m ($n_found/$runs)"
      # Lockdep's prediction of the same bug can come before the failure.
      if [[ ${#others[@]} -gt 0 ]]; then
        m="$m, first as $(printf '%s\n' "${others[@]}" | sort | uniq -c |
                          awk '{printf "%s%s x%d", (NR>1?", ":""), $2, $1}')"
      fi
      cells+=("$m")
    done
    echo "| $name | $expects | ${cells[0]} | ${cells[1]} |"
  done < "$tmp/list"
done
