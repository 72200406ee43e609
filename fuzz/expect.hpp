#pragma once

// What the fuzzers check against, written apart from the library so that a shared mistake does not
// hide: exact equality of values (NaN equals NaN, -0 differs from 0), civil dates, and a crash on failure.

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include <bulkinsert/value.hpp>

namespace fuzz {

/// Stops the fuzzer with `what`: libFuzzer saves the input that did it.
[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "property violated: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}
inline void check(bool ok, std::string_view what) {
  if (!ok) fail(what);
}

/// Days since 1970-01-01 of a proleptic Gregorian date, any int64 year (ISO: year 0 is 1 BC).
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

inline std::int64_t days_of(bulkinsert::Date d) {
  return days_from_civil(static_cast<int>(d.year()), static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

/// Same value, bit for bit for reals (any NaN equals any NaN: PostgreSQL keeps no payload in text).
inline bool same(const bulkinsert::Value& a, const bulkinsert::Value& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    return (*x != *x && y != y) || std::bit_cast<std::uint64_t>(*x) == std::bit_cast<std::uint64_t>(y);
  }
  return a == b;
}

}  // namespace fuzz
