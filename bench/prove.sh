#!/bin/bash
# A long exhaustive proof in resumable pieces: the bounded search of one
# scenario split into SHARDS shards (smpfuzz run --shard=i/n), JOBS of them
# at a time, each shard's output kept in DIR/shard-i-of-n.log and its
# result in DIR/shard-i-of-n.result (docs/scaling.md). A shard with a
# finished result is not run again, so the script can be stopped (or the
# machine rebooted) and started again with the same arguments: only the
# shards `smpfuzz merge --missing` names run. Then `smpfuzz merge` prints
# the certificate or the findings (under DIR/findings) and exits 0 if the
# scenario ended as declared, 1 if not, 2 on bad arguments or a shard
# that left no result.
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
# One proof per folder: a later call must ask for the same one.
args="$target $variant $shards ${flags[*]}"
if [[ -f "$dir/prove.args" && "$(cat "$dir/prove.args")" != "$args" ]]; then
  echo "bench/prove.sh: $dir holds the proof '$(cat "$dir/prove.args")', not '$args':" \
       "give another DIR" >&2
  exit 2
fi
others="$(grep -L "^scenario: $target/$variant\$" "$dir"/*.result 2>/dev/null || true)"
if [[ -n "$others" ]]; then
  echo "bench/prove.sh: $dir holds results of another scenario: give another DIR" >&2
  exit 2
fi
echo "$args" > "$dir/prove.args"
# Its own copy of the binary: a later build must not change it mid-proof.
if [[ ! -x "$dir/smpfuzz" ]]; then
  bazel build --config=opt //repro:smpfuzz >&2
  cp "$(bazel info --config=opt bazel-bin)/repro/smpfuzz" "$dir/smpfuzz"
fi
"$dir/smpfuzz" list | awk '{print $1}' | grep -qx "$target/$variant" || {
  echo "bench/prove.sh: no scenario $target/$variant (see smpfuzz list)" >&2
  exit 2
}

# The shards still to run: no result yet, or stopped at --runs.
todo="$("$dir/smpfuzz" merge "$dir" --shards="$shards" --missing)" || exit 2
run_shard() {
  local i="$1" log="$dir/shard-$1-of-$shards.log"
  nice -n 19 "$dir/smpfuzz" run --target="$target" --variant="$variant" \
    --scheduler=exhaustive --runs=100000000000 --shard="$i/$shards" \
    --out="$dir/findings" --result="$dir/shard-$i-of-$shards.result" \
    "${flags[@]}" > "$log" 2>&1 || true
}

running=0
for i in ${todo//,/ }; do
  run_shard "$i" &
  running=$((running + 1))
  if [[ $running -ge $jobs ]]; then wait -n || true; running=$((running - 1)); fi
done
wait

# The certificate or the findings (exit 0/1), or what is missing (exit 2).
exec "$dir/smpfuzz" merge "$dir" --shards="$shards"
