#!/bin/bash
# The scheduler comparison table of docs/schedulers.md, from one command:
# for every bug variant of the linked targets, executions and wall time to
# the first finding of its declared verdict under random, PCT d=1..3,
# bounded exhaustive (P=2, I=1, R=1) and libFuzzer with and without
# interleaving coverage.
#   bench/compare.sh [FUZZ_RUNS] [FUZZ_SECONDS] [BUDGET] [SEEDS]
# Defaults: 1 libFuzzer campaign per variant and mode, at most 3 s each
# (campaigns are the slow part: each starts a fork-mode fuzzer and takes
# about a second to stop); random and PCT: median of 5 seeds, 20000
# executions per seed; exhaustive: one run, at most 200000 executions.
# About 4 minutes on 2 cores.
# FUZZ_RUNS=0 leaves the libFuzzer columns out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzz_runs="${1:-1}"; limit="${2:-3}"; budget="${3:-20000}"; seeds="${4:-5}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
quiet=(--noshow_progress --ui_event_filters=-info,-stdout,-stderr)
bazel build --config=opt "${quiet[@]}" //bench:compare
bin="$(bazel info --config=opt bazel-bin 2>/dev/null)/bench/compare"

median() { sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}'; }

fuzz_args=()
if [[ "$fuzz_runs" -gt 0 ]]; then
  # Build smpfuzz and every fuzzer once, then call the binaries directly
  # (tools/smpfuzz would ask bazel again for every campaign).
  bazel build --config=opt "${quiet[@]}" //repro:smpfuzz
  smpfuzz="$(bazel info --config=opt bazel-bin 2>/dev/null)/repro/smpfuzz"
  config="${SMPFUZZ_FUZZ_CONFIG:-fuzzfast}"
  fuzz_bin="$(bazel info --config="$config" bazel-bin 2>/dev/null)"
  "$bin" --list > "$tmp/list"  # the bug variants the table has rows for
  targets=$(awk '{split($1, a, "/"); print a[1]}' "$tmp/list" | sort -u)
  fuzzers=()
  for t in $targets; do [[ -d "targets/$t" ]] && fuzzers+=("//targets/$t:${t}_fuzzer"); done
  bazel build --config="$config" "${quiet[@]}" "${fuzzers[@]}"
  : > "$tmp/fuzz.tsv"
  while read -r name expects; do
    target="${name%%/*}"; variant="${name#*/}"
    [[ -x "$fuzz_bin/targets/$target/${target}_fuzzer" ]] || continue
    cells=()
    for mode in on off; do
      flag=(); [[ $mode == off ]] && flag=(--no-interleaving-coverage)
      times=()
      for r in $(seq "$fuzz_runs"); do
        log=$( ("$smpfuzz" fuzz --target="$target" --variant="$variant" \
                  --fuzzer="$fuzz_bin/targets/$target/${target}_fuzzer" \
                  --time="${limit}s" --out="$tmp/$variant-$mode-$r" \
                  --seeds=/nonexistent --until="$expects" "${flag[@]}" 2>&1 || true) )
        # The declared kind only: lockdep's predictions may come first.
        t=$(awk -v k="$expects" '$1=="==" && $2=="found" && $3==k {for (i=1;i<=NF;i++) if ($i=="after") {print $(i+1); exit}}' <<<"$log")
        times+=("${t:-99999}")
      done
      m=$(printf '%s\n' "${times[@]}" | median)
      if [[ "$m" == 99999 ]]; then
        cells+=(">${limit}s")
      else
        cells+=("${m}")
      fi
    done
    printf '%s\t%s\t%s\n' "$name" "${cells[0]}" "${cells[1]}" >> "$tmp/fuzz.tsv"
  done < "$tmp/list"
  fuzz_args=(--fuzz="$tmp/fuzz.tsv")
fi

"$bin" --budget="$budget" --seeds="$seeds" --exhaustive-budget=200000 "${fuzz_args[@]}"
