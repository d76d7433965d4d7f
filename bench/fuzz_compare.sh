#!/bin/bash
# Time to first finding of every bug variant under libFuzzer, with and
# without interleaving coverage: median of N campaigns each (default 3),
# no seed corpus, a fresh findings folder every time. A cell is the median
# in seconds to the first finding of the variant's declared verdict kind
# (each campaign runs --until=KIND), then "(k/N)" when only k campaigns
# found it, and the other kinds found before it, with how many times.
# Prints a markdown table (docs/fuzzing.md carries the latest one).
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
        # Seconds to the first finding of the declared kind; a campaign
        # that did not find it counts as above every one that did. Kinds
        # found before it are noted (lockdep's prediction of a deadlock).
        log=$( ("$smpfuzz" fuzz --target="$target" --variant="$variant" \
                 --time="${limit}s" --out="$out" --seeds=/nonexistent \
                 --until="$expects" "${flag[@]}" 2>&1 || true) )
        t=$(awk -v k="$expects" '$1=="==" && $2=="found" && $3==k {for (i=1;i<=NF;i++) if ($i=="after") {print $(i+1); exit}}' <<<"$log")
        times+=("${t:-99999}")
        while read -r kind; do
          [[ -n "$kind" ]] && others+=("$kind")
        done < <(awk -v k="$expects" '$1=="==" && $2=="found" {if ($3==k) exit; print $3}' <<<"$log")
      done
      m="$(printf '%s\n' "${times[@]}" | median)"
      [[ "$m" == 99999 ]] && m=">${limit}"
      n_found=$(printf '%s\n' "${times[@]}" | grep -vc '^99999$' || true)
      [[ "$n_found" -lt "$runs" ]] && m="$m ($n_found/$runs)"
      if [[ ${#others[@]} -gt 0 ]]; then
        m="$m; before it: $(printf '%s\n' "${others[@]}" | sort | uniq -c |
                            awk '{printf "%s%s x%d", (NR>1?", ":""), $2, $1}')"
      fi
      cells+=("$m")
    done
    echo "| $name | $expects | ${cells[0]} | ${cells[1]} |"
  done < "$tmp/list"
done
