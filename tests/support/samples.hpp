#pragma once

// Values that must survive a round trip unchanged: the extremes of every type bulkinsert sends,
// strings that break naive escaping (COPY text, SQL literals), every byte value, and time points
// on both sides of 1970 and 2038.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/bulkinsert.hpp>

namespace test {

/// An instant in UTC.
inline bulkinsert::Timestamp timestamp(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0,
                                       std::int64_t us = 0) {
  using namespace std::chrono;
  return bulkinsert::Timestamp{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s} +
         microseconds{us};
}

inline bulkinsert::Date date(int y, unsigned mo, unsigned d) {
  return bulkinsert::Date{std::chrono::year{y}, std::chrono::month{mo}, std::chrono::day{d}};
}

/// "YYYY-MM-DD HH:MM:SS.ffffff" (years 1..9999): how SQLite stores a Timestamp, and PostgreSQL's
/// to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US').
inline std::string timestamp_text(bulkinsert::Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const std::int64_t us = (t - day).count();
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), us / 3'600'000'000,
                     us / 60'000'000 % 60, us / 1'000'000 % 60, us % 1'000'000);
}

inline std::string date_text(bulkinsert::Date d) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day()));
}

/// Days since 1970-01-01.
inline std::int64_t days_since_epoch(bulkinsert::Date d) {
  return std::chrono::sys_days{d}.time_since_epoch().count();
}

/// Text that breaks naive escaping: COPY text's own escapes (\t \n \r \\ \N \.), SQL quotes,
/// non-ASCII UTF-8, and the empty string (which is not NULL).
inline const std::vector<std::string>& tricky_strings() {
  static const std::vector<std::string> strings = {
      "plain",
      "tab\there",
      "new\nline",
      "carriage\rreturn\r\n",
      "back\\slash\\",
      "single ' and double \" quotes, ''; --",
      "\\N",
      "\\.",
      "\\.\n\\.",
      "Grüße, 日本語, emoji 🎉, Ωμέγα",
      "",
      " leading and trailing spaces ",
      "\\x41 not bytea",
      "comma,semicolon;pipe|",
  };
  return strings;
}

/// Every byte value once, in order.
inline bulkinsert::Bytes all_bytes() {
  bulkinsert::Bytes b(256);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::byte>(i);
  return b;
}

inline std::string hex(const bulkinsert::Bytes& b) {
  std::string out;
  for (const std::byte x : b) out += fmt::format("{:02x}", std::to_integer<unsigned>(x));
  return out;
}

/// One row of every kind of value. Columns: see sample_columns().
struct Sample {
  std::int64_t id = 0;
  bulkinsert::Null nothing;             // always NULL
  std::optional<std::int64_t> maybe;    // NULL or a value
  bool flag = false;
  std::int8_t i8 = 0;
  std::int16_t i16 = 0;
  std::int32_t i32 = 0;
  std::int64_t i64 = 0;
  std::uint32_t u32 = 0;
  float f = 0;
  double d = 0;
  std::string s;
  std::string_view sv;                  // borrows from tricky_strings()
  std::optional<std::string> opt_s;     // NULL, "" or text: never confused
  bulkinsert::Bytes bytes;
  bulkinsert::Timestamp ts{};
  bulkinsert::Date date{};
};

