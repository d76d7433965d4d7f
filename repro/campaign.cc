#include "repro/campaign.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/scenario.h"
#include "replay/findings.h"
#include "replay/printable.h"

namespace smp {
namespace {

namespace fs = std::filesystem;

volatile sig_atomic_t interrupted = 0;
void OnInterrupt(int) { interrupted = 1; }

// "#1234: cov: 56 ... exec/s 78" (fork mode) or "#1234 pulse cov: 56 ...
// exec/s: 78" (single process): the numbers after the markers.
bool Number(const std::string& line, const std::string& marker, uint64_t* v) {
  const size_t at = line.find(marker);
  if (at == std::string::npos) return false;
  size_t i = at + marker.size();
  while (i < line.size() && (line[i] == ' ' || line[i] == ':')) ++i;
  if (i >= line.size() || !isdigit(static_cast<unsigned char>(line[i]))) return false;
  *v = std::strtoull(line.c_str() + i, nullptr, 10);
  return true;
}

std::string Field(const std::string& text, const std::string& name) {
  const size_t at = text.find(name + ": ");
  if (at == std::string::npos) return "";
  const size_t start = at + name.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

std::vector<CampaignFinding> ListFindings(const std::string& out,
                                          const std::string& target) {
  std::vector<CampaignFinding> found;
  std::error_code ec;
  const fs::path root = fs::path(out) / target;
  if (!fs::is_directory(root, ec)) return found;
  for (fs::recursive_directory_iterator it(root, ec), end; it != end && !ec;
       it.increment(ec)) {
    if (it->path().filename() != "schedule.textproto") continue;
    std::ifstream in(it->path().parent_path() / "verdict.txt");
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    CampaignFinding f;
    f.variant = it->path().parent_path().parent_path().filename().string();
    f.kind = Field(text, "kind");
    f.signature = Field(text, "signature");
    f.origin = Field(text, "found by");
    f.schedule_path = it->path().string();
    found.push_back(std::move(f));
  }
  std::sort(found.begin(), found.end(),
            [](const CampaignFinding& a, const CampaignFinding& b) {
              return a.schedule_path < b.schedule_path;
            });
  return found;
}

absl::StatusOr<CampaignResult> RunCampaign(const CampaignOptions& o,
                                           std::ostream& out) {
  if (ScenarioRegistry::Global().ForTarget(o.target).empty()) {
    return absl::NotFoundError(
        absl::StrCat("unknown target '", Printable(o.target), "' (see `", o.self,
                     " list`)"));
  }
  if (!o.variant.empty() &&
      ScenarioRegistry::Global().Find(o.target, o.variant) == nullptr) {
    return absl::NotFoundError(absl::StrCat("target '", Printable(o.target),
                                            "' has no variant '", Printable(o.variant),
                                            "'"));
  }
  if (o.fuzzer.empty() || access(o.fuzzer.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no fuzzer binary for target '", o.target, "'",
        o.fuzzer.empty() ? "" : absl::StrCat(" at ", o.fuzzer),
        ": build it with `bazel build --config=fuzz //targets/", o.target, ":",
        o.target, "_fuzzer` (tools/smpfuzz does this) and pass --fuzzer=PATH"));
  }
  absl::Status st = CheckWritable(o.out);
  if (!st.ok()) return st;
  const fs::path corpus = fs::path(o.out) / ".corpus" /
                          (o.variant.empty() ? o.target : o.target + "." + o.variant);
  const fs::path crashes = fs::path(o.out) / ".crashes" / o.target;
  std::error_code ec;
  fs::create_directories(corpus, ec);
  fs::create_directories(crashes, ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", corpus.string(), ": ", ec.message()));
  }

  // How this campaign signs its findings, unlike any other sharing <out>.
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  const std::string origin = absl::StrCat(host, ".", getpid());
  std::set<std::string> before;
  for (const CampaignFinding& f : ListFindings(o.out, o.target)) {
    before.insert(f.schedule_path);
  }

  std::vector<std::string> args = {
      o.fuzzer,
      absl::StrCat("-fork=", std::max(1, o.jobs)),
      "-ignore_crashes=1",
      "-ignore_timeouts=1",
      "-ignore_ooms=1",
      absl::StrCat("-max_total_time=", std::max(1, static_cast<int>(o.seconds))),
      absl::StrCat("-max_len=", o.max_len),
      "-print_final_stats=1",
      absl::StrCat("-artifact_prefix=", crashes.string(), "/"),
      corpus.string(),
  };
  if (!o.seeds.empty() && fs::is_directory(o.seeds, ec)) args.push_back(o.seeds);

  int pipefd[2];
  if (pipe(pipefd) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  const pid_t child = fork();
  if (child < 0) {
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (child == 0) {
    setpgid(0, 0);
    dup2(pipefd[1], STDOUT_FILENO);
    dup2(pipefd[1], STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    setenv("SMPFUZZ_OUT", o.out.c_str(), 1);
    setenv("SMPFUZZ_SELF", o.self.c_str(), 1);
    setenv("SMPFUZZ_CAMPAIGN", origin.c_str(), 1);
    if (!o.variant.empty()) setenv("SMPFUZZ_VARIANT", o.variant.c_str(), 1);
    if (!o.interleaving_coverage) setenv("SMPFUZZ_NO_INTERLEAVING_COVERAGE", "1", 1);
    if (o.any_model) setenv("SMPFUZZ_ANY_MODEL", "1", 1);
    // The fuzzer's own findings are ours to report: keep ASan quiet about
    // the deliberate abort.
    setenv("ASAN_OPTIONS", "abort_on_error=1:detect_leaks=0:symbolize=0", 0);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "smpfuzz: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(pipefd[1]);
  setpgid(child, child);

  interrupted = 0;
  struct sigaction sa = {}, old_int = {}, old_term = {};
  sa.sa_handler = OnInterrupt;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  out << "smpfuzz fuzz: target " << o.target
      << (o.variant.empty() ? "" : "/" + o.variant) << ", " << o.seconds << " s, "
      << o.jobs << " job(s), interleaving coverage "
      << (o.interleaving_coverage ? "on" : "off")
      << (o.any_model ? ", any memory model" : ", the scenarios' own memory models")
      << "\n"
      << "  corpus " << corpus.string() << ", findings under "
      << (fs::path(o.out) / o.target).string() << "\n";
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  CampaignResult result;
  uint64_t execs = 0, rate = 0, cov = 0;
  std::set<std::string> announced = before;
  std::string pending, tail_log;
  double last_line = 0;
  bool wanted_found = false;  // what --until-found / --until waits for
  size_t ours = 0;            // new findings this campaign saved
  auto announce = [&] {
    for (const CampaignFinding& f : ListFindings(o.out, o.target)) {
      if (!announced.insert(f.schedule_path).second) continue;
      if (f.origin != origin) {
        out << (tty ? "\r\033[K" : "") << "== another campaign sharing " << o.out
            << (f.origin.empty() ? "" : " (" + f.origin + ")") << " found " << f.kind
            << " in " << o.target << "/" << f.variant << ": " << f.signature << "\n";
        continue;
      }
      ++ours;
      if (o.until_kind.empty() || f.kind == o.until_kind) wanted_found = true;
      out << (tty ? "\r\033[K" : "") << "== found " << f.kind << " in "
          << o.target << "/" << f.variant << " after "
          << absl::StrFormat("%.1f", elapsed()) << " s: " << f.signature << "\n   replay: " << o.self << " replay "
          << f.schedule_path << "\n";
    }
  };
  auto progress = [&](bool force) {
    const double t = elapsed();
    if (!force && t - last_line < (tty ? 0.5 : 10.0)) return;
    last_line = t;
    const size_t n = ours;
    const std::string line = absl::StrFormat(
        "[%4.0fs] executions %llu  exec/s %llu  coverage %llu  new findings %zu", t,
        static_cast<unsigned long long>(execs), static_cast<unsigned long long>(rate),
        static_cast<unsigned long long>(cov), n);
    out << (tty ? "\r\033[K" : "") << line << (tty ? "" : "\n");
    out.flush();
  };

  // Stopping: libFuzzer's fork mode runs each job through system(), which
  // ignores SIGINT in the parent while a job runs, so an interrupt alone
  // only ends the current job and the next one starts. Escalate: SIGINT,
  // then SIGTERM (libFuzzer's graceful exit, parent and job alike), then
  // SIGKILL. A finding is on disk before its SUMMARY line, so none is lost.
  double stop_at = -1;
  int stop_signals = 0;
  auto stop = [&] {
    const double t = elapsed();
    if (stop_at < 0) stop_at = t;
    static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGKILL};
    static constexpr double kAfter[] = {0.0, 0.5, 5.0};
    while (stop_signals < 3 && t - stop_at >= kAfter[stop_signals]) {
      kill(-child, kSignals[stop_signals++]);
    }
  };
  for (;;) {
    // The time budget is libFuzzer's -max_total_time; this is the backstop
    // for a fork-mode job that outlives it.
    if (interrupted || elapsed() > o.seconds + 10) stop();
    pollfd p = {pipefd[0], POLLIN, 0};
    const int r = poll(&p, 1, 250);
    if (r > 0) {
      char buf[4096];
      const ssize_t got = read(pipefd[0], buf, sizeof buf);
      if (got <= 0) break;
      pending.append(buf, static_cast<size_t>(got));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        tail_log += line + "\n";
        if (tail_log.size() > 8192) tail_log.erase(0, tail_log.size() - 8192);
        uint64_t v;
        if (!line.empty() && line[0] == '#' && Number(line, "#", &v)) execs = v;
        if (Number(line, "exec/s", &v)) rate = v;
        if (Number(line, "cov", &v)) cov = v;
        if (line.rfind("SUMMARY: smpfuzz:", 0) == 0) announce();
      }
    } else if (r < 0 && errno != EINTR) {
      break;
    }
    announce();
    progress(false);
    if ((o.until_found || !o.until_kind.empty()) && wanted_found) stop();
  }
  close(pipefd[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  announce();
  progress(true);
  out << "\n";

  result.executions = execs;
  result.seconds = elapsed();
  result.interrupted = interrupted != 0;
  result.findings = ListFindings(o.out, o.target);
  for (CampaignFinding& f : result.findings) {
    const bool fresh = before.count(f.schedule_path) == 0;
    f.is_new = fresh && f.origin == origin;
    f.by_other = fresh && f.origin != origin;
  }
  // A fuzzer we stopped (Ctrl-C, --until, the time backstop) ended by our
  // signal, and one that saved a finding has fuzzed, even if libFuzzer
  // printed no execution count yet (a finding from the seed run).
  const bool stopped = stop_at >= 0 || result.interrupted;
  const bool found = ours != 0;
  const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  if (failed && !stopped && !found && execs == 0) {
    return absl::InternalError(absl::StrCat(
        "the fuzzer failed before fuzzing; its last output:\n", tail_log));
  }
  return result;
}

}  // namespace smp
