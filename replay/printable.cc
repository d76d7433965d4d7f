#include "replay/printable.h"

#include <cstdio>

namespace smp {

std::string Printable(std::string_view name, size_t max_chars) {
  std::string out;
  for (const char ch : name) {
    const unsigned char c = static_cast<unsigned char>(ch);
    std::string piece(1, ch);
    if (c == '\n') {
      piece = "\\n";
    } else if (c == '\t') {
      piece = "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      piece = hex;
    }
    // Stops at the cut: a 10 MB name costs 200 characters, not 10 MB.
    if (out.size() + piece.size() > max_chars) {
      return out + "...(" + std::to_string(name.size()) + " bytes)";
    }
    out += piece;
  }
  return out;
}

}  // namespace smp