/// Rows covering the extremes. `with_nan`: row 3's double is NaN (PostgreSQL keeps it, SQLite refuses it).
inline std::vector<Sample> samples(bool with_nan) {
  using lim8 = std::numeric_limits<std::int8_t>;
  using lim16 = std::numeric_limits<std::int16_t>;
  using lim32 = std::numeric_limits<std::int32_t>;
  using lim64 = std::numeric_limits<std::int64_t>;
  const auto& strings = tricky_strings();
  const std::array<bulkinsert::Timestamp, 5> stamps = {
      timestamp(1969, 7, 20, 20, 17, 40),              // before 1970
      timestamp(2038, 1, 19, 3, 14, 8, 1),             // just past the 32-bit time_t limit
      timestamp(2100, 12, 31, 23, 59, 59, 999'999),    // well past 2038
      timestamp(2024, 2, 29, 13, 45, 0, 123'456),      // microseconds
      timestamp(1900, 1, 1, 0, 0, 0, 1),               // long before 1970, 1 µs
  };
  const std::array<bulkinsert::Date, 5> dates = {date(1969, 12, 31), date(1970, 1, 1), date(2024, 2, 29),
                                                 date(2100, 3, 1), date(1900, 1, 1)};
  std::vector<Sample> rows;
  const std::size_t n = strings.size();
  for (std::size_t k = 0; k < n; ++k) {
    Sample r;
    r.id = static_cast<std::int64_t>(k) + 1;
    r.maybe = k % 3 == 0 ? std::nullopt : std::optional<std::int64_t>{static_cast<std::int64_t>(k) * -1000};
    r.flag = k % 2 == 1;
    switch (k % 3) {
      case 0: r.i8 = lim8::min(); r.i16 = lim16::min(); r.i32 = lim32::min(); r.i64 = lim64::min(); r.u32 = 0; break;
      case 1: r.i8 = lim8::max(); r.i16 = lim16::max(); r.i32 = lim32::max(); r.i64 = lim64::max();
              r.u32 = std::numeric_limits<std::uint32_t>::max(); break;
      default: r.i8 = 0; r.i16 = -1; r.i32 = 1; r.i64 = 0; r.u32 = 1; break;
    }
    switch (k % 6) {
      case 0: r.f = 1.5f; r.d = 0.1; break;
      case 1: r.f = std::numeric_limits<float>::max(); r.d = std::numeric_limits<double>::max(); break;
      case 2: r.f = -std::numeric_limits<float>::infinity(); r.d = std::numeric_limits<double>::infinity(); break;
      case 3: r.f = std::numeric_limits<float>::infinity(); r.d = -std::numeric_limits<double>::infinity(); break;
      case 4: r.f = std::numeric_limits<float>::min(); r.d = std::numeric_limits<double>::denorm_min(); break;
      default: r.f = -0.0f; r.d = -1.0 / 3.0; break;
    }
    if (with_nan && k == 3) r.d = std::numeric_limits<double>::quiet_NaN();
    r.s = strings[k];
    r.sv = strings[(k + 1) % n];
    r.opt_s = k % 4 == 0 ? std::nullopt : k % 4 == 1 ? std::optional<std::string>{""} : std::optional{strings[k]};
    if (k % 4 == 0) r.bytes = all_bytes();
    else if (k % 4 == 1) r.bytes = {};
    else r.bytes = {std::byte{0}, std::byte{'\\'}, std::byte{'\n'}, std::byte{0xFF}, std::byte{'N'}};
    r.ts = stamps[k % stamps.size()];
    r.date = dates[k % dates.size()];
    rows.push_back(std::move(r));
  }
  return rows;
}

inline const std::vector<std::string>& sample_columns() {
  static const std::vector<std::string> columns = {"id", "always_null", "maybe", "flag", "i8", "i16", "i32", "i64", "u32",
                                                   "f", "d", "s", "sv", "opt_s", "bytes", "ts", "date"};
  return columns;
}

inline bulkinsert::Table<Sample> sample_table(std::string name = "samples") {
  return bulkinsert::Table<Sample>{std::move(name)}
      .column("id", &Sample::id)
      .column("always_null", &Sample::nothing)
      .column("maybe", &Sample::maybe)
      .column("flag", &Sample::flag)
      .column("i8", &Sample::i8)
      .column("i16", &Sample::i16)
      .column("i32", &Sample::i32)
      .column("i64", &Sample::i64)
      .column("u32", &Sample::u32)
      .column("f", &Sample::f)
      .column("d", &Sample::d)
      .column("s", &Sample::s)
      .column("sv", &Sample::sv)
      .column("opt_s", &Sample::opt_s)
      .column("bytes", &Sample::bytes)
      .column("ts", &Sample::ts)
      .column("date", &Sample::date);
}

/// The same rows as DynamicRow, cell by cell.
inline bulkinsert::DynamicRow to_dynamic(const Sample& r) {
  using bulkinsert::Value;
  return {Value{r.id},
          Value{bulkinsert::null},
          r.maybe ? Value{*r.maybe} : Value{bulkinsert::null},
          Value{r.flag},
          Value{std::int64_t{r.i8}},
          Value{std::int64_t{r.i16}},
          Value{std::int64_t{r.i32}},
          Value{r.i64},
          Value{std::int64_t{r.u32}},
          Value{static_cast<double>(r.f)},
          Value{r.d},
          Value{r.s},
          Value{std::string{r.sv}},
          r.opt_s ? Value{*r.opt_s} : Value{bulkinsert::null},
          Value{r.bytes},
          Value{r.ts},
          Value{r.date}};
}

}  // namespace test
