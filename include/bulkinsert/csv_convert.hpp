#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "catalog.hpp"
#include "value.hpp"

namespace bulkinsert {

// Text to value: how one CSV field becomes the value of its column's kind, strictly, or why it cannot.

namespace detail::csv {

/// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). Returns the offset of the
/// first bad byte, or npos.
inline std::size_t invalid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII runs, eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;  // no UTF-16 surrogates
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;  // nothing above U+10FFFF
    else return i;
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string_view::npos;
}

/// ASCII case-insensitive equality.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}


/// Reads exactly `n` digits at s[pos]; false if any is not a digit.
inline bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

inline bool parse_date(std::string_view s, Date& out) noexcept {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) ||
      !digits(s, 8, 2, d))
    return false;
  out = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} / std::chrono::day{static_cast<unsigned>(d)};
  return out.ok();
}

/// "YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|(+|-)HH[[:]MM]]", read as UTC unless an offset is given.
inline bool parse_timestamp(std::string_view s, Timestamp& out) noexcept {
  using namespace std::chrono;
  Date date;
  if (s.size() < 10 || !parse_date(s.substr(0, 10), date)) return false;
  microseconds t{0};
  std::size_t p = 10;
  if (p < s.size()) {
    if (s[p] != ' ' && s[p] != 'T' && s[p] != 't') return false;
    int hh, mm, ss = 0;
    if (!digits(s, p + 1, 2, hh) || p + 3 >= s.size() || s[p + 3] != ':' || !digits(s, p + 4, 2, mm)) return false;
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, ss)) return false;
      p += 3;
    }
    if (hh > 23 || mm > 59 || ss > 59) return false;  // PostgreSQL also refuses leap second 60 here
    t = hours{hh} + minutes{mm} + seconds{ss};
    if (p < s.size() && s[p] == '.') {
      ++p;
      std::int64_t frac = 0;
      std::size_t n = 0;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (++n > 6) return false;  // finer than a microsecond: refuse rather than round
        frac = frac * 10 + (s[p] - '0');
        ++p;
      }
      if (n == 0) return false;
      for (; n < 6; ++n) frac *= 10;
      t += microseconds{frac};
    }
    if (p < s.size()) {
      if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) {
        p = s.size();
      } else if (s[p] == '+' || s[p] == '-') {
        const int sign = s[p] == '-' ? -1 : 1;
        int oh, om = 0;
        if (!digits(s, p + 1, 2, oh)) return false;
        p += 3;
        if (p < s.size()) {
          if (s[p] == ':') ++p;
          if (!digits(s, p, 2, om) || p + 2 != s.size()) return false;
          p += 2;
        }
        if (oh > 15 || om > 59) return false;
        t -= sign * (hours{oh} + minutes{om});
      } else {
        return false;
      }
    }
  }
  out = Timestamp{sys_days{date}.time_since_epoch()} + t;
  return true;
}

inline bool parse_integer(std::string_view s, std::int64_t& out, bool& overflow) noexcept {
  overflow = false;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range && end == s.data() + s.size()) {
    overflow = true;
    return false;
  }
  return ec == std::errc{} && end == s.data() + s.size();
}

/// A decimal or exponent number, or NaN / [+-]Infinity / [+-]inf (any case), as PostgreSQL spells them.
inline bool parse_real(std::string_view s, double& out, bool& overflow) noexcept {
  overflow = false;
  std::string_view body = s;
  double sign = 1;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (iequals(body, "infinity") || iequals(body, "inf")) {
    out = sign * std::numeric_limits<double>::infinity();
    return true;
  }
  if (iequals(s, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (body.empty() || !(std::isdigit(static_cast<unsigned char>(body[0])) || body[0] == '.')) return false;
  if (s[0] == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (end != s.data() + s.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    overflow = true;
    return false;
  }
  return ec == std::errc{};
}

inline bool parse_boolean(std::string_view s, bool& out) noexcept {
  for (const std::string_view t : {"t", "true", "1", "yes", "y", "on"})
    if (iequals(s, t)) return out = true, true;
  for (const std::string_view f : {"f", "false", "0", "no", "n", "off"})
    if (iequals(s, f)) return out = false, true;
  return false;
}

/// PostgreSQL's hex bytea form: "\x" then pairs of hex digits.
inline bool parse_bytes(std::string_view s, Bytes& out) {
  if (s.size() < 2 || s[0] != '\\' || (s[1] != 'x' && s[1] != 'X') || s.size() % 2 != 0) return false;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  out.reserve((s.size() - 2) / 2);
  for (std::size_t i = 2; i < s.size(); i += 2) {
    const int a = hex(s[i]), b = hex(s[i + 1]);
    if (a < 0 || b < 0) return false;
    out.push_back(static_cast<std::byte>(a * 16 + b));
  }
  return true;
}

/// `text` quoted for a message: at most 60 bytes, control and non-ASCII bytes escaped.
inline std::string shown(std::string_view text) {
  std::string out = "\"";
  const std::size_t n = std::min<std::size_t>(text.size(), 60);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') out += fmt::format("\\{}", static_cast<char>(c));
    else if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  out += '"';
  if (text.size() > n) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

/// Converts one field to the column's kind. Returns an empty string on success, else why it failed.
inline std::string convert(std::string_view text, const ColumnInfo& column, Value& out) {
  switch (column.kind) {
    case Kind::integer: {
      std::int64_t v;
      bool overflow;
      if (!parse_integer(text, v, overflow))
        return overflow ? fmt::format("{} is out of range for a 64-bit integer", shown(text))
                        : fmt::format("{} is not an integer", shown(text));
      if (v < column.integer_min || v > column.integer_max) return fmt::format("{} is out of range for type {}", shown(text), column.type);
      out = v;
      return {};
    }
    case Kind::real: {
      double v;
      bool overflow;
      if (!parse_real(text, v, overflow))
        return overflow ? fmt::format("{} is out of range for a double", shown(text))
                        : fmt::format("{} is not a number", shown(text));
      if (std::isnan(v) && !column.stores_nan)
        return fmt::format("{}: NaN cannot be stored in this database (it would become NULL)", shown(text));
      // A 4-byte float: a finite value beyond its range would become infinity.
      if (std::isfinite(v) && std::fabs(v) > column.real_max)
        return fmt::format("{} is out of range for type {}", shown(text), column.type);
      out = v;
      return {};
    }
    case Kind::boolean: {
      bool v;
      if (!parse_boolean(text, v)) return fmt::format("{} is not a boolean (true/false, t/f, yes/no, 1/0)", shown(text));
      out = v;
      return {};
    }
    case Kind::timestamp: {
      Timestamp v;
      if (!parse_timestamp(text, v))
        return fmt::format("{} is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][Z|+HH:MM])", shown(text));
      out = v;
      return {};
    }
    case Kind::date: {
      Date v;
      if (!parse_date(text, v)) return fmt::format("{} is not a date (YYYY-MM-DD)", shown(text));
      out = v;
      return {};
    }
    case Kind::bytes: {
      Bytes v;
      if (!parse_bytes(text, v)) return fmt::format("{} is not bytes in hex form (\\x0123abcd)", shown(text));
      out = std::move(v);
      return {};
    }
    case Kind::null_value:
    case Kind::text:
      break;
  }
  if (const std::size_t bad = invalid_utf8(text); bad != std::string_view::npos)
    return fmt::format("invalid UTF-8 at byte {} of {}", bad + 1, shown(text));
  out = std::string{text};
  return {};
}

}  // namespace detail::csv

}  // namespace bulkinsert
