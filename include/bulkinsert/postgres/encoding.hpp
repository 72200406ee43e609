#pragma once

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "../chunk.hpp"
#include "../detail/text_format.hpp"
#include "../error.hpp"
#include "../value.hpp"

namespace bulkinsert::detail::pg {

/// The built-in type OIDs COPY BINARY can encode (pg_type.dat). Any other column type sends COPY as text.
enum class TypeOid : unsigned {
  boolean = 16, bytea = 17, int8 = 20, int2 = 21, int4 = 23, text = 25, float4 = 700, float8 = 701,
  bpchar = 1042, varchar = 1043, date = 1082, timestamp = 1114, timestamptz = 1184,
};

[[nodiscard]] inline bool binary_encodable(unsigned oid) noexcept {
  switch (static_cast<TypeOid>(oid)) {
    case TypeOid::boolean: case TypeOid::bytea: case TypeOid::int8: case TypeOid::int2: case TypeOid::int4:
    case TypeOid::text: case TypeOid::float4: case TypeOid::float8: case TypeOid::bpchar: case TypeOid::varchar:
    case TypeOid::date: case TypeOid::timestamp: case TypeOid::timestamptz:
      return true;
  }
  return false;
}

/// The value kind that holds a column of this type exactly; text for the rest (numeric, uuid, json, ...),
/// which the server parses itself.
[[nodiscard]] inline Kind kind_of_type(unsigned oid) noexcept {
  switch (static_cast<TypeOid>(oid)) {
    case TypeOid::boolean: return Kind::boolean;
    case TypeOid::bytea: return Kind::bytes;
    case TypeOid::int8: case TypeOid::int2: case TypeOid::int4: return Kind::integer;
    case TypeOid::float4: case TypeOid::float8: return Kind::real;
    case TypeOid::date: return Kind::date;
    case TypeOid::timestamp: case TypeOid::timestamptz: return Kind::timestamp;
    default: return Kind::text;
  }
}

/// A value in PostgreSQL's text output format, decoded for the kinds bulkinsert reads back exactly
/// (integers, reals, booleans, bytea); anything else stays text.
[[nodiscard]] inline Value decode_text(std::string_view text, unsigned oid) {
  switch (kind_of_type(oid)) {
    case Kind::integer: {
      std::int64_t v = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), v).ec == std::errc{}) return v;
      break;
    }
    case Kind::real: {
      if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (text == "Infinity") return std::numeric_limits<double>::infinity();
      if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
      double v = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), v).ec == std::errc{}) return v;
      break;
    }
    case Kind::boolean: return text == "t";
    case Kind::bytes: {
      if (text.size() >= 2 && text.substr(0, 2) == "\\x") {
        auto nibble = [](char ch) { return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10; };
        Bytes b;
        b.reserve((text.size() - 2) / 2);
        for (std::size_t i = 2; i + 1 < text.size(); i += 2)
          b.push_back(static_cast<std::byte>(nibble(text[i]) * 16 + nibble(text[i + 1])));
        return b;
      }
      break;
    }
    default: break;
  }
  return std::string{text};
}

/// PostgreSQL counts timestamps and dates from 2000-01-01, Unix from 1970-01-01: 10,957 days apart.
inline constexpr std::int64_t epoch_shift_days = 10957;
inline constexpr std::int64_t epoch_shift_us = epoch_shift_days * 86'400'000'000LL;

/// Text cannot hold NUL in PostgreSQL (text input, COPY and parameters all stop at it).
inline void check_no_nul(const Chunk& chunk, std::size_t row, std::size_t column, std::string_view s) {
  if (std::memchr(s.data(), 0, s.size()) != nullptr)
    throw InputError(chunk.describe(row, column, "text holds a NUL byte, which PostgreSQL text cannot store"));
}

inline void put_be(std::string& out, std::uint64_t v, int bytes) {
  char b[8];
  for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>(v >> (8 * (bytes - 1 - i)));
  out.append(b, static_cast<std::size_t>(bytes));
}

/// Appends the COPY BINARY header (signature, flags, header extension length).
inline void copy_binary_header(std::string& out) {
  out.append("PGCOPY\n\377\r\n\0", 11);
  put_be(out, 0, 4);
  put_be(out, 0, 4);
}
/// Appends the COPY BINARY trailer (a field count of -1).
inline void copy_binary_trailer(std::string& out) { put_be(out, 0xFFFF, 2); }

