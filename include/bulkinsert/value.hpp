#pragma once

#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "error.hpp"

namespace bulkinsert {

/// SQL NULL.
struct Null {
  friend bool operator==(Null, Null) noexcept { return true; }
};
/// SQL NULL, for dynamic rows: `row.push_back(bulkinsert::null)`.
inline constexpr Null null{};

/// Binary data (BLOB on SQLite, bytea on PostgreSQL).
using Bytes = std::vector<std::byte>;
/// A borrowed view of binary data.
using BytesView = std::span<const std::byte>;
/// A UTC instant at microsecond resolution, the finest both databases store.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
/// A calendar date.
using Date = std::chrono::year_month_day;

/// The SQL kinds bulkinsert sends. Integers of every width travel as int64, float and double as double.
/// NULL's enumerator is null_value, not null, which would shadow bulkinsert::null under -Wshadow.
enum class Kind : std::uint8_t { null_value, boolean, integer, real, text, bytes, timestamp, date };

/// A non-owning view of one SQL value. It borrows text and bytes from the row it was read from.
using ValueRef = std::variant<Null, bool, std::int64_t, double, std::string_view, BytesView, Timestamp, Date>;

/// An owning SQL value, the cell type of dynamic rows.
using Value = std::variant<Null, bool, std::int64_t, double, std::string, Bytes, Timestamp, Date>;

/// The kind of a value.
[[nodiscard]] inline Kind kind_of(const ValueRef& v) noexcept { return static_cast<Kind>(v.index()); }

/// A view of an owning value.
[[nodiscard]] inline ValueRef view(const Value& v) noexcept {
  return std::visit([](const auto& x) -> ValueRef {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, std::string>) return std::string_view{x};
    else if constexpr (std::is_same_v<T, Bytes>) return BytesView{x};
    else return x;
  }, v);
}

/// How a C++ type becomes a SQL value. Specialise it for your own types, as fmt's `formatter<T>`:
/// `static ValueRef to_value(const T&)`. The returned view may borrow from the argument.
/// Throw ValueError when the value cannot be represented exactly.
template <class T, class Enable = void>
struct value_traits;

/// A type bulkinsert can send as a SQL value.
template <class T>
concept sql_value = requires(const T& t) {
  { value_traits<std::remove_cvref_t<T>>::to_value(t) } -> std::same_as<ValueRef>;
};

/// Reads any sql_value as a ValueRef.
template <sql_value T>
[[nodiscard]] ValueRef to_value(const T& t) {
  return value_traits<std::remove_cvref_t<T>>::to_value(t);
}

template <>
struct value_traits<Null> {
  static ValueRef to_value(Null) noexcept { return Null{}; }
};
template <>
struct value_traits<std::nullopt_t> {
  static ValueRef to_value(std::nullopt_t) noexcept { return Null{}; }
};
template <>
struct value_traits<bool> {
  static ValueRef to_value(bool b) noexcept { return b; }
};

namespace detail {
// `char` is text in C++ and a number in SQL; refusing it avoids guessing which the caller meant.
template <class T>
concept sql_integer = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                      !std::same_as<T, char8_t> && !std::same_as<T, char16_t> && !std::same_as<T, char32_t> &&
                      !std::same_as<T, wchar_t>;
}  // namespace detail

template <detail::sql_integer T>
struct value_traits<T> {
  static constexpr bool may_overflow = std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t);
  static ValueRef to_value(T v) noexcept(!may_overflow) {
    if constexpr (may_overflow) {
      // Neither database has an unsigned 64-bit type; wrapping would silently change the value.
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max()))
        throw ValueError(fmt::format("unsigned value {} does not fit a signed 64-bit SQL integer", v));
    }
    return static_cast<std::int64_t>(v);
  }
};
template <std::floating_point T>
  requires(sizeof(T) <= sizeof(double))
