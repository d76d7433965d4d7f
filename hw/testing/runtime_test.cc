// The contracts of the C runtime (hw:runtime: hw/access.cc, hw/hardware.cc,
// hw/hw_state.cc, hw/c_scenario.cc), each proved by running a small C
// scenario of the hwtest target (hwtest_*.c) on the machine.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/scenario.h"
#include "core/trace.h"
#include "core/verdict.h"
#include "gtest/gtest.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/search.h"

// The lines of accesses the verdicts must name (hwtest_naming.c,
// hwtest_refusals.c).
extern "C" const int hwtest_line_race_global_t0;
extern "C" const int hwtest_line_race_global_t1;
extern "C" const int hwtest_line_race_kmem_t0;
extern "C" const int hwtest_line_race_kmem_t1;
extern "C" const int hwtest_line_foreign;
extern "C" const int hwtest_line_mixed;
extern "C" const int hwtest_line_readonly_store;
extern "C" const int hwtest_line_readonly_rmw;

namespace smp {
namespace {

// The files of the scenarios whose verdicts or traces name a source file.
constexpr char kNamingFile[] = "hw/testing/hwtest_naming.c";
constexpr char kKmemFile[] = "hw/testing/hwtest_kmem.c";
constexpr char kMachineFile[] = "hw/testing/hwtest_machine.c";

std::string At(int line) { return std::string(kNamingFile) + ":" + std::to_string(line); }

const ScenarioSpec& Hwtest(const char* variant) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find("hwtest", variant);
  if (spec == nullptr) {
    ADD_FAILURE() << "no scenario hwtest/" << variant;
    static const ScenarioSpec kNone;
    return kNone;
  }
  return *spec;
}

// Runs `runs` random executions (under `model`, if given, instead of the
// scenario's own); every one must be clean.
void ExpectCleanRuns(const char* variant, uint64_t runs, uint64_t seed,
                     std::optional<MemoryModel> model = std::nullopt) {
  SearchOptions o;
  o.seed = seed;
  o.runs = runs;
  o.all_findings = true;
  o.memory_model = model;
  const SearchResult r = RunSearch(Hwtest(variant), o);
  EXPECT_EQ(r.executions, runs) << variant;
  for (const Finding& f : r.findings) {
    ADD_FAILURE() << variant << ": " << f.verdict.message << "\n" << f.trace_text;
  }
}

// The first finding of a random search, which must find exactly one.
Finding FindOne(const char* variant) {
  SearchOptions o;
  o.seed = 20261123;
  o.runs = 2000;
  const SearchResult r = RunSearch(Hwtest(variant), o);
  EXPECT_EQ(r.findings.size(), 1u)
      << variant << ": nothing found in " << r.executions << " executions";
  return r.findings.empty() ? Finding{} : r.findings[0];
}

// One execution under a random scheduler.
Execution RunOnce(const char* variant, uint64_t seed, Trace* trace = nullptr) {
  Executor executor(Hwtest(variant));
  RandomScheduler random(seed);
  return executor.Run(random, 0, trace);
}

// The data race signature for stores at lines `a` and `b` (sorted as the
// race detector sorts them).
std::string RaceSignature(const std::string& cell, int a, int b) {
  std::string x = At(a), y = At(b);
  if (y < x) std::swap(x, y);
  return "data-race " + cell + " [" + x + "] [" + y + "]";
}

// ---- 1. Values of every width survive the machine ----

TEST(HwRuntime, ValuesOfEveryWidthAndSignSurviveBetweenCpus) {
  // Reader KASSERTs in its context (cell values) and the final check
  // KASSERTs the memory the cells mirror; the race detector is on.
  ExpectCleanRuns("widths", 500, 1);
}

TEST(HwRuntime, ValuesOfEveryWidthSurviveStoreBuffersOfWeakMemoryModels) {
  // Under TSO and relaxed the writer's stores sit in store buffers; they
  // reach the reader (release/acquire) and memory (final check) intact.
  ExpectCleanRuns("widths", 500, 2, MemoryModel::kTSO);
  ExpectCleanRuns("widths", 500, 2, MemoryModel::kRelaxed);
}

// ---- 2. Globals are restored before every execution ----

TEST(HwRuntime, GlobalsStartFromTheirInitialValueInEveryExecution) {
  Executor executor(Hwtest("globals_restored"));
  for (uint64_t i = 0; i < 100; ++i) {
    RandomScheduler random(ExecutionSeed(3, i));
    const Execution e = executor.Run(random);
    ASSERT_TRUE(e.verdict.clean()) << "execution " << i << ": " << e.verdict.message;
  }
}

TEST(HwRuntime, GlobalsAreRestoredBetweenSearches) {
  ExpectCleanRuns("globals_restored", 100, 4);
  ExpectCleanRuns("globals_restored", 100, 5);
}

// ---- 3. Verdicts name the C field and the C file:line ----

TEST(HwRuntime, RaceOnAGlobalStructFieldNamesTheFieldAndLines) {
  const Finding f = FindOne("race_global_field");
  EXPECT_EQ(f.verdict.kind, VerdictKind::kDataRace);
  EXPECT_EQ(f.verdict.signature,
            RaceSignature("g_sc.sc_count", hwtest_line_race_global_t0, hwtest_line_race_global_t1));
  EXPECT_NE(f.verdict.message.find("'g_sc.sc_count'"), std::string::npos) << f.verdict.message;
  EXPECT_NE(f.verdict.message.find(At(hwtest_line_race_global_t0)), std::string::npos)
      << f.verdict.message;
  EXPECT_NE(f.verdict.message.find(At(hwtest_line_race_global_t1)), std::string::npos)
      << f.verdict.message;
}

TEST(HwRuntime, RaceOnAKmemStructFieldNamesThePointerFieldAndLines) {
  const Finding f = FindOne("race_kmem_field");
  EXPECT_EQ(f.verdict.kind, VerdictKind::kDataRace);
  EXPECT_EQ(f.verdict.signature,
            RaceSignature("sc->sc_count", hwtest_line_race_kmem_t0, hwtest_line_race_kmem_t1));
  EXPECT_NE(f.verdict.message.find("'sc->sc_count'"), std::string::npos) << f.verdict.message;
}

// ---- 4. The spin-wait hint parks ----

TEST(HwRuntime, SpinwaitParksTheSpinnerUntilTheFlagChanges) {
  // The setter makes 40 yields and one store; a spinner that polled would
  // add a load and a yield per step of the setter it waits through.
  constexpr uint64_t kSetterSteps = 40 + 1;
  constexpr uint64_t kBound = kSetterSteps + 10;
  Executor executor(Hwtest("spinwait_parks"));
  uint64_t most = 0;
  for (uint64_t i = 0; i < 500; ++i) {
    RandomScheduler random(ExecutionSeed(6, i));
    const Execution e = executor.Run(random);
    ASSERT_TRUE(e.verdict.clean()) << "execution " << i << ": " << e.verdict.message;
    most = std::max(most, e.steps);
  }
  EXPECT_LE(most, kBound);
}

TEST(HwRuntime, SpinningOnAFlagNobodySetsIsADeadlockNotAHang) {
  for (uint64_t i = 0; i < 100; ++i) {
    Trace trace;
    const Execution e = RunOnce("spinwait_forever", ExecutionSeed(7, i), &trace);
    ASSERT_EQ(e.verdict.kind, VerdictKind::kDeadlock)
        << "execution " << i << ": " << e.verdict.message;
    EXPECT_EQ(e.verdict.signature, "deadlock stuck [thread spinner on g_never]");
    EXPECT_LT(e.steps, 20u) << trace.RenderText();
  }
}

// ---- 5. memset / memcpy go through the cells ----

TEST(HwRuntime, BuiltinMemsetAndMemcpyOverIntCellsGoThroughTheCells) {
  ExpectCleanRuns("memops_builtin", 500, 8);
}

// memset()/memcpy() spelled as calls: under -ffreestanding they were calls
// into the host's libc, writing behind the cells, until <sys/systm.h> made
// them builtins (the intrinsics the pass routes to the machine).
TEST(HwRuntime, MemsetAndMemcpyCallsOverIntCellsGoThroughTheCells) {
  ExpectCleanRuns("memops_libc", 500, 9);
}

// ---- 6. atomic_ops(3) ----

TEST(HwRuntime, AtomicOpsLoseNoUpdateOnTwoCpus) { ExpectCleanRuns("atomics_2cpu", 2000, 10); }

TEST(HwRuntime, AtomicOpsLoseNoUpdateOnFourCpus) { ExpectCleanRuns("atomics_4cpu", 2000, 11); }

TEST(HwRuntime, ByteIncrementWrapsToZeroAndWakesItsSpinner) {
  ExpectCleanRuns("byte_wraps", 500, 12);
}

// ---- 7. Use after kmem_free ----

TEST(HwRuntime, AccessAfterKmemFreeIsAnAssertionNamingTheAccess) {
  const Execution e = RunOnce("use_after_free", 1);
  EXPECT_EQ(e.verdict.kind, VerdictKind::kAssertion);
  EXPECT_NE(e.verdict.message.find("after kmem_free"), std::string::npos) << e.verdict.message;
  EXPECT_NE(e.verdict.message.find("n->n_value"), std::string::npos) << e.verdict.message;
  EXPECT_NE(e.verdict.message.find(std::string(kKmemFile) + ":"), std::string::npos)
      << e.verdict.message;
}

TEST(HwRuntime, KmemFreeLeavesOtherLocationsAccessible) {
  ExpectCleanRuns("free_then_other_access", 10, 14);
}

// ---- Device models ----

// A device callback's store reaches the location's cell (Machine::
// DeviceStore), so the driver's next load sees it; it once updated only the
// bytes, and the driver read the old value through the cell.
TEST(HwRuntime, DeviceCallbackStoreIsSeenByTheDriver) {
  ExpectCleanRuns("device_store", 10, 15);
}

// ---- 8. Refusals end the process with code 2, naming file:line ----

using HwRuntimeDeathTest = ::testing::Test;

TEST(HwRuntimeDeathTest, AccessToMemoryThatIsNotSharedIsRefused) {
  const std::string expected =
      "smpfuzz: error: hw/testing/hwtest_refusals\\.c:" + std::to_string(hwtest_line_foreign) +
      ": access to .*neither this context's stack, a global of the target, "
      "nor memory from kmem_alloc";
  EXPECT_EXIT(RunOnce("foreign_memory", 1), ::testing::ExitedWithCode(2), expected);
}

TEST(HwRuntimeDeathTest, MixedSizeAccessIsRefused) {
  const std::string expected =
      "smpfuzz: error: hw/testing/hwtest_refusals\\.c:" + std::to_string(hwtest_line_mixed) +
      ": mixed-size";
  EXPECT_EXIT(RunOnce("mixed_size", 1), ::testing::ExitedWithCode(2), expected);
}

TEST(HwRuntimeDeathTest, StoreToAConstantIsRefused) {
  const std::string expected = "smpfuzz: error: hw/testing/hwtest_refusals\\.c:" +
                               std::to_string(hwtest_line_readonly_store) +
                               ": a store to a location declared constant";
  EXPECT_EXIT(RunOnce("readonly_store", 1), ::testing::ExitedWithCode(2), expected);
  const std::string rmw = "smpfuzz: error: hw/testing/hwtest_refusals\\.c:" +
                          std::to_string(hwtest_line_readonly_rmw) +
                          ": a store to a location declared constant";
  EXPECT_EXIT(RunOnce("readonly_rmw", 1), ::testing::ExitedWithCode(2), rmw);
}

// smp_readonly: the constant's loads are no scheduling points and no
// trace lines; the counter beside it is traced as before.
TEST(HwRuntime, LoadsOfAConstantAreNoPointsAndNoTraceLines) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Trace trace;
    const Execution e = RunOnce("readonly", seed, &trace);
    ASSERT_TRUE(e.verdict.clean()) << e.verdict.message;
    const std::string text = trace.RenderText();
    EXPECT_EQ(text.find("ro_handle"), std::string::npos) << text;
    EXPECT_NE(text.find("ro_count"), std::string::npos) << text;
  }
}

