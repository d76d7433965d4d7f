#include "replay/schedule_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "replay/printable.h"

namespace smp {
namespace {

constexpr size_t kMaxFileBytes = 64 << 20;
constexpr int kMaxPicks = 10'000'000;

class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error.empty()) {
      error = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ",
                           message);
    }
  }
  std::string error;
};

// Nothing but whitespace and # comments: text that says nothing (which
// would parse as a message with every field at its default).
bool SaysNothing(std::string_view bytes) {
  bool comment = false;
  for (char c : bytes) {
    if (c == '\n') {
      comment = false;
    } else if (c == '#') {
      comment = true;
    } else if (!comment && c != ' ' && c != '\t' && c != '\r') {
      return false;
    }
  }
  return true;
}

bool LooksLikeText(std::string_view bytes) {
  for (unsigned char c : bytes) {
    if (c == '\n' || c == '\r' || c == '\t') continue;
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

absl::Status Validate(const proto::Schedule& s) {
  if (s.version() != 1 && s.version() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "schedule version ", s.version(), " is not supported (this build "
        "reads versions 1 and 2)"));
  }
  if (s.target().empty() || s.variant().empty()) {
    return absl::InvalidArgumentError("schedule names no target or variant");
  }
  if (ScenarioRegistry::Global().Find(s.target(), s.variant()) == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "unknown scenario ", Printable(s.target()), "/", Printable(s.variant()),
        " (see `smpfuzz list`)"));
  }
  if (!proto::MemoryModel_IsValid(s.memory_model())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "memory_model ", s.memory_model(), " is not one of SC, TSO, PSO, RELAXED"));
  }
  if (!proto::EnterMeaning_IsValid(s.membar_enter())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "membar_enter ", s.membar_enter(),
        " is not one of ENTER_ACQUIRE, ENTER_STORE_BEFORE"));
  }
  if (!proto::Base_IsValid(s.base())) {
    return absl::InvalidArgumentError(
        absl::StrCat("base ", s.base(), " is not NO_PREEMPTION or RANDOM"));
  }
  for (const proto::Decision& d : s.decisions()) {
    if (!proto::Action_IsValid(d.action())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "decision action ", d.action(),
          " is not one of RUN, PLACE, RAISE, DRAIN, READ_FROM"));
    }
  }
  if (s.picks_size() > kMaxPicks || s.decisions_size() > kMaxPicks) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule has ", s.picks_size(), " picks; at most ",
                     kMaxPicks, " are accepted"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<proto::Schedule> ParseSchedule(std::string_view bytes) {
  // Protobuf would log parse errors to stderr itself; we report them.
  google::protobuf::SetLogHandler(nullptr);
  proto::Schedule s;
  std::string text_error;
  if (SaysNothing(bytes)) return absl::InvalidArgumentError("empty schedule");
  if (LooksLikeText(bytes)) {
    google::protobuf::TextFormat::Parser parser;
    FirstError errors;
    parser.RecordErrorsTo(&errors);
    if (parser.ParseFromString(std::string(bytes), &s)) {
      absl::Status st = Validate(s);
      if (!st.ok()) return st;
      return s;
    }
    // Protobuf's message may quote the input (a field name, a token).
    text_error = Printable(errors.error);
  }
  s.Clear();
  if (!bytes.empty() && s.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    absl::Status st = Validate(s);
    if (!st.ok()) return st;
    return s;
  }
  return absl::InvalidArgumentError(
      text_error.empty()
          ? std::string("not a schedule: neither text format nor binary")
          : absl::StrCat("not a schedule: text format error at ", text_error));
}

absl::StatusOr<proto::Schedule> ReadScheduleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  std::string bytes;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    bytes.append(buf, static_cast<size_t>(in.gcount()));
    if (bytes.size() > kMaxFileBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " is larger than ", kMaxFileBytes, " bytes"));
    }
  }
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat("cannot read ", path));
  }
  absl::StatusOr<proto::Schedule> s = ParseSchedule(bytes);
  if (!s.ok()) {
    return absl::Status(s.status().code(),
                        absl::StrCat(path, ": ", s.status().message()));
  }
  return s;
}

const ScenarioSpec& ScenarioOf(const proto::Schedule& schedule) {
  return *ScenarioRegistry::Global().Find(schedule.target(), schedule.variant());
}

MemoryModel ModelOf(const proto::Schedule& schedule) {
  switch (schedule.memory_model()) {
    case proto::SC: return MemoryModel::kSC;
    case proto::TSO: return MemoryModel::kTSO;
    case proto::PSO: return MemoryModel::kPSO;
    case proto::RELAXED: return MemoryModel::kRelaxed;
    default: return ScenarioOf(schedule).memory_model;
  }
}

EnterMeaning EnterOf(const proto::Schedule& schedule) {
  switch (schedule.membar_enter()) {
    case proto::ENTER_ACQUIRE: return EnterMeaning::kAcquire;
    case proto::ENTER_STORE_BEFORE: return EnterMeaning::kStoreBefore;
    default: return ScenarioOf(schedule).enter_meaning;
  }
}

