# Sourced by the campaign benchmarks: builds smpfuzz and a target's fuzzer
# once, so that each campaign starts the binaries directly instead of
# asking Bazel again (a few seconds per campaign, hundreds of campaigns).
#   fuzz_env_init            builds //repro:smpfuzz; sets $smpfuzz
#   fuzz_env_target TARGET   builds TARGET's fuzzer; exports SMPFUZZ_FUZZER
fuzz_env_quiet=(--noshow_progress --ui_event_filters=-info,-stdout,-stderr)

fuzz_env_init() {
  bazel build --config=opt "${fuzz_env_quiet[@]}" //repro:smpfuzz
  smpfuzz="$(bazel info --config=opt bazel-bin 2>/dev/null)/repro/smpfuzz"
  export SMPFUZZ_SEEDS="$PWD/corpus"
  export SMPFUZZ_SELF="tools/smpfuzz"
}

fuzz_env_target() {
  local config="${SMPFUZZ_FUZZ_CONFIG:-fuzzfast}"
  bazel build --config="$config" "${fuzz_env_quiet[@]}" "//targets/$1:$1_fuzzer"
  SMPFUZZ_FUZZER="$(bazel info --config="$config" bazel-bin 2>/dev/null)/targets/$1/$1_fuzzer"
  export SMPFUZZ_FUZZER
}