// ---- 9. Determinism ----

TEST(HwRuntime, ReplayingTheSameScheduleGivesAByteIdenticalTrace) {
  Executor executor(Hwtest("determinism"));
  for (uint64_t i = 0; i < 500; ++i) {
    RandomScheduler random(ExecutionSeed(13, i));
    Trace first;
    const Execution e = executor.Run(random, 0, &first);
    ASSERT_TRUE(e.verdict.clean()) << e.verdict.message;
    ReplayScheduler replay(e.picks, 0);
    Trace second;
    const Execution again = executor.Run(replay, 0, &second);
    ASSERT_EQ(first.RenderText(), second.RenderText()) << "execution " << i;
    ASSERT_EQ(e.decision_hash, again.decision_hash) << "execution " << i;
    ASSERT_EQ(replay.beyond(), 0u) << "execution " << i;
  }
}

TEST(HwRuntime, TraceLinesShowTheCSourceLocations) {
  Trace trace;
  const Execution e = RunOnce("determinism", 1, &trace);
  ASSERT_TRUE(e.verdict.clean()) << e.verdict.message;
  const std::string text = trace.RenderText();
  EXPECT_NE(text.find("@" + std::string(kMachineFile) + ":"), std::string::npos) << text;
  EXPECT_NE(text.find("d->d_events"), std::string::npos) << text;
  EXPECT_NE(text.find("intr on cpu"), std::string::npos) << text;
}

