#!/bin/bash
# Two real `smpfuzz fuzz` campaigns on demo (libFuzzer, --config=fuzzfast),
# started together with one --out, as campaigns on two machines sharing a
# file system would be. Checks that every finding folder is whole, that
# each finding is reported as new by exactly one campaign and as another
# campaign's by the other when that one saw it, and that nothing is left
# half-written under .tmp/. Run by tools/test-scaling.
#   tools/cluster/shared_campaign_test.sh [SECONDS]   (default 20)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fail() { echo "shared_campaign_test: FAIL: $*" >&2; exit 1; }
seconds="${1:-20}"
work="$(mktemp -d /tmp/smpfuzz-shared.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$root"
bazel build --noshow_progress //repro:smpfuzz >/dev/null 2>&1 || fail "bazel build //repro:smpfuzz failed"
bazel build --noshow_progress --config=fuzzfast //targets/demo:demo_fuzzer >/dev/null 2>&1 ||
  fail "bazel build --config=fuzzfast //targets/demo:demo_fuzzer failed"
smpfuzz="$(bazel info bazel-bin 2>/dev/null)/repro/smpfuzz"
fuzzer="$(bazel info --config=fuzzfast bazel-bin 2>/dev/null)/targets/demo/demo_fuzzer"

out="$work/shared"
for c in a b; do
  "$smpfuzz" fuzz --target=demo --time="${seconds}s" --out="$out" --fuzzer="$fuzzer" \
    --seeds="$root/corpus/demo" > "$work/$c.log" 2>&1 &
done
wait || fail "a campaign failed: $(tail -5 "$work/a.log" "$work/b.log")"

folders=0
while IFS= read -r schedule; do
  dir="$(dirname "$schedule")"
  for file in verdict.txt trace.txt schedule.textproto; do
    [[ -f "$dir/$file" ]] || fail "$dir has no $file"
  done
  signature="$(sed -n 's/^signature: //p' "$dir/verdict.txt")"
  mine=0
  for c in a b; do
    grep -qE "^[a-z_]+ +[a-z_]+ +yes +$(printf '%s' "$signature" | sed 's/[][\.*^$/]/\\&/g')\$" \
      "$work/$c.log" && mine=$((mine + 1))
  done
  [[ $mine -eq 1 ]] || fail "'$signature' is new for $mine campaigns, not 1"
  folders=$((folders + 1))
done < <(find "$out/demo" -name schedule.textproto)
[[ $folders -ge 2 ]] || fail "only $folders finding(s) in ${seconds}s: too few to share"
fresh=$(( $(grep -cE " yes +" "$work/a.log" || true) + $(grep -cE " yes +" "$work/b.log" || true) ))
[[ "$fresh" -eq "$folders" ]] || fail "$fresh new findings reported for $folders folders"
if [[ -d "$out/.tmp" ]] && [[ -n "$(ls -A "$out/.tmp")" ]]; then
  fail "left in .tmp: $(ls "$out/.tmp")"
fi
echo "shared_campaign_test: PASS: $folders findings, each new for one of 2 campaigns" \
     "($(grep -c ' yes ' "$work/a.log" || true) and $(grep -c ' yes ' "$work/b.log" || true))"
