#!/bin/bash
# Checks that a change kept every trace and verdict: runs two smpfuzz
# binaries (say, one built before a speed-up and one after) on the same
# work and compares what they print and save, byte for byte.
#   bench/same_output.sh OLD_SMPFUZZ NEW_SMPFUZZ [RUNS] [SEEDS]
# The work: the replay of every schedule under corpus/ (trace and Chrome
# JSON), and for every scenario of `smpfuzz list` a random search of RUNS
# executions (default 1000) for each seed 1..SEEDS (default 2), once as
# declared and once with --races --all, a PCT search and a bounded
# exhaustive one (--all, at most RUNS executions each), with the findings
# folders they write. A speed-up is only a speed-up if this prints "same" (exit 0);
# otherwise it names the first differing piece of work (exit 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -lt 2 || ! -x "$1" || ! -x "$2" ]]; then
  echo "usage: bench/same_output.sh OLD_SMPFUZZ NEW_SMPFUZZ [RUNS] [SEEDS]" >&2
  exit 2
fi
old="$(realpath "$1")"; new="$(realpath "$2")"
runs="${3:-1000}"; seeds="${4:-2}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# Runs the same command with each binary in its own folder; returns 1 and
# names the work if the output or the files written differ.
same() {
  local name="$1"; shift
  local side
  for side in old new; do
    local bin="$old"; [[ $side == new ]] && bin="$new"
    mkdir -p "$tmp/$side"
    (cd "$tmp/$side" && "$bin" "$@" >out.txt 2>&1 || echo "exit $?" >>out.txt)
    # The summary table's last column is a speed (exec/s): not compared.
    [[ "$1" == run ]] && sed -i -E 's/[[:space:]]+[0-9]+$//' "$tmp/$side/out.txt"
  done
  if ! diff -r -q "$tmp/old" "$tmp/new" >/dev/null; then
    echo "differs: $name"
    diff -r "$tmp/old" "$tmp/new" | head -20
    return 1
  fi
  rm -rf "$tmp/old" "$tmp/new"
}

checked=0
while IFS= read -r file; do
  path="$PWD/$file"
  same "replay $file" replay "$path" --json=trace.json || exit 1
  checked=$((checked + 1))
done < <(find corpus -name '*.textproto' | sort)

while IFS= read -r scenario; do
  target="${scenario%%/*}"; variant="${scenario#*/}"
  for seed in $(seq 1 "$seeds"); do
    same "run $scenario seed $seed" run --target="$target" --variant="$variant" \
      --runs="$runs" --seed="$seed" --out=findings || exit 1
    same "run $scenario seed $seed --races --all" run --target="$target" \
      --variant="$variant" --runs="$runs" --seed="$seed" --races --all \
      --out=findings || exit 1
    checked=$((checked + 2))
  done
  same "run $scenario pct" run --target="$target" --variant="$variant" \
    --runs="$runs" --scheduler=pct --all --out=findings || exit 1
  same "run $scenario exhaustive" run --target="$target" --variant="$variant" \
    --runs="$runs" --scheduler=exhaustive --all --out=findings || exit 1
  checked=$((checked + 2))
done < <("$new" list | awk '{print $1}')
echo "same: $checked pieces of work"