// Cells are named only when a trace or a report reads the name, from the
// region and the first access's expression: the names are those naming at
// once gave, in the first execution and in later ones on the same thread
// (whose cells reuse the earlier ones' storage).
TEST(HwRuntime, CellNamesComeFromTheRegionAndTheFirstAccess) {
  Executor executor(Hwtest("cell_names"));
  for (uint64_t i = 0; i < 3; ++i) {
    RandomScheduler random(ExecutionSeed(14, i));
    Trace trace;
    const Execution e = executor.Run(random, 0, &trace);
    ASSERT_TRUE(e.verdict.clean()) << e.verdict.message;
    EXPECT_EQ(trace.cells, (std::vector<std::string>{
                               "kmem#1+4",            // marked in set-up: no expression
                               "names_lock.word",     // a lock word, after its lock
                               "sc->sc_count",        // kmem, by expression
                               "g_sc.sc_flags",       // a global, by its own name
                               "cpu0.ci_data.cpu_unused",  // cpu_info, through ci->
                           }))
        << "execution " << i << "\n"
        << trace.RenderText();
  }
}

// smp_peek remembers where no cell is (configuration words); a store that
// makes the location a cell must make the next peek see it, buffered.
TEST(HwRuntime, PeekSeesTheOwnStoreOnceTheLocationIsACell) {
  ExpectCleanRuns("peek_own_store", 200, 15);
}

