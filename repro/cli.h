// The smpfuzz command line: list, run, fuzz, merge, minimize, replay.
// Every command and flag: the flag table (repro/cli_flags.h), which
// `smpfuzz help` prints and docs/usage.md's synopsis must match.
//
// Exit status: 0 success (replay: the execution was clean, or --expect was
// met; replay DIR: every schedule with a saved kind ended in it); 1 replay
// produced a verdict (or not the expected one), replay DIR a schedule that
// changed verdict, run or merge a scenario that did not end as declared;
// 2 bad input: an unknown command, flag, target or variant, an unreadable
// or malformed schedule (in replay DIR, any one of them, or a saved kind
// that names no verdict kind), an unwritable output folder, shard results
// that are not one search or not all there. Never a crash.
#ifndef SMPFUZZ_REPRO_CLI_H_
#define SMPFUZZ_REPRO_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace smp {

// `args` excludes the program name. Output goes to `out`, diagnostics to
// `err`. `self` is how the user invokes smpfuzz (shown in replay commands).
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, const std::string& self = "smpfuzz");

}  // namespace smp

#endif  // SMPFUZZ_REPRO_CLI_H_
