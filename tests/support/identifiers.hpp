#pragma once

// Names that break naive quoting: quotes, semicolons, comments, blanks, keywords, non-ASCII, control
// bytes, PostgreSQL's 63-byte limit, and random bytes without NUL, for CREATE TABLE round trips.

#include <cstddef>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "random_values.hpp"

namespace test {

/// The fixed hostile names, then `random_count` random ones of 1 to 63 bytes (valid UTF-8 when
/// `utf8`, as a UTF8 database requires, otherwise any bytes but NUL), without duplicates. With
/// `fold_ascii_case`, names equal up to ASCII case count as duplicates (SQLite compares names so).
inline std::vector<std::string> hostile_names(std::uint64_t seed, std::size_t random_count, bool utf8,
                                              bool fold_ascii_case) {
  std::vector<std::string> names = {
      "\"", "\"\"", "a\"b", "\"quoted\"", "x; DROP TABLE t; --", "'", "it's", " ", "  padded  ", "select", "table",
      "from", "order", "user", "group", "Mixed Case", "UPPER", "lower", "日本語", "Grüße", "🎉 party", "tab\there",
      "new\nline", "cr\rhere", "back\\slash\\", "$1", "?", ":name", "@v", "-- comment", "/* c */", "[brackets]",
      "`tick`", "%s%n", "\x7f\x01\x1f", "a.b", "schema.table", "(", ")", ",", "*", "\\N", "\\.",
      std::string(63, 'n'),
  };
  std::string accents;  // 63 bytes of two-byte characters and one more byte: the limit counts bytes
  for (int i = 0; i < 31; ++i) accents += "é";
  names.push_back(accents + "z");
  std::mt19937_64 rng{seed};
  for (std::size_t i = 0; i < random_count; ++i) {
    const std::size_t n = 1 + rng() % 63;
    std::string s;
    for (std::size_t k = 0; k < n; ++k) {
      const auto b = static_cast<char>(1 + rng() % 255);  // never NUL
      s += rng() % 4 == 0 ? "\"'; \\"[rng() % 5] : b;
    }
    names.push_back(utf8 ? ValueMaker::valid_utf8(s) : s);
  }
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (auto& name : names) {
    std::string key = name;
    if (fold_ascii_case)
      for (char& c : key)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (seen.insert(key).second) out.push_back(std::move(name));
  }
  return out;
}

}  // namespace test
