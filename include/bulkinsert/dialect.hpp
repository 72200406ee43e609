#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "error.hpp"

namespace bulkinsert {

namespace detail {
// Both dialects quote with double quotes and double any embedded quote (SQL standard);
// NUL cannot be escaped in either, and an empty name is not a name.
inline void append_quoted(std::string& out, std::string_view name, std::string_view what) {
  if (name.empty()) throw InputError(fmt::format("{} name is empty", what));
  if (name.find('\0') != std::string_view::npos)
    throw InputError(fmt::format("{} name \"{}\" contains a NUL byte, which no SQL identifier can hold", what,
                                 name.substr(0, name.find('\0'))));
  out += '"';
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}
}  // namespace detail

/// PostgreSQL: "quoted" identifiers of at most 63 bytes, $1..$n placeholders.
struct PostgresDialect {
  static constexpr std::string_view name = "postgres";
  /// NAMEDATALEN - 1: PostgreSQL silently truncates longer identifiers, so we refuse them.
  static constexpr std::size_t max_identifier_bytes = 63;

  /// Appends `identifier` quoted; throws InputError for an empty, NUL-holding or over-long name.
  static void quote(std::string& out, std::string_view identifier, std::string_view what = "identifier") {
    if (identifier.size() > max_identifier_bytes)
      throw InputError(fmt::format("{} name \"{}\" is {} bytes; PostgreSQL truncates names longer than {} bytes",
                                   what, identifier, identifier.size(), max_identifier_bytes));
    detail::append_quoted(out, identifier, what);
  }
  /// Appends the placeholder for 1-based parameter `n`.
  static void placeholder(std::string& out, std::size_t n) { fmt::format_to(std::back_inserter(out), "${}", n); }
};

/// SQLite: "quoted" identifiers of any length, anonymous ? placeholders numbered by position.
struct SqliteDialect {
  static constexpr std::string_view name = "sqlite";
  static void quote(std::string& out, std::string_view identifier, std::string_view what = "identifier") {
    detail::append_quoted(out, identifier, what);
  }
  static void placeholder(std::string& out, std::size_t /*n*/) { out += '?'; }
};

/// A dialect: how identifiers are quoted and parameters named.
template <class D>
concept dialect = requires(std::string& out, std::string_view id, std::size_t n) {
  { D::name } -> std::convertible_to<std::string_view>;
  D::quote(out, id, id);
  D::placeholder(out, n);
};

/// `identifier` quoted for dialect D.
template <dialect D>
[[nodiscard]] std::string quote_identifier(std::string_view identifier) {
  std::string out;
  D::quote(out, identifier);
  return out;
}

}  // namespace bulkinsert