std::vector<SparseDecision> DecisionsOf(const proto::Schedule& schedule) {
  static constexpr ChoiceKind kKinds[] = {ChoiceKind::kRun, ChoiceKind::kPlace,
                                          ChoiceKind::kRaise, ChoiceKind::kDrain,
                                          ChoiceKind::kReadFrom};
  std::vector<SparseDecision> out;
  out.reserve(schedule.decisions_size());
  for (const proto::Decision& d : schedule.decisions()) {
    const int action = d.action();
    if (action < 0 || action > 4) continue;
    // Values a Choice cannot hold match no choice: the decision is ignored.
    const bool fits = d.cpu() < 256 && d.arg() < 65536;
    out.push_back(SparseDecision{
        d.at_cpu(), d.at(),
        Choice{kKinds[action], static_cast<uint8_t>(fits ? d.cpu() : 255),
               static_cast<uint16_t>(fits ? d.arg() : 65535)}});
  }
  return out;
}

void SetDecisions(const std::vector<SparseDecision>& decisions,
                  proto::Schedule* schedule) {
  static constexpr proto::Action kActions[] = {proto::RUN, proto::PLACE,
                                               proto::RAISE, proto::DRAIN,
                                               proto::READ_FROM};
  schedule->clear_decisions();
  for (const SparseDecision& d : decisions) {
    proto::Decision* p = schedule->add_decisions();
    p->set_at_cpu(d.at_cpu);
    p->set_at(d.at);
    p->set_action(kActions[static_cast<int>(d.want.kind)]);
    p->set_cpu(d.want.cpu);
    p->set_arg(d.want.arg);
  }
}

ScheduleRun SchedulerFor(const proto::Schedule& schedule) {
  ScheduleRun run;
  if (schedule.version() == 1) {
    std::vector<uint32_t> picks(schedule.picks().begin(), schedule.picks().end());
    auto replay = std::make_unique<ReplayScheduler>(std::move(picks), schedule.seed());
    run.replay = replay.get();
    run.scheduler = std::move(replay);
    return run;
  }
  auto sparse = std::make_unique<ScheduleScheduler>(
      schedule.base() == proto::RANDOM ? BasePolicy::kRandom
                                       : BasePolicy::kNoPreemption,
      schedule.seed(), DecisionsOf(schedule), ScenarioOf(schedule).num_cpus);
  run.sparse = sparse.get();
  run.scheduler = std::move(sparse);
  return run;
}

proto::Schedule ScheduleOf(const ScenarioSpec& spec, const Finding& finding) {
  proto::Schedule s;
  s.set_version(kScheduleVersion);
  s.set_target(spec.target);
  s.set_variant(spec.variant);
  s.set_seed(finding.seed);
  s.set_base(proto::NO_PREEMPTION);
  SetDecisions(finding.decisions, &s);
  static constexpr proto::MemoryModel kModels[] = {proto::SC, proto::TSO,
                                                   proto::PSO, proto::RELAXED};
  s.set_memory_model(kModels[static_cast<int>(finding.memory_model)]);
  s.set_membar_enter(finding.enter_meaning == EnterMeaning::kAcquire
                         ? proto::ENTER_ACQUIRE
                         : proto::ENTER_STORE_BEFORE);
  // Without them the replay is another execution: a hang under a small
  // budget replayed clean under the scenario's own.
  s.set_max_steps(static_cast<uint32_t>(finding.max_steps));
  return s;
}

std::string ScheduleToText(const proto::Schedule& schedule) {
  // Header fields as protobuf prints them; then one decision a line with
  // every field shown (proto3 would hide the zeros, which read as missing).
  proto::Schedule header = schedule;
  header.clear_decisions();
  std::string out;
  google::protobuf::TextFormat::Printer printer;
  printer.SetUseShortRepeatedPrimitives(true);
  printer.PrintToString(header, &out);
  for (const proto::Decision& d : schedule.decisions()) {
    absl::StrAppend(&out, "decisions { at_cpu: ", d.at_cpu(), " at: ", d.at(),
                    " action: ", proto::Action_Name(d.action()), " cpu: ",
                    d.cpu(), " arg: ", d.arg(), " }\n");
  }
  return out;
}

absl::Status WriteFile(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string TempPathBeside(const std::string& path) {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return absl::StrCat(path, ".tmp.", host, ".", getpid());
}

absl::Status WriteFileAtomic(const std::string& path, std::string_view contents) {
  const std::string temp = TempPathBeside(path);
  absl::Status st = WriteFile(temp, contents);
  if (st.ok() && std::rename(temp.c_str(), path.c_str()) != 0) {
    st = absl::PermissionDeniedError(
        absl::StrCat("cannot rename ", temp, " to ", path, ": ", std::strerror(errno)));
  }
  if (!st.ok()) std::remove(temp.c_str());
  return st;
}

}  // namespace smp
