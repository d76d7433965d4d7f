#!/bin/bash
# Fuzz campaigns on correct variants, which must find nothing: one campaign
# of SECONDS per correct variant (default 600), a fresh findings folder each
# time, the target's seed corpus as the start. Prints a markdown table
# (docs/fuzzing.md carries the latest one) and exits 1 if any campaign
# found something. A campaign's findings folder is kept only if it found
# something: copied to $SILENT_KEEP (default: silent-findings/ in the
# repository; a relative path is taken from there), and the copy's path
# goes to stderr.
#   bench/silent_campaigns.sh [SECONDS] [TARGET[/VARIANT]...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
limit="${1:-600}"; shift || true
wanted=("$@")
keep="${SILENT_KEEP:-$PWD/silent-findings}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

source bench/fuzz_env.sh
fuzz_env_init
"$smpfuzz" list > "$tmp/list"
selected() {
  [[ ${#wanted[@]} -eq 0 ]] && return 0
  local w
  for w in "${wanted[@]}"; do
    [[ "$1" == "$w" || "$1" == "$w/"* ]] && return 0
  done
  return 1
}

failed=0
echo "| variant | seconds | executions | findings |"
echo "|---|---|---|---|"
while read -r name expects _; do
  [[ "$expects" == "clean" ]] || continue
  selected "$name" || continue
  target="${name%%/*}"; variant="${name#*/}"
  out="$tmp/$target-$variant"
  [[ "$target" == "${built:-}" ]] || { fuzz_env_target "$target"; built="$target"; }
  log="$("$smpfuzz" fuzz --target="$target" --variant="$variant" \
           --time="${limit}s" --out="$out" 2>&1 || true)"
  execs="$(grep -o 'executions [0-9]*' <<<"$log" | tail -1 | awk '{print $2}')"
  found="$(grep -c '^== found' <<<"$log" || true)"
  if [[ "$found" != "0" ]]; then
    failed=1
    mkdir -p "$keep"
    rm -rf "${keep:?}/$target-$variant"
    [[ -d "$out" ]] && cp -r "$out" "$keep/$target-$variant"
    echo "silent_campaigns: $name found $found: $keep/$target-$variant" >&2
  fi
  echo "| $name | $limit | ${execs:-?} | $found |"
done < "$tmp/list"
exit "$failed"
