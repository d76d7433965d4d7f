"""smp_fuzz_binary: one fuzz target, two ways to link it.

Under --config=fuzz (which sets --define=smp_fuzzing_engine=libfuzzer) the
binary links -fsanitize=fuzzer and gets libFuzzer's main. Otherwise it links
//tools/fuzz:standalone_main, which replays the files (or directories) named
on the command line, so a plain `bazel build //...` with gcc builds it and a
test can run it over a corpus.

The sources must define
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
and may define LLVMFuzzerInitialize(int* argc, char*** argv).
"""

def smp_fuzz_binary(name, srcs, deps = [], linkopts = [], tags = [], **kwargs):
    """cc_binary for a libFuzzer-style fuzz target.

    Args:
      name: target name.
      srcs: sources defining LLVMFuzzerTestOneInput.
      deps: cc deps.
      linkopts: extra linkopts (added to the engine's).
      tags: extra tags; "fuzz_target" is always added.
      **kwargs: passed to cc_binary.
    """
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps + select({
            "@smpfuzz//tools/fuzz:fuzzing_engine_libfuzzer": [],
            "//conditions:default": ["@smpfuzz//tools/fuzz:standalone_main"],
        }),
        linkopts = linkopts + select({
            "@smpfuzz//tools/fuzz:fuzzing_engine_libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = tags + ["fuzz_target"],
        **kwargs
    )