// A pointer field's values are addresses, which differ from run to run
// (kmem blocks, ASLR): the trace names them by region instead, so that the
// same schedule gives the same text in another process too.
TEST(HwRuntime, PointerValuesAreTracedByTheRegionTheyPointInto) {
  Trace trace;
  const Execution e = RunOnce("widths", 1, &trace);
  ASSERT_TRUE(e.verdict.clean()) << e.verdict.message;
  const std::string text = trace.RenderText();
  // A global reached through a pointer: its offset, and the expression.
  EXPECT_NE(text.find("store g_w+32 (w->ptr) = &kmem#1"), std::string::npos) << text;
  EXPECT_NE(text.find("store w->ptr = &g_w"), std::string::npos) << text;
  EXPECT_NE(text.find("load w->ptr -> &g_w"), std::string::npos) << text;
}

// The trailing array of a kmem_alloc'ed structure is shared memory too,
// under every model (its elements are cells past the structure's size).
TEST(HwRuntime, FlexibleArrayMembersOfKmemAreShared) {
  for (MemoryModel model : {MemoryModel::kSC, MemoryModel::kTSO, MemoryModel::kPSO,
                            MemoryModel::kRelaxed}) {
    ExpectCleanRuns("flexible", 500, 21, model);
  }
}

}  // namespace
}  // namespace smp
