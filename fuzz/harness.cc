#include "fuzz/harness.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/prng.h"
#include "fuzz/mutator.h"
#include "replay/findings.h"
#include "replay/printable.h"
#include "replay/run_schedule.h"
#include "replay/schedule_io.h"
#include "schedulers/search.h"

namespace smp::fuzz {

void OptionsFromEnvironment(HarnessOptions* o) {
  if (const char* v = std::getenv("SMPFUZZ_VARIANT"); v != nullptr) o->variant = v;
  if (const char* v = std::getenv("SMPFUZZ_OUT"); v != nullptr && *v != '\0') o->out = v;
  if (const char* v = std::getenv("SMPFUZZ_SELF"); v != nullptr && *v != '\0') o->self = v;
  if (const char* v = std::getenv("SMPFUZZ_NO_INTERLEAVING_COVERAGE");
      v != nullptr && std::strcmp(v, "0") != 0 && *v != '\0') {
    o->interleaving_coverage = false;
  }
  if (const char* v = std::getenv("SMPFUZZ_ANY_MODEL");
      v != nullptr && std::strcmp(v, "0") != 0 && *v != '\0') {
    o->any_model = true;
  }
  if (const char* v = std::getenv("SMPFUZZ_CAMPAIGN"); v != nullptr) o->origin = v;
  if (const char* v = std::getenv("SMPFUZZ_CLEAN_ONLY"); v != nullptr && *v != '\0') {
    o->clean_only = std::strcmp(v, "0") != 0;
  }
}

absl::StatusOr<std::unique_ptr<Harness>> Harness::Create(HarnessOptions options) {
  std::unique_ptr<Harness> h(new Harness(std::move(options)));
  h->info_.target = h->options_.target;
  h->info_.any_model = h->options_.any_model;
  h->info_.variants = ScenarioRegistry::Global().ForTarget(h->options_.target);
  if (h->info_.variants.empty()) {
    return absl::NotFoundError(
        absl::StrCat("unknown target '", Printable(h->options_.target), "'"));
  }
  if (h->options_.clean_only) {
    std::erase_if(h->info_.variants, [](const ScenarioSpec* s) {
      return s->expected != VerdictKind::kClean;
    });
    if (h->info_.variants.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "target '", Printable(h->options_.target), "' has no variant declared clean"));
    }
  }
  if (!h->options_.variant.empty()) {
    h->info_.pinned =
        ScenarioRegistry::Global().Find(h->options_.target, h->options_.variant);
    if (h->info_.pinned == nullptr) {
      return absl::NotFoundError(absl::StrCat("target '", Printable(h->options_.target),
                                              "' has no variant '",
                                              Printable(h->options_.variant), "'"));
    }
    if (h->options_.clean_only && h->info_.pinned->expected != VerdictKind::kClean) {
      return absl::InvalidArgumentError(
          absl::StrCat(h->info_.pinned->name(), " is not declared clean"));
    }
  }
  if (h->options_.counters != nullptr &&
      (h->options_.num_counters & (h->options_.num_counters - 1)) != 0) {
    return absl::InvalidArgumentError("the counter array's size must be a power of two");
  }
  if (h->options_.interleaving_coverage && h->options_.counters != nullptr) {
    h->coverage_ = std::make_unique<InterleavingCoverage>(h->options_.counters,
                                                          h->options_.num_counters);
  }
  return h;
}

Executor& Harness::ExecutorFor(const ScenarioSpec& spec) {
  std::unique_ptr<Executor>& e = executors_[spec.variant];
  if (e == nullptr) {
    e = std::make_unique<Executor>(spec);
    if (coverage_ != nullptr) e->AddObserver(coverage_.get());
  }
  return *e;
}

bool Harness::Run(const uint8_t* data, size_t size) {
  proto::Schedule s = Decode(data, size, info_);
  const ScenarioSpec& spec = SpecOf(s, info_);
  Executor& executor = ExecutorFor(spec);
  if (coverage_ != nullptr) coverage_->Reset();
  RunOptions run;
  run.executor = &executor;
  const Execution e = RunSchedule(s, run).execution;
  if (e.verdict.clean() || known_.count(e.verdict.signature) != 0) return false;
  // Not known here: perhaps on disk, from an earlier process or a sibling
  // of this campaign. Confirming and minimizing again would take seconds
  // only to find the folder there; the folder knows the finding also by
  // its unclassified signature, which is what this execution ended with.
  known_.merge(SavedSignatures(options_.out, spec.target, spec.variant));
  if (known_.count(e.verdict.signature) != 0) return false;
  known_.insert(e.verdict.signature);  // the fast path's signature

  ++confirmations_;
  Finding f = Confirm(executor, e, s.seed(), s.max_steps());
  if (options_.any_model) f = StrongestModel(executor, f);
  if (f.verdict.signature != e.verdict.signature &&
      !known_.insert(f.verdict.signature).second) {
    return false;  // e.g. membar misuse already reported via another path
  }
  // Minimized before it is saved: what a person reads is the smallest
  // schedule with this signature.
  absl::StatusOr<SavedFinding> saved =
      SaveMinimized(options_.out, spec, f, options_.self, kMinimizeBudget,
                    e.verdict.signature, options_.origin);
  if (!saved.ok()) {
    std::fprintf(stderr, "smpfuzz: cannot save a finding: %s\n",
                 std::string(saved.status().message()).c_str());
  } else if (saved->already_known) {
    return false;  // an earlier process of this campaign has it
  }
  std::fprintf(stderr, "\n%s\n", f.verdict.message.c_str());
  if (saved.ok()) {
    std::fprintf(stderr, "smpfuzz: saved in %s\nsmpfuzz: replay: %s replay %s\n",
                 saved->dir.c_str(), options_.self.c_str(),
                 saved->schedule_path.c_str());
  }
  std::fprintf(stderr, "SUMMARY: smpfuzz: %s %s\n",
               std::string(VerdictKindName(f.verdict.kind)).c_str(),
               f.verdict.signature.c_str());
  return true;
}

size_t Harness::Emit(const proto::Schedule& s, uint8_t* out, size_t max_size) {
  proto::Schedule trimmed = s;
  std::string bytes;
  for (;;) {
    bytes.clear();
    trimmed.SerializeToString(&bytes);
    if (bytes.size() <= max_size || trimmed.decisions_size() == 0) break;
    trimmed.mutable_decisions()->RemoveLast();
  }
  if (bytes.size() > max_size) return 0;
  std::memcpy(out, bytes.data(), bytes.size());
  return bytes.size();
}

size_t Harness::Mutate(uint8_t* data, size_t size, size_t max_size,
                       unsigned int seed) {
  proto::Schedule s = Decode(data, size, info_);
  Random rng(seed);
  const int edits = 1 + static_cast<int>(rng.Uniform(3));
  for (int i = 0; i < edits; ++i) fuzz::Mutate(&s, rng, info_);
  return Emit(s, data, max_size);
}

size_t Harness::CrossOver(const uint8_t* a, size_t a_size, const uint8_t* b,
                          size_t b_size, uint8_t* out, size_t max_out,
                          unsigned int seed) {
  Random rng(seed);
  const proto::Schedule child =
      fuzz::CrossOver(Decode(a, a_size, info_), Decode(b, b_size, info_), rng);
  return Emit(child, out, max_out);
}

}  // namespace smp::fuzz