struct value_traits<T> {
  static ValueRef to_value(T v) noexcept { return static_cast<double>(v); }  // float -> double is exact
};
template <>
struct value_traits<std::string> {
  static ValueRef to_value(const std::string& s) noexcept { return std::string_view{s}; }
};
template <>
struct value_traits<std::string_view> {
  static ValueRef to_value(std::string_view s) noexcept { return s; }
};
template <>
struct value_traits<const char*> {
  static ValueRef to_value(const char* s) noexcept { return s ? ValueRef{std::string_view{s}} : ValueRef{Null{}}; }
};
template <std::size_t N>
struct value_traits<char[N]> {
  static ValueRef to_value(const char (&s)[N]) noexcept { return std::string_view{s, N - 1}; }
};
template <>
struct value_traits<Bytes> {
  static ValueRef to_value(const Bytes& b) noexcept { return BytesView{b}; }
};
template <>
struct value_traits<BytesView> {
  static ValueRef to_value(BytesView b) noexcept { return b; }
};
template <class Duration>
struct value_traits<std::chrono::sys_time<Duration>> {
  static ValueRef to_value(std::chrono::sys_time<Duration> t) noexcept(
      std::is_convertible_v<Duration, std::chrono::microseconds>) {
    using std::chrono::microseconds;
    if constexpr (std::is_convertible_v<Duration, microseconds>) {
      return Timestamp{std::chrono::duration_cast<microseconds>(t.time_since_epoch())};
    } else {
      // system_clock::now() ticks in nanoseconds on Linux; both databases keep microseconds.
      // Rounding is the caller's decision, so a finer instant is refused rather than cut.
      const auto us = std::chrono::floor<microseconds>(t);
      if (us != t)
        throw ValueError(
            "time point has sub-microsecond digits the database cannot store; round it first, "
            "e.g. std::chrono::floor<std::chrono::microseconds>(t)");
      return Timestamp{us};
    }
  }
};
template <>
struct value_traits<Date> {
  static ValueRef to_value(Date d) {
    if (!d.ok()) throw ValueError("invalid calendar date");
    return d;
  }
};
template <>
struct value_traits<Value> {
  static ValueRef to_value(const Value& v) {
    ValueRef r = view(v);
    if (const auto* d = std::get_if<Date>(&r); d && !d->ok()) throw ValueError("invalid calendar date");
    return r;
  }
};
template <>
struct value_traits<ValueRef> {
  static ValueRef to_value(const ValueRef& v) noexcept { return v; }
};
template <sql_value T>
struct value_traits<std::optional<T>> {
  static ValueRef to_value(const std::optional<T>& v) noexcept(noexcept(value_traits<T>::to_value(std::declval<const T&>()))) {
    return v ? bulkinsert::to_value(*v) : ValueRef{Null{}};
  }
};

/// A set of kinds, one bit each.
class KindSet {
 public:
  constexpr KindSet() noexcept = default;
  constexpr KindSet(std::initializer_list<Kind> kinds) noexcept {
    for (const Kind k : kinds) bits_ |= bit(k);
  }
  /// Every kind.
  [[nodiscard]] static constexpr KindSet all() noexcept { return KindSet{0xFF}; }
  [[nodiscard]] constexpr bool contains(Kind k) const noexcept { return (bits_ & bit(k)) != 0; }
  [[nodiscard]] friend constexpr KindSet operator|(KindSet a, KindSet b) noexcept {
    return KindSet{static_cast<std::uint8_t>(a.bits_ | b.bits_)};
  }
  friend constexpr bool operator==(KindSet, KindSet) noexcept = default;

 private:
  constexpr explicit KindSet(std::uint8_t bits) noexcept : bits_(bits) {}
  static constexpr std::uint8_t bit(Kind k) noexcept { return static_cast<std::uint8_t>(1U << static_cast<unsigned>(k)); }
  std::uint8_t bits_ = 0;
};

/// What a column's C++ type says of its values before any is read. A backend uses it to skip checks
/// that cannot fail: a column of std::string never holds NaN, nor throws while it is read.
struct ValueDomain {
  KindSet kinds = KindSet::all();  ///< the kinds its values can take
  bool may_throw = true;           ///< reading a value can throw (ValueError: it cannot be represented)
  friend constexpr bool operator==(const ValueDomain&, const ValueDomain&) noexcept = default;
};

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_sys_time : std::false_type {};
template <class Duration>
struct is_sys_time<std::chrono::sys_time<Duration>> : std::true_type {};

/// The kinds value_traits<T> produces; every kind for a type whose traits bulkinsert does not know.
template <class T>
constexpr KindSet kinds_of() noexcept {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, Null> || std::is_same_v<U, std::nullopt_t>) return {Kind::null_value};
  else if constexpr (std::is_same_v<U, bool>) return {Kind::boolean};
  else if constexpr (sql_integer<U>) return {Kind::integer};
  else if constexpr (std::is_floating_point_v<U>) return {Kind::real};
  else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view> || std::is_array_v<U>) return {Kind::text};
  else if constexpr (std::is_same_v<U, const char*>) return {Kind::text, Kind::null_value};
  else if constexpr (std::is_same_v<U, Bytes> || std::is_same_v<U, BytesView>) return {Kind::bytes};
  else if constexpr (is_sys_time<U>::value) return {Kind::timestamp};
  else if constexpr (std::is_same_v<U, Date>) return {Kind::date};
  else if constexpr (is_optional<U>::value) return kinds_of<typename U::value_type>() | KindSet{Kind::null_value};
  else return KindSet::all();
}
}  // namespace detail

/// The ValueDomain of a sql_value type: its kinds, and whether its value_traits may throw (it is not noexcept).
template <sql_value T>
[[nodiscard]] constexpr ValueDomain domain_of() noexcept {
  using U = std::remove_cvref_t<T>;
  return {detail::kinds_of<U>(), !noexcept(value_traits<U>::to_value(std::declval<const U&>()))};
}

/// A short name of a kind, for messages.
[[nodiscard]] constexpr std::string_view kind_name(Kind k) noexcept {
  constexpr std::string_view names[] = {"null", "boolean", "integer", "real", "text", "bytes", "timestamp", "date"};
  return names[static_cast<std::size_t>(k)];
}

}  // namespace bulkinsert
