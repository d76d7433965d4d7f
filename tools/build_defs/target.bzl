"""smp_target: one call declares a target of smpfuzz.

    load("//tools/build_defs:target.bzl", "smp_target")

    smp_target(
        name = "spl",
        srcs = ["spl.c", "spl_scenarios.c"],
        hdrs = ["spl.h"],
        deps = [...],
    )

expands to
  :spl              the target library (alwayslink: its scenario
                    registrations are what smpfuzz finds);
  :spl_fuzzer       a libFuzzer binary under --config=fuzz, a standalone
                    replayer of schedule files otherwise;
  :spl_test         replays every schedule under corpus/spl/: seeds must run
                    deterministically, corpus/spl/regressions/* must each
                    reproduce the verdict their "# expect: KIND" line names.

Sources ending in .c are target C: each is compiled by clang-14 with the
instrumentation plugin (//hw/instrument), freestanding, against the C
hardware interface (//hw:c_headers), in every build configuration (a
genrule: the configuration's own compiler may be gcc). They may include
the target's headers (hdrs, and .h files in srcs) by their workspace
path. C++ sources (.cc) are compiled as usual and are not instrumented:
scenarios written against core's C++ API, or glue.
"""

load("//tools/build_defs:fuzz.bzl", "smp_fuzz_binary")

def _c_lib_parts(c_libs):
    """For C libraries ("//kern"): their header filegroups and shell words
    that print their include folders, and their cc_library labels."""
    hdr_labels, include_words, libs = [], [], []
    for lib in c_libs:
        if lib.startswith("@smpfuzz"):
            lib = lib[len("@smpfuzz"):]
        pkg = lib[2:].split(":")[0]
        hdr = "@smpfuzz//%s:c_headers" % pkg
        hdr_labels.append(hdr)

        # The include folder, from where the build put the headers.
        include_words.append(
            "-I $$(echo $(locations %s) | tr ' ' '\\n' | " % hdr +
            "sed -n 's|/include/.*|/include|p' | head -1)",
        )
        libs.append("@smpfuzz//%s" % pkg)
    return hdr_labels, include_words, libs

def _c_objects(name, c_srcs, headers, c_libs = []):
    """A genrule per C source; returns the object files."""
    hdr_labels, include_words, _ = _c_lib_parts(c_libs)
    objs = []
    for src in c_srcs:
        base = src[:-2].replace("/", "_")
        out = "_c/%s/%s.pic.o" % (name, base)
        native.genrule(
            name = "%s_%s_c" % (name, base),
            srcs = [src] + headers + hdr_labels + [
                "@smpfuzz//hw:c_headers",
                "@smpfuzz//hw:include/smp/hw.h",
            ],
            outs = [out],
            tools = [
                "@smpfuzz//hw/instrument:smp_pass.so",
                "@smpfuzz//tools/build_defs:compile_c.sh",
            ],
            cmd = ("$(location @smpfuzz//tools/build_defs:compile_c.sh) " +
                   "$(location @smpfuzz//hw/instrument:smp_pass.so) " +
                   "$(location @smpfuzz//hw:include/smp/hw.h) " +
                   "$(location %s) $@ " % src + " ".join(include_words) +
                   " ") + select({
                "@smpfuzz//tools/build_defs:c_asan": "-fsanitize=address,fuzzer-no-link -fno-sanitize-coverage=trace-cmp",
                "@smpfuzz//tools/build_defs:c_fuzz_coverage": "-fsanitize=fuzzer-no-link -fno-sanitize-coverage=trace-cmp",
                "//conditions:default": "",
            }),
        )
        objs.append(out)
    return objs

def smp_c_library(name, srcs, hdrs, c_libs = [], visibility = None):
    """A library of target C that targets build on (the kernel): no
    scenarios of its own.

    Its public headers live under include/ in its package, and targets that
    list it in c_libs include them by that path (<sys/mutex.h>), ahead of
    hw/include: a library's <sys/cpu_data.h> replaces hw's default.

    Args:
      name: the library; its package's last path component, so that
        c_libs = ["//kern"] names it.
      srcs: target C (.c) and private headers.
      hdrs: public headers, every one under include/.
      c_libs: other C libraries this one builds on (//kern_dfly reuses
        //kern's mbufs and ifqueues); their include folders come after
        this library's own.
      visibility: of the library and its headers (default public).
    """
    native.filegroup(
        name = "c_headers",
        srcs = hdrs,
        visibility = visibility or ["//visibility:public"],
    )
    private = [s for s in srcs if s.endswith(".h")]
    objs = _c_objects(name, [s for s in srcs if s.endswith(".c")],
                      private, c_libs = ["//" + native.package_name()] + c_libs)
    native.cc_library(
        name = name,
        srcs = objs,
        deps = ["@smpfuzz//hw:runtime"] + _c_lib_parts(c_libs)[2],
        visibility = visibility or ["//visibility:public"],
    )

