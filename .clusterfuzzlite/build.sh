#!/bin/bash -eu
# ClusterFuzzLite's build script (Dockerfile copies it to $SRC/build.sh and
# runs it from $SRC/smpfuzz; .clusterfuzzlite/build_test.sh runs it here,
# outside Docker). Builds every libFuzzer binary of the repository (each
# target's <target>_fuzzer, hw's hwtest_fuzzer and the schedule parser's;
# Bazel's fuzz_target tag finds them) with $CC, $CFLAGS
# and $LIB_FUZZING_ENGINE, and puts into $OUT, for each:
#   NAME                   the fuzzer; a target's fuzzes its correct
#                          variants only (-DSMPFUZZ_CLEAN_ONLY, see
#                          fuzz/harness.h), so any crash is a regression
#   NAME_seed_corpus.zip   its seeds: corpus/<target>/seed-* (or the
#                          fuzzer's testdata/<name>/ in its package)
#   NAME.options           [libfuzzer] max_len, as `smpfuzz fuzz` runs it
# Bazel's configuration is --config=clusterfuzzlite (.bazelrc); $CFLAGS
# is added to it word by word (its -fsanitize=... flags link too, and
# -fsanitize=address gives the targets' C, compiled by clang-14 for the
# instrumentation pass, AddressSanitizer as well). $CXXFLAGS is not used:
# the libraries come from the distribution, built against libstdc++, and
# OSS-Fuzz's CXXFLAGS asks for libc++.
root="$PWD"
[[ -f "$root/WORKSPACE" ]] || root="$SRC/smpfuzz"
cd "$root"
if [[ "${LIB_FUZZING_ENGINE:-}" != "-fsanitize=fuzzer" ]]; then
  echo "build.sh: LIB_FUZZING_ENGINE='${LIB_FUZZING_ENGINE:-}': only libFuzzer" \
       "(-fsanitize=fuzzer) is supported, as in ClusterFuzzLite" >&2
  exit 1
fi
flags=(--config=clusterfuzzlite "--repo_env=CC=$CC")
for flag in $CFLAGS; do
  flags+=("--copt=$flag")
  [[ "$flag" == -fsanitize=* ]] && flags+=("--linkopt=$flag")
done
[[ " $CFLAGS " == *" -fsanitize=address "* ]] && flags+=(--define=smp_c_sanitize=address)

mapfile -t fuzzers < <(bazel query --noshow_progress \
  'attr(tags, "\bfuzz_target\b", kind(cc_binary, //...))' 2>/dev/null)
[[ ${#fuzzers[@]} -gt 0 ]] || { echo "build.sh: no fuzz_target found" >&2; exit 1; }
bazel build --noshow_progress "${flags[@]}" "${fuzzers[@]}"
bin="$(bazel info "${flags[@]}" bazel-bin 2>/dev/null)"

for label in "${fuzzers[@]}"; do
  package="${label#//}"; package="${package%%:*}"; name="${label##*:}"
  cp -f "$bin/$package/$name" "$OUT/$name"
  # A target's seeds are under corpus/<target>/ (its regressions are bug
  # variants' findings: no seeds for a fuzzer of correct variants).
  base="${name%_fuzzer}"
  seeds=()
  if [[ -d "corpus/$base" ]]; then
    seeds=("corpus/$base"/seed-*)
  elif [[ -d "$package/testdata/$base" ]]; then
    seeds=("$package/testdata/$base"/*)
  fi
  rm -f "$OUT/${name}_seed_corpus.zip"
  if [[ ${#seeds[@]} -gt 0 && -e "${seeds[0]}" ]]; then
    zip -q -j "$OUT/${name}_seed_corpus.zip" "${seeds[@]}"
  fi
  printf '[libfuzzer]\nmax_len = 512\n' > "$OUT/$name.options"
  echo "build.sh: $OUT/$name (${#seeds[@]} seeds)"
done
