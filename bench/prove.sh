#!/bin/bash
# A long exhaustive proof in resumable pieces: the bounded search of one
# scenario split into SHARDS shards (smpfuzz run --shard=i/n), JOBS of them
# at a time, each shard's output kept in DIR/shard-i-of-n.log. A shard
# whose log already says it finished is not run again, so the script can
# be stopped (or the machine rebooted) and started again with the same
# arguments: only the unfinished shards run. When every shard is done it
# prints the total and exits 0 if all are clean, 1 if a shard found
# something (its findings are under DIR/findings-i), 2 on bad arguments.
#   bench/prove.sh TARGET VARIANT SHARDS [JOBS] [DIR] [-- smpfuzz run flags]
# e.g. bench/prove.sh fxp receive 16 2 ~/proofs/fxp-receive -- --preemptions=2
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -lt 3 ]]; then
  echo "usage: bench/prove.sh TARGET VARIANT SHARDS [JOBS] [DIR] [-- run flags]" >&2
  exit 2
fi
target="$1"; variant="$2"; shards="$3"; shift 3
jobs=1; dir="proofs/$target-$variant"
if [[ $# -gt 0 && "$1" != "--" ]]; then jobs="$1"; shift; fi
if [[ $# -gt 0 && "$1" != "--" ]]; then dir="$1"; shift; fi
[[ $# -gt 0 && "$1" == "--" ]] && shift
flags=("$@")
if ! [[ "$shards" =~ ^[1-9][0-9]*$ && "$jobs" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench/prove.sh: SHARDS and JOBS are positive counts" >&2
  exit 2
fi
mkdir -p "$dir"
# Its own copy of the binary: a later build must not change it mid-proof.
if [[ ! -x "$dir/smpfuzz" ]]; then
  bazel build --config=opt //repro:smpfuzz >&2
  cp "$(bazel info --config=opt bazel-bin)/repro/smpfuzz" "$dir/smpfuzz"
fi
"$dir/smpfuzz" list | awk '{print $1}' | grep -qx "$target/$variant" || {
  echo "bench/prove.sh: no scenario $target/$variant (see smpfuzz list)" >&2
  exit 2
}

done_shard() { grep -q "^$target/$variant: clean up to\|^== $target/$variant" "$1" 2>/dev/null; }
run_shard() {
  local i="$1" log="$dir/shard-$1-of-$shards.log"
  nice -n 19 "$dir/smpfuzz" run --target="$target" --variant="$variant" \
    --scheduler=exhaustive --runs=100000000000 --shard="$i/$shards" \
    --out="$dir/findings-$i" "${flags[@]}" > "$log.part" 2>&1 || true
  mv "$log.part" "$log"
}

running=0
for ((i = 0; i < shards; ++i)); do
  done_shard "$dir/shard-$i-of-$shards.log" && continue
  run_shard "$i" &
  running=$((running + 1))
  if [[ $running -ge $jobs ]]; then wait -n || true; running=$((running - 1)); fi
done
wait

total=0; pruned=0; found=0
for ((i = 0; i < shards; ++i)); do
  log="$dir/shard-$i-of-$shards.log"
  if ! done_shard "$log"; then
    echo "shard $i/$shards did not finish: see $log" >&2
    exit 1
  fi
  line="$(grep "^$target/$variant: clean up to" "$log" || true)"
  if [[ -z "$line" ]]; then
    echo "shard $i/$shards found something: $log, $dir/findings-$i" >&2
    found=1
    continue
  fi
  n="$(sed -E 's/.*: ([0-9]+) executions.*/\1/' <<< "$line")"
  p="$(sed -nE 's/.*\(([0-9]+) more stopped early.*/\1/p' <<< "$line")"
  total=$((total + n)); pruned=$((pruned + ${p:-0}))
done
bound="$(grep -ho "clean up to [^:]*" "$dir/shard-0-of-$shards.log" | head -1)"
if [[ $found -ne 0 ]]; then exit 1; fi
echo "$target/$variant: $bound: $total executions in $shards shards ($pruned more stopped early)"
