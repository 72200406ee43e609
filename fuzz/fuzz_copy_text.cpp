// COPY text encoder: a row of fuzz-made values, encoded by copy_text_row, decoded by the small COPY text
// parser below (PostgreSQL's rules: copyfromparse.c), must give back every value exactly. Text holding
// NUL and invalid dates must be refused with InputError; nothing else may throw.

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bulkinsert/error.hpp>
#include <bulkinsert/postgres/encoding.hpp>

#include "expect.hpp"
#include "one_row.hpp"
#include "support/random_values.hpp"

namespace {

using bulkinsert::Kind;
using bulkinsert::Value;
using fuzz::check;

/// The fields of one COPY text line ("\N" is NULL), unescaped; checks the framing on the way.
std::vector<std::optional<std::string>> parse_line(std::string_view line) {
  check(!line.empty() && line.back() == '\n', "a row ends with a line feed");
  line.remove_suffix(1);
  check(line.find_first_of("\n\r") == std::string_view::npos, "no raw line break inside a row");
  check(line != "\\.", "a row is never the end-of-data marker");
  std::vector<std::optional<std::string>> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    const std::string_view raw = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    if (raw == "\\N") {
      fields.emplace_back();
    } else {
      std::string v;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
          v += raw[i];
          continue;
        }
        check(i + 1 < raw.size(), "no lone backslash at the end of a field");
        const char e = raw[++i];
        auto digit = [](char c, int base) { return base == 8 ? (c >= '0' && c <= '7') : std::isxdigit(static_cast<unsigned char>(c)) != 0; };
        if (e >= '0' && e <= '7') {  // \ooo
          int n = 0, k = 0;
          while (k < 3 && i < raw.size() && digit(raw[i], 8)) n = n * 8 + (raw[i++] - '0'), ++k;
          --i;
          v += static_cast<char>(n);
        } else if (e == 'x' && i + 1 < raw.size() && digit(raw[i + 1], 16)) {  // \xhh
          int n = 0, k = 0;
          ++i;
          while (k < 2 && i < raw.size() && digit(raw[i], 16))
            n = n * 16 + (std::isdigit(static_cast<unsigned char>(raw[i])) ? raw[i] - '0' : (raw[i] | 0x20) - 'a' + 10), ++i, ++k;
          --i;
          v += static_cast<char>(n);
        } else {
          switch (e) {
            case 'b': v += '\b'; break;
            case 'f': v += '\f'; break;
            case 'n': v += '\n'; break;
            case 'r': v += '\r'; break;
            case 't': v += '\t'; break;
            case 'v': v += '\v'; break;
            default: v += e;
          }
        }
      }
      fields.emplace_back(std::move(v));
    }
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return fields;
}

std::int64_t parse_int(std::string_view s, std::string_view what) {
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  check(ec == std::errc{} && p == s.data() + s.size(), what);
  return v;
}

/// Reads "digits" of at least `min_digits`, advancing `s`.
std::int64_t take_number(std::string_view& s, std::size_t min_digits, std::size_t max_digits) {
  std::size_t n = 0;
  while (n < s.size() && n < max_digits && s[n] >= '0' && s[n] <= '9') ++n;
  check(n >= min_digits, "a date part has its digits");
  const std::int64_t v = parse_int(s.substr(0, n), "a date part is a number");
  s.remove_prefix(n);
  return v;
}
void take(std::string_view& s, std::string_view lit) {
  check(s.substr(0, lit.size()) == lit, "date and time separators");
  s.remove_prefix(lit.size());
}

/// "YYYY-MM-DD" with a year of 4 digits or more: days since 1970; `s` advances past it. `bc` is read by the caller.
std::int64_t parse_ymd(std::string_view& s, std::int64_t& year) {
  year = take_number(s, 4, 9);
  take(s, "-");
  const auto m = take_number(s, 2, 2);
  take(s, "-");
  const auto d = take_number(s, 2, 2);
  check(m >= 1 && m <= 12 && d >= 1 && d <= 31, "month and day in range");
  return static_cast<std::int64_t>(m) << 8 | d;
}
std::int64_t days_of_text(std::int64_t year, std::int64_t md, bool bc) {
  return fuzz::days_from_civil(bc ? 1 - year : year, static_cast<unsigned>(md >> 8), static_cast<unsigned>(md & 0xFF));
}
bool take_bc(std::string_view& s) {
  if (s == " BC") {
    s.remove_prefix(3);
    return true;
  }
  return false;
}

