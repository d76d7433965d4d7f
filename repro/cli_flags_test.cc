// The flag table, the usage text made from it, and docs/usage.md's
// command table checked against it.
#include "repro/cli_flags.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace smp::cli {
namespace {

std::string ReadDoc(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first cell of each row of docs/usage.md's command table.
std::vector<std::string> DocumentedSynopses(const std::string& doc) {
  std::vector<std::string> cells;
  for (absl::string_view line : absl::StrSplit(doc, '\n')) {
    if (!absl::StartsWith(line, "| `smpfuzz ")) continue;
    // The cell ends at the first " | " that is not an escaped "\|".
    const size_t end = line.find("` | ");
    cells.emplace_back(line.substr(2, end == absl::string_view::npos ? 0 : end + 1 - 2));
  }
  return cells;
}

TEST(CliFlags, DocsCommandTableIsTheTablesSynopsis) {
  const std::string doc = ReadDoc("docs/usage.md");
  ASSERT_FALSE(doc.empty()) << "docs/usage.md is not a data dependency";
  std::vector<std::string> expected;
  for (const CommandSpec& c : Commands()) expected.push_back(MarkdownSynopsis(c));
  // On a difference, paste the expected cells into docs/usage.md.
  EXPECT_EQ(DocumentedSynopses(doc), expected);
}

TEST(CliFlags, SynopsisBracketsOptionalFlagsOnly) {
  const CommandSpec* replay = FindCommand("replay");
  ASSERT_NE(replay, nullptr);
  EXPECT_EQ(Synopsis(*replay),
            "smpfuzz replay FILE [--expect=KIND] [--quiet] [--json=PATH] [--target=T] "
            "[--any-model]");
  const CommandSpec* fuzz = FindCommand("fuzz");
  ASSERT_NE(fuzz, nullptr);
  EXPECT_EQ(Synopsis(*fuzz).rfind("smpfuzz fuzz --target=NAME [--variant=V] ", 0), 0u);
  EXPECT_EQ(MarkdownSynopsis(*FindCommand("run")).find("random|pct"), std::string::npos);
  EXPECT_NE(MarkdownSynopsis(*FindCommand("run")).find("random\\|pct"), std::string::npos);
}

TEST(CliFlags, EveryFlagIsNamedOnceWithOneShortLineOfHelp) {
  for (const CommandSpec& c : Commands()) {
    std::set<std::string_view> names;
    for (const FlagSpec& f : c.flags) {
      EXPECT_TRUE(names.insert(f.name).second) << c.name << " --" << f.name;
      EXPECT_FALSE(f.help.empty()) << c.name << " --" << f.name;
      EXPECT_LE(f.help.size(), kMaxHelp) << c.name << " --" << f.name;
      EXPECT_EQ(f.help.find('\n'), std::string_view::npos) << c.name << " --" << f.name;
      EXPECT_EQ(f.value.find(' '), std::string_view::npos) << c.name << " --" << f.name;
      EXPECT_EQ(FindFlag(c, f.name), &f);
    }
    EXPECT_EQ(FindCommand(c.name), &c);
  }
  EXPECT_EQ(FindCommand("frobnicate"), nullptr);
  EXPECT_EQ(FindFlag(*FindCommand("run"), "bogus"), nullptr);
}

TEST(CliFlags, UsageListsEveryCommandAndFlagWithinEightyColumns) {
  const std::string& usage = Usage();
  for (absl::string_view line : absl::StrSplit(usage, '\n')) {
    EXPECT_LE(line.size(), 80u) << line;
  }
  for (const CommandSpec& c : Commands()) {
    // The command's own block: from its synopsis to the next command's.
    const size_t begin = usage.find("  smpfuzz " + std::string(c.name));
    ASSERT_NE(begin, std::string::npos) << c.name;
    const size_t end = usage.find("\n  smpfuzz ", begin + 1);  // its last newline
    const std::string block =
        usage.substr(begin, end == std::string::npos ? end : end + 1 - begin);
    for (const FlagSpec& f : c.flags) {
      // In the synopsis, and at the start of a line with its help.
      const std::string in_synopsis =
          f.required ? " " + FlagText(f) + " " : "[" + FlagText(f) + "]";
      EXPECT_NE(block.find(in_synopsis), std::string::npos) << c.name << " " << FlagText(f);
      const size_t at = block.find("\n      " + FlagText(f));
      ASSERT_NE(at, std::string::npos) << c.name << " " << FlagText(f);
      const char next = block[at + 7 + FlagText(f).size()];
      EXPECT_TRUE(next == ' ' || next == '\n') << c.name << " " << FlagText(f);
      EXPECT_NE(block.find(std::string(f.help) + "\n"), std::string::npos) << f.help;
    }
  }
}

}  // namespace
}  // namespace smp::cli
