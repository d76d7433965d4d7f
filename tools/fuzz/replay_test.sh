#!/bin/bash
# Replays seed files through a fuzz binary (either engine); passes if every
# input runs, and if a missing input makes the binary fail.
# Usage: replay_test.sh FUZZ_BINARY SEED_FILE...
set -euo pipefail
fuzzer="$1"
shift
# Files only (no directories): libFuzzer treats a directory as a corpus to fuzz.
"$fuzzer" "$@"
if "$fuzzer" "${TEST_TMPDIR:-/tmp}/does-not-exist" >/dev/null 2>&1; then
  echo "FAIL: expected an error for a missing input" >&2
  exit 1
fi
echo "PASS"
