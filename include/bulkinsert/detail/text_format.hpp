#pragma once

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "../value.hpp"

namespace bulkinsert::detail {

/// Large enough for any value format_* below writes.
inline constexpr std::size_t text_buffer_size = 48;

/// `2024-02-29` (ISO 8601); years before 1 follow PostgreSQL, `0044-03-15 BC`, because ISO's year 0 is 1 BC.
inline std::size_t format_date(char* out, Date d) {
  const int y = static_cast<int>(d.year());
  const bool bc = y <= 0;
  auto end = fmt::format_to(out, "{:04}-{:02}-{:02}", bc ? 1 - y : y, static_cast<unsigned>(d.month()),
                            static_cast<unsigned>(d.day()));
  if (bc) end = fmt::format_to(end, " BC");
  return static_cast<std::size_t>(end - out);
}

/// `2024-02-29 13:45:00.123456` in UTC, with `+00` appended when `with_zone` (PostgreSQL reads a
/// zone-less timestamptz in the session's TimeZone, so the zone must be explicit there).
inline std::size_t format_timestamp(char* out, Timestamp t, bool with_zone) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> tod{t - day};
  const int y = static_cast<int>(ymd.year());
  const bool bc = y <= 0;
  auto end = fmt::format_to(out, "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", bc ? 1 - y : y,
                            static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), tod.hours().count(),
                            tod.minutes().count(), tod.seconds().count(), tod.subseconds().count());
  if (with_zone) end = fmt::format_to(end, "+00");
  if (bc) end = fmt::format_to(end, " BC");
  return static_cast<std::size_t>(end - out);
}

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
