#pragma once

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "../value.hpp"

namespace bulkinsert::detail {

/// Large enough for any value format_* below writes.
inline constexpr std::size_t text_buffer_size = 48;

/// "00" to "99": two digits per table lookup instead of a division each.
inline constexpr std::array<char, 200> digit_pairs = [] {
  std::array<char, 200> t{};
  for (unsigned i = 0; i < 100; ++i) {
    t[2 * i] = static_cast<char>('0' + i / 10);
    t[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return t;
}();

/// Writes `v` (0 to 99) as two digits.
inline void two_digits(char* p, unsigned v) noexcept { std::memcpy(p, digit_pairs.data() + 2 * v, 2); }

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's days_to_civil), without the
/// general-purpose machinery of <chrono>'s year_month_day, which costs more than the rest of a row.
struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};
inline CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

/// Writes `YYYY-MM-DD`; years before 1 follow PostgreSQL, `0044-03-15 BC`, because ISO's year 0 is 1 BC,
/// and the caller appends the ` BC`. Returns the end and whether it is BC.
inline char* write_civil(char* out, CivilDate c, bool& bc) {
  bc = c.year <= 0;
  const std::int64_t y = bc ? 1 - c.year : c.year;
  if (y <= 9999) {
    two_digits(out, static_cast<unsigned>(y / 100));
    two_digits(out + 2, static_cast<unsigned>(y % 100));
    out += 4;
  } else {
    out = fmt::format_to(out, "{}", y);
  }
  *out++ = '-';
  two_digits(out, c.month);
  out[2] = '-';
  two_digits(out + 3, c.day);
  return out + 5;
}

/// `2024-02-29` (ISO 8601), `0044-03-15 BC` before year 1.
inline std::size_t format_date(char* out, Date d) {
  bool bc = false;
  char* end = write_civil(out, civil_from_days(std::chrono::sys_days{d}.time_since_epoch().count()), bc);
  if (bc) end = std::string_view{" BC"}.copy(end, 3) + end;
  return static_cast<std::size_t>(end - out);
}

/// A timestamp split into its day since 1970-01-01 and the microseconds into that day.
struct DayAndTime {
  std::int64_t day;
  std::int64_t micros;
};
inline DayAndTime split_day(Timestamp t) noexcept {
  constexpr std::int64_t us_per_day = 86'400'000'000LL;
  const std::int64_t us = t.time_since_epoch().count();
  std::int64_t day = us / us_per_day;
  std::int64_t rem = us % us_per_day;
  if (rem < 0) {
    rem += us_per_day;
    --day;
  }
  return {day, rem};
}

/// Writes ` 13:45:00.123456` (16 characters) for `micros` into the day.
inline char* write_time_of_day(char* p, std::int64_t micros) noexcept {
  const auto secs = static_cast<unsigned>(micros / 1'000'000);
  const auto frac = static_cast<unsigned>(micros % 1'000'000);
  *p = ' ';
  two_digits(p + 1, secs / 3600);
  p[3] = ':';
  two_digits(p + 4, secs / 60 % 60);
  p[6] = ':';
  two_digits(p + 7, secs % 60);
  p[9] = '.';
  two_digits(p + 10, frac / 10000);
  two_digits(p + 12, frac / 100 % 100);
  two_digits(p + 14, frac % 100);
  return p + 16;
}

/// Appends what follows the time: `+00` when `with_zone` (PostgreSQL reads a zone-less timestamptz in
/// the session's TimeZone, so the zone must be explicit there), then ` BC` for a year before 1.
inline char* write_timestamp_suffix(char* p, bool with_zone, bool bc) noexcept {
  if (with_zone) p = std::string_view{"+00"}.copy(p, 3) + p;
  if (bc) p = std::string_view{" BC"}.copy(p, 3) + p;
  return p;
}

/// `2024-02-29 13:45:00.123456` in UTC, `+00` appended when `with_zone`.
inline std::size_t format_timestamp(char* out, Timestamp t, bool with_zone) {
  const DayAndTime dt = split_day(t);
  bool bc = false;
  char* p = write_time_of_day(write_civil(out, civil_from_days(dt.day), bc), dt.micros);
  return static_cast<std::size_t>(write_timestamp_suffix(p, with_zone, bc) - out);
}

/// A buffer of its own for one formatted date or timestamp at a time, as format_date and format_timestamp
/// write them, that rewrites a timestamp's date only when the day changes: rows loaded in time order
/// mostly share their day with the row before, and the date is the costly half of the text.
class DateTimeText {
 public:
  /// The text of `t`, valid until the next call.
  [[nodiscard]] std::string_view timestamp(Timestamp t, bool with_zone) {
    const DayAndTime dt = split_day(t);
    if (dt.day != day_) {
      date_length_ = static_cast<std::size_t>(write_civil(buf_.data(), civil_from_days(dt.day), bc_) - buf_.data());
      day_ = dt.day;
    }
    char* end = write_timestamp_suffix(write_time_of_day(buf_.data() + date_length_, dt.micros), with_zone, bc_);
    return {buf_.data(), static_cast<std::size_t>(end - buf_.data())};
  }
  /// The text of `d`, valid until the next call.
  [[nodiscard]] std::string_view date(Date d) {
    day_ = no_day;  // the date's own suffix may follow it
    return {buf_.data(), format_date(buf_.data(), d)};
  }

 private:
  static constexpr std::int64_t no_day = std::numeric_limits<std::int64_t>::min();
  std::array<char, text_buffer_size> buf_{};
  std::int64_t day_ = no_day;
  std::size_t date_length_ = 0;  // of day_'s date, at the start of buf_
  bool bc_ = false;
};

/// Shortest text that reads back as the same double; NaN and infinities spelled as PostgreSQL reads them.
inline std::size_t format_double(char* out, double v) {
  if (std::isnan(v)) return std::string_view{"NaN"}.copy(out, 3);
  if (std::isinf(v)) return v > 0 ? std::string_view{"Infinity"}.copy(out, 8) : std::string_view{"-Infinity"}.copy(out, 9);
  return static_cast<std::size_t>(std::to_chars(out, out + text_buffer_size, v).ptr - out);
}

inline std::size_t format_int(char* out, std::int64_t v) {
  return static_cast<std::size_t>(std::to_chars(out, out + text_buffer_size, v).ptr - out);
}

}  // namespace bulkinsert::detail
