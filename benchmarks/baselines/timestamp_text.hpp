#pragma once

// Timestamps as text, written by hand for the baselines: the library formats through fmt, a
// hand-written loader would not. Rows arrive in created_at order, so the date part is cached.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <bulkinsert/value.hpp>

namespace baselines {

/// Writes "YYYY-MM-DD HH:MM:SS" and, when `micros` is true or the value has a fraction, ".ffffff".
/// Years 0001-9999 only (what the benchmark rows hold). Returns the length; `out` needs 27 bytes.
class TimestampText {
 public:
  std::size_t format(char* out, bulkinsert::Timestamp t, bool micros) {
    const std::int64_t us = t.time_since_epoch().count();
    std::int64_t days = us / 86'400'000'000LL;
    std::int64_t rem = us % 86'400'000'000LL;
    if (rem < 0) {
      rem += 86'400'000'000LL;
      --days;
    }
    if (days != cached_day_) {
      cached_day_ = days;
      write_date(date_, days);
    }
    std::memcpy(out, date_, 11);
    const auto secs = static_cast<unsigned>(rem / 1'000'000);
    const auto frac = static_cast<unsigned>(rem % 1'000'000);
    two(out + 11, secs / 3600);
    out[13] = ':';
    two(out + 14, secs / 60 % 60);
    out[16] = ':';
    two(out + 17, secs % 60);
    if (!micros && frac == 0) return 19;
    out[19] = '.';
    unsigned f = frac;
    for (int i = 25; i >= 20; --i, f /= 10) out[i] = static_cast<char>('0' + f % 10);
    return 26;
  }

 private:
  static void two(char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  }
  // Howard Hinnant's civil_from_days.
  static void write_date(char* p, std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const auto y = static_cast<unsigned>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
    two(p, y / 100);
    two(p + 2, y % 100);
    p[4] = '-';
    two(p + 5, m);
    p[7] = '-';
    two(p + 8, d);
    p[10] = ' ';
  }

  std::int64_t cached_day_ = INT64_MIN;
  char date_[11] = {};
};

/// Decimal text of a 32-bit int; returns the length (at most 11).
inline std::size_t int_text(char* out, std::int32_t v) {
  char tmp[12];
  std::size_t n = 0;
  auto u = v < 0 ? 0u - static_cast<std::uint32_t>(v) : static_cast<std::uint32_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  std::size_t len = 0;
  if (v < 0) out[len++] = '-';
  while (n != 0) out[len++] = tmp[--n];
  return len;
}

}  // namespace baselines
