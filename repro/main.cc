// smpfuzz: see repro/cli.h for the commands.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "repro/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* self = std::getenv("SMPFUZZ_SELF");
  return smp::RunCli(args, std::cout, std::cerr,
                     self != nullptr ? self : "smpfuzz");
}
