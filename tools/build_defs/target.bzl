"""smp_target: one call declares a target of smpfuzz.

    load("//tools/build_defs:target.bzl", "smp_target")

    smp_target(
        name = "spl",
        srcs = ["spl.cc", "spl_scenarios.cc"],
        hdrs = ["spl.h"],
        deps = [...],
    )

expands to
  :spl              the target library (alwayslink: its SMP_SCENARIO
                    registrations are what smpfuzz finds);
  :spl_fuzzer       a libFuzzer binary under --config=fuzz, a standalone
                    replayer of schedule files otherwise;
  :spl_test         replays every schedule under corpus/spl/: seeds must run
                    deterministically, corpus/spl/regressions/* must each
                    reproduce the verdict their "# expect: KIND" line names.
"""

load("//tools/build_defs:fuzz.bzl", "smp_fuzz_binary")

def smp_target(name, srcs, hdrs = [], deps = [], visibility = None, **kwargs):
    """Declares target `name`: library, fuzzer and corpus test.

    Args:
      name: the target's name, as scenarios register it (SMP_SCENARIO).
      srcs: sources, including the scenario registrations.
      hdrs: public headers.
      deps: other deps (core is added).
      visibility: of the library (default public).
      **kwargs: passed to the library.
    """
    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        deps = deps + [
            "@smpfuzz//core:machine",
            "@smpfuzz//core:scenario",
        ],
        alwayslink = 1,
        visibility = visibility or ["//visibility:public"],
        **kwargs
    )
    native.genrule(
        name = name + "_fuzz_target_name",
        outs = [name + "_fuzz_target_name.cc"],
        cmd = "echo 'extern const char kSmpFuzzTarget[]; " +
              "const char kSmpFuzzTarget[] = \"%s\";' > $@" % name,
    )
    smp_fuzz_binary(
        name = name + "_fuzzer",
        srcs = [":" + name + "_fuzz_target_name"],
        deps = [
            ":" + name,
            "@smpfuzz//fuzz:fuzz_main",
        ],
        visibility = ["//visibility:public"],
    )
    native.cc_test(
        name = name + "_test",
        size = "medium",
        args = ["--smp_target=" + name],
        data = ["@smpfuzz//corpus:all"],
        deps = [
            ":" + name,
            "@smpfuzz//fuzz:corpus_test_main",
        ],
    )