Value decode(std::string_view s, Kind kind) {
  switch (kind) {
    case Kind::null_value: break;
    case Kind::boolean:
      check(s == "t" || s == "f", "a boolean is t or f");
      return s == "t";
    case Kind::integer: return parse_int(s, "an integer is its digits");
    case Kind::real: {
      if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (s == "Infinity") return std::numeric_limits<double>::infinity();
      if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
      double d = 0;
      const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      check(ec == std::errc{} && p == s.data() + s.size(), "a real is a number");
      return d;
    }
    case Kind::text: return std::string{s};
    case Kind::bytes: {
      check(s.substr(0, 2) == "\\x" && s.size() % 2 == 0, "bytea is \\x and hex pairs");
      bulkinsert::Bytes b;
      for (std::size_t i = 2; i < s.size(); i += 2) {
        unsigned v = 0;
        const auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
        check(ec == std::errc{} && p == s.data() + i + 2, "bytea hex digits");
        b.push_back(static_cast<std::byte>(v));
      }
      return b;
    }
    case Kind::timestamp: {
      std::int64_t year = 0;
      const auto md = parse_ymd(s, year);
      take(s, " ");
      const auto h = take_number(s, 2, 2);
      take(s, ":");
      const auto mi = take_number(s, 2, 2);
      take(s, ":");
      const auto sec = take_number(s, 2, 2);
      take(s, ".");
      const auto us = take_number(s, 6, 6);
      take(s, "+00");  // UTC, explicitly: a timestamptz column would read it in the session's zone
      const bool bc = take_bc(s);
      check(s.empty(), "nothing after a timestamp");
      check(h < 24 && mi < 60 && sec < 60, "time of day in range");
      // Unsigned, wrapping: the day's start may lie below INT64_MIN when the instant itself does not.
      const std::uint64_t total = static_cast<std::uint64_t>(days_of_text(year, md, bc)) * 86'400'000'000ULL +
                                  static_cast<std::uint64_t>(((h * 60 + mi) * 60 + sec) * 1'000'000 + us);
      return bulkinsert::Timestamp{std::chrono::microseconds{static_cast<std::int64_t>(total)}};
    }
    case Kind::date: {
      std::int64_t year = 0;
      const auto md = parse_ymd(s, year);
      const bool bc = take_bc(s);
      check(s.empty(), "nothing after a date");
      return bulkinsert::Date{std::chrono::sys_days{std::chrono::days{days_of_text(year, md, bc)}}};
    }
  }
  fuzz::fail("unreachable kind");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  test::ByteSource in{{data, size}};
  test::ValueMaker make{in, test::ValueLimits{}};
  const std::size_t columns = 1 + in.below(8);
  bulkinsert::DynamicRow row;
  bool expect_input_error = false;
  for (std::size_t c = 0; c < columns; ++c) {
    const Value v = make.value(make.kind());
    if (const auto* t = std::get_if<std::string>(&v); t && t->find('\0') != std::string::npos) expect_input_error = true;
    if (const auto* d = std::get_if<bulkinsert::Date>(&v); d && !d->ok()) expect_input_error = true;
    row.push_back(v);
  }
  fuzz::OneRow one{row};
  bulkinsert::detail::ByteBuffer out;
  out += "garbage before";  // the encoder appends
  const std::size_t before = out.size();
  try {
    const bulkinsert::Chunk chunk = one.chunk();
    std::vector<bulkinsert::ValueRef> values(chunk.columns());
    chunk.read_row(0, values);  // an invalid date is refused here
    bulkinsert::detail::pg::copy_text_row(out, chunk, 0, values);
  } catch (const bulkinsert::InputError&) {
    check(expect_input_error, "only NUL in text or an invalid date is refused");
    return 0;
  }
  check(!expect_input_error, "NUL in text and invalid dates are refused");
  const auto fields = parse_line(out.view().substr(before));
  check(fields.size() == columns, "one field per column");
  for (std::size_t c = 0; c < columns; ++c) {
    const Kind kind = static_cast<Kind>(row[c].index());
    if (kind == Kind::null_value) {
      check(!fields[c].has_value(), "NULL is \\N");
      continue;
    }
    check(fields[c].has_value(), "a value is never \\N");
    check(fuzz::same(decode(*fields[c], kind), row[c]), "the value reads back exactly");
  }
  return 0;
}
