#!/bin/bash
# Runs build.sh outside Docker with the environment ClusterFuzzLite's
# builder sets for an AddressSanitizer libFuzzer build ($SRC, $OUT, $WORK,
# $CC, $CXX, $CFLAGS, $CXXFLAGS, $LIB_FUZZING_ENGINE, $SANITIZER, ...),
# clang-14 standing in for OSS-Fuzz's clang. Then checks that $OUT holds a
# fuzzer for every fuzz_target in the repository, each with its options
# file and seed corpus zip, and that each fuzzer runs all of its seeds
# (`fuzzer -runs=0 seeds/`) and exits 0: no crash, no leak, no finding in
# a correct variant. Run by tools/test-scaling.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fail() { echo "clusterfuzzlite build_test: FAIL: $*" >&2; exit 1; }
work="$(mktemp -d /tmp/smpfuzz-cflite.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{src,out,work,run}
command -v zip >/dev/null || fail "zip is not installed (tools/setup installs it)"

export SRC="$work/src" OUT="$work/out" WORK="$work/work"
export CC=clang-14 CXX=clang++-14
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS -stdlib=libc++"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export SANITIZER=address FUZZING_ENGINE=libfuzzer FUZZING_LANGUAGE=c++ ARCHITECTURE=x86_64
(cd "$root" && bash .clusterfuzzlite/build.sh) > "$work/build.log" 2>&1 ||
  fail "build.sh failed: $(tail -20 "$work/build.log")"

mapfile -t labels < <(cd "$root" && bazel query --noshow_progress \
  'attr(tags, "\bfuzz_target\b", kind(cc_binary, //...))' 2>/dev/null)
[[ ${#labels[@]} -ge 10 ]] || fail "only ${#labels[@]} fuzz targets found"
passed=0
for label in "${labels[@]}"; do
  name="${label##*:}"
  fuzzer="$OUT/$name"
  [[ -x "$fuzzer" ]] || fail "$OUT has no $name"
  grep -qx '\[libfuzzer\]' "$fuzzer.options" || fail "$name.options has no [libfuzzer] section"
  seeds="$work/seeds/$name"
  mkdir -p "$seeds"
  unzip -q "${fuzzer}_seed_corpus.zip" -d "$seeds" || fail "no seed corpus zip for $name"
  # libFuzzer leaves empty files out of its count (it runs the empty input anyway).
  count="$(find "$seeds" -type f -size +0 | wc -l)"
  [[ "$count" -ge 1 ]] || fail "$name's seed corpus is empty"
  log="$work/run/$name.log"
  (cd "$work/run" && "$fuzzer" -runs=0 "$seeds") > "$log" 2>&1 ||
    fail "$name exited $? on its seeds: $(tail -20 "$log")"
  grep -q "INFO: seed corpus: files: $count " "$log" ||
    fail "$name did not read its $count seeds: $(grep -m1 'seed corpus' "$log")"
  grep -q "INITED" "$log" || fail "$name did not run its seeds: $(tail -5 "$log")"
  echo "clusterfuzzlite build_test: $name ran its $count seeds"
  passed=$((passed + 1))
done
echo "clusterfuzzlite build_test: PASS: ${passed} fuzzers built by build.sh, each ran its seeds"
