// The smpfuzz command line.
//
//   smpfuzz list
//   smpfuzz run --target=NAME [--variant=V] [--runs=N] [--seed=S]
//               [--scheduler=random|none] [--model=sc|tso|pso|relaxed]
//               [--membar-enter=acquire|store-before]
//               [--max-steps=N] [--all] [--races] [--out=DIR] [--no-save]
//               [--scheduler=exhaustive ... --shard=i/n --result=FILE]
//   smpfuzz fuzz --target=NAME [--variant=V] [--time=60s] [--jobs=N]
//                [--out=DIR] [--fuzzer=PATH] [--no-interleaving-coverage]
//                [--until-found]
//   smpfuzz merge DIR [--shards=N] [--missing]
//   smpfuzz minimize FILE [--out=PATH] [--max-executions=N]
//   smpfuzz replay FILE [--expect=KIND] [--quiet] [--json=PATH] [--target=T] [--any-model]
//
// Exit status: 0 success (replay: the execution was clean, or --expect was
// met); 1 replay produced a verdict (or not the expected one), run or merge
// a scenario that did not end as declared; 2 bad input:
// an unknown command, flag, target or variant, an unreadable or malformed
// schedule, an unwritable output folder, shard results that are not one
// search or not all there. Never a crash.
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