def smp_target(name, srcs, hdrs = [], c_hdrs = [], c_libs = [], deps = [],
               visibility = None, find_runs = 10000, silent_runs = 3000,
               replay_runs = 20, test_size = "medium", test_shards = 1,
               acceptance = True, **kwargs):
    """Declares target `name`: library, fuzzer and acceptance suite.

    The acceptance suite, `<name>_test`, is the same test for every target
    (targets/testing/acceptance.h): each bug variant found with its declared
    kind, each correct variant silent under all four memory models, replay
    byte-identical, and the corpus under corpus/<name>/.

    Args:
      name: the target's name, as scenarios register it (SMP_SCENARIO,
        SMP_SCENARIO_C).
      srcs: sources: target C (.c), C++ (.cc) and private headers (.h).
      hdrs: public headers.
      c_hdrs: headers of other packages that this target's C includes
        (a genrule sees only the files it is given).
      c_libs: C libraries (smp_c_library) this target's C builds on, by
        package: ["//kern"]. Their include folders come before hw's.
      deps: other deps (core, and hw's runtime when there is C, are added).
      visibility: of the library. The default, //repro, is where smpfuzz
        links every target; add the packages whose tests or benchmarks
        run this target's scenarios.
      find_runs: the random executions (then PCT's, at depth 2 and 3) in
        which each bug variant must be found.
      silent_runs: the random executions each correct variant must stay
        silent for, under each memory model.
      replay_runs: the random executions of each scenario replayed.
      test_size: the acceptance suite's Bazel size.
      test_shards: its shard_count (the silence cases spread over them).
      acceptance: False for a fixture target whose scenarios test the
        machine itself (some are refused by design): its test replays the
        corpus only.
      **kwargs: passed to the library.
    """
    c_srcs = [s for s in srcs if s.endswith(".c")]
    other = [s for s in srcs if not s.endswith(".c")]
    headers = hdrs + c_hdrs + [s for s in srcs if s.endswith(".h")]
    objs = _c_objects(name, c_srcs, headers, c_libs)
    native.cc_library(
        name = name,
        srcs = other + objs,
        hdrs = hdrs,
        deps = deps + _c_lib_parts(c_libs)[2] + [
            "@smpfuzz//core:machine",
            "@smpfuzz//core:scenario",
        ] + (["@smpfuzz//hw:runtime"] if c_srcs else []),
        alwayslink = 1,
        visibility = visibility or ["//repro:__pkg__"],
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
    )
    native.cc_test(
        name = name + "_test",
        size = test_size,
        shard_count = test_shards,
        args = [
            "--smp_target=" + name,
            "--smp_find_runs=%d" % find_runs,
            "--smp_silent_runs=%d" % silent_runs,
            "--smp_replay_runs=%d" % replay_runs,
        ] + ([] if acceptance else ["--gtest_filter=Corpus.*"]),
        data = ["@smpfuzz//corpus:all"],
        deps = [
            ":" + name,
            "@smpfuzz//targets/testing:acceptance_main",
        ],
    )

def smp_c_test_scenarios(name, srcs, c_hdrs = [], c_libs = [], deps = []):
    """Scenarios in C that only a test links (testonly, alwayslink): unit
    checks of a C library under a target name of their own, with no
    fuzzer, no corpus test, and no place in smpfuzz or in the registry of
    any other binary.

    Args:
      name: the library.
      srcs: target C (.c) and private headers (.h).
      c_hdrs: headers of other packages that the C includes.
      c_libs: C libraries (smp_c_library) the C builds on: ["//kern"].
      deps: other deps.
    """
    c_srcs = [s for s in srcs if s.endswith(".c")]
    headers = c_hdrs + [s for s in srcs if s.endswith(".h")]
    native.cc_library(
        name = name,
        srcs = _c_objects(name, c_srcs, headers, c_libs),
        deps = deps + _c_lib_parts(c_libs)[2] + [
            "@smpfuzz//core:scenario",
            "@smpfuzz//hw:runtime",
        ],
        alwayslink = 1,
        testonly = 1,
    )