/// Appends one row in COPY BINARY format; `types` are the target columns' type OIDs, all binary_encodable.
inline void copy_binary_row(std::string& out, const Chunk& chunk, std::size_t row, const std::vector<unsigned>& types) {
  const std::size_t cols = chunk.columns();
  put_be(out, cols, 2);
  for (std::size_t c = 0; c < cols; ++c) {
    const ValueRef v = chunk.value(row, c);
    const auto type = static_cast<TypeOid>(types[c]);
    auto mismatch = [&]() -> InputError {
      return InputError(chunk.describe(row, c, fmt::format("a {} value does not fit a column of type oid {} in binary COPY",
                                                           kind_name(kind_of(v)), types[c])));
    };
    auto integer = [&](std::int64_t i, int bytes) {
      const std::int64_t lo = bytes == 2 ? std::numeric_limits<std::int16_t>::min()
                            : bytes == 4 ? std::numeric_limits<std::int32_t>::min() : std::numeric_limits<std::int64_t>::min();
      const std::int64_t hi = bytes == 2 ? std::numeric_limits<std::int16_t>::max()
                            : bytes == 4 ? std::numeric_limits<std::int32_t>::max() : std::numeric_limits<std::int64_t>::max();
      if (i < lo || i > hi)
        throw InputError(chunk.describe(row, c, fmt::format("{} is out of range for a {}-byte integer column", i, bytes)));
      put_be(out, static_cast<std::uint64_t>(bytes), 4);
      put_be(out, static_cast<std::uint64_t>(i), bytes);
    };
    switch (kind_of(v)) {
      case Kind::null:
        put_be(out, 0xFFFFFFFF, 4);
        break;
      case Kind::boolean:
        if (type != TypeOid::boolean) throw mismatch();
        put_be(out, 1, 4);
        out += std::get<bool>(v) ? '\1' : '\0';
        break;
      case Kind::integer: {
        const std::int64_t i = std::get<std::int64_t>(v);
        if (type == TypeOid::int2) integer(i, 2);
        else if (type == TypeOid::int4) integer(i, 4);
        else if (type == TypeOid::int8) integer(i, 8);
        // PostgreSQL's own int -> float assignment cast, done here because binary input has no casts.
        else if (type == TypeOid::float8) { put_be(out, 8, 4); put_be(out, std::bit_cast<std::uint64_t>(static_cast<double>(i)), 8); }
        else if (type == TypeOid::float4) { put_be(out, 4, 4); put_be(out, std::bit_cast<std::uint32_t>(static_cast<float>(i)), 4); }
        else throw mismatch();
        break;
      }
      case Kind::real: {
        const double d = std::get<double>(v);
        if (type == TypeOid::float8) { put_be(out, 8, 4); put_be(out, std::bit_cast<std::uint64_t>(d), 8); }
        // Rounding to float4 is what the server does with a float8 for a real column.
        else if (type == TypeOid::float4) { put_be(out, 4, 4); put_be(out, std::bit_cast<std::uint32_t>(static_cast<float>(d)), 4); }
        else throw mismatch();
        break;
      }
      case Kind::text: {
        const auto s = std::get<std::string_view>(v);
        if (type != TypeOid::text && type != TypeOid::varchar && type != TypeOid::bpchar) throw mismatch();
        check_no_nul(chunk, row, c, s);
        put_be(out, s.size(), 4);
        out.append(s);
        break;
      }
      case Kind::bytes: {
        const auto b = std::get<BytesView>(v);
        if (type != TypeOid::bytea) throw mismatch();
        put_be(out, b.size(), 4);
        out.append(reinterpret_cast<const char*>(b.data()), b.size());
        break;
      }
      case Kind::timestamp: {
        if (type != TypeOid::timestamp && type != TypeOid::timestamptz) throw mismatch();
        put_be(out, 8, 4);
        put_be(out, static_cast<std::uint64_t>(std::get<Timestamp>(v).time_since_epoch().count() - epoch_shift_us), 8);
        break;
      }
      case Kind::date: {
        if (type != TypeOid::date) throw mismatch();
        const auto days = std::chrono::sys_days{std::get<Date>(v)}.time_since_epoch().count();
        put_be(out, 4, 4);
        put_be(out, static_cast<std::uint64_t>(days - epoch_shift_days), 4);
        break;
      }
    }
  }
}

/// Appends `s` escaped for COPY text format: backslash, tab, newline and carriage return.
inline void copy_text_escape(std::string& out, std::string_view s) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char* esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : nullptr;
    if (esc == nullptr) continue;
    out.append(s.substr(start, i - start));
    out.append(esc, 2);
    start = i + 1;
  }
  out.append(s.substr(start));
}

/// Appends one row in COPY text format (tab-separated, \N for NULL, newline-terminated).
inline void copy_text_row(std::string& out, const Chunk& chunk, std::size_t row) {
  static constexpr char hex[] = "0123456789abcdef";
  char buf[text_buffer_size];
  for (std::size_t c = 0; c < chunk.columns(); ++c) {
    if (c != 0) out += '\t';
    const ValueRef v = chunk.value(row, c);
    switch (kind_of(v)) {
      case Kind::null: out += "\\N"; break;
      case Kind::boolean: out += std::get<bool>(v) ? 't' : 'f'; break;
      case Kind::integer: out.append(buf, format_int(buf, std::get<std::int64_t>(v))); break;
      case Kind::real: out.append(buf, format_double(buf, std::get<double>(v))); break;
      case Kind::text: {
        const auto s = std::get<std::string_view>(v);
        check_no_nul(chunk, row, c, s);
        copy_text_escape(out, s);
        break;
      }
      case Kind::bytes: {
        // bytea hex input, \x..., with the backslash itself escaped for COPY.
        out += "\\\\x";
        for (const std::byte b : std::get<BytesView>(v)) {
          out += hex[std::to_integer<unsigned>(b) >> 4];
          out += hex[std::to_integer<unsigned>(b) & 0xF];
        }
        break;
      }
      case Kind::timestamp: out.append(buf, format_timestamp(buf, std::get<Timestamp>(v), true)); break;
      case Kind::date: out.append(buf, format_date(buf, std::get<Date>(v))); break;
    }
  }
  out += '\n';
}

/// Parameter arrays for PQexecParams / PQexecPrepared / PQsendQueryPrepared: every value as text except
/// bytes, which go in binary so no escaping is needed. Reused across statements to avoid reallocation.
class Params {
 public:
  /// Encodes rows [0, chunk.size()) of `chunk`, row-major.
  void encode(const Chunk& chunk) { encode_rows(chunk, 0, chunk.size()); }

  /// Encodes rows [first, first + count) of `chunk`.
  void encode_rows(const Chunk& chunk, std::size_t first, std::size_t count) {
    const std::size_t n = count * chunk.columns();
    storage_.clear();
    offsets_.clear();
    lengths_.assign(n, 0);
    formats_.assign(n, 0);
    values_.assign(n, nullptr);
    offsets_.reserve(n);
    char buf[text_buffer_size];
    std::size_t p = 0;
    for (std::size_t r = first; r < first + count; ++r) {
      for (std::size_t c = 0; c < chunk.columns(); ++c, ++p) {
        const ValueRef v = chunk.value(r, c);
        offsets_.push_back(storage_.size());
        switch (kind_of(v)) {
          case Kind::null: offsets_.back() = npos; break;
          case Kind::boolean: storage_ += std::get<bool>(v) ? 't' : 'f'; break;
          case Kind::integer: storage_.append(buf, format_int(buf, std::get<std::int64_t>(v))); break;
          case Kind::real: storage_.append(buf, format_double(buf, std::get<double>(v))); break;
          case Kind::text: {
            const auto s = std::get<std::string_view>(v);
            check_no_nul(chunk, r, c, s);
            storage_.append(s);
            break;
          }
          case Kind::bytes: {
            const auto b = std::get<BytesView>(v);
            storage_.append(reinterpret_cast<const char*>(b.data()), b.size());
            formats_[p] = 1;
            break;
          }
          case Kind::timestamp: storage_.append(buf, format_timestamp(buf, std::get<Timestamp>(v), true)); break;
          case Kind::date: storage_.append(buf, format_date(buf, std::get<Date>(v))); break;
        }
        if (offsets_.back() != npos) lengths_[p] = static_cast<int>(storage_.size() - offsets_.back());
        // Text parameters are read up to their terminator; storage_ grows, so terminators are added here
        // and pointers taken only once every value is in place.
        if (offsets_.back() != npos) storage_ += '\0';
      }
    }
    for (std::size_t i = 0; i < n; ++i)
      if (offsets_[i] != npos) values_[i] = storage_.data() + offsets_[i];
  }

  [[nodiscard]] int count() const noexcept { return static_cast<int>(values_.size()); }
  [[nodiscard]] const char* const* values() const noexcept { return values_.data(); }
  [[nodiscard]] const int* lengths() const noexcept { return lengths_.data(); }
  [[nodiscard]] const int* formats() const noexcept { return formats_.data(); }
  /// Payload bytes, terminators included.
  [[nodiscard]] std::size_t bytes() const noexcept { return storage_.size(); }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::string storage_;
  std::vector<std::size_t> offsets_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

}  // namespace bulkinsert::detail::pg
