#pragma once

#include <bit>
#include <type_traits>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "../catalog.hpp"
#include "../chunk.hpp"
#include "../detail/byte_buffer.hpp"
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

/// Fills in what the column's type says of its values: the range of smallint and integer, float4's
/// largest finite magnitude (a larger finite double would become infinity), NaN stored by both floats.
inline void add_value_facts(ColumnInfo& c) noexcept {
  switch (static_cast<TypeOid>(c.type_id)) {
    case TypeOid::int2:
      c.integer_min = std::numeric_limits<std::int16_t>::min();
      c.integer_max = std::numeric_limits<std::int16_t>::max();
      break;
    case TypeOid::int4:
      c.integer_min = std::numeric_limits<std::int32_t>::min();
      c.integer_max = std::numeric_limits<std::int32_t>::max();
      break;
    case TypeOid::float4: c.real_max = std::numeric_limits<float>::max(); break;
    default: break;
  }
  c.stores_nan = true;
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

/// Whether `s` holds a NUL byte. Most text columns are short, where memchr's call and dispatch cost
/// more than the search: up to 64 bytes are checked a word at a time, inline. (Encoding 100,000
/// light-schema rows for COPY: 1.80 ms this way, 2.19 ms with memchr for every string.)
[[nodiscard]] inline bool has_nul(std::string_view s) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n > 64) return std::memchr(p, 0, n) != nullptr;
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i)
      if (p[i] == '\0') return true;
    return false;
  }
  // A word holds a zero byte exactly when this is non-zero (the classic "haszero" bit trick).
  auto zero_byte_in = [](std::uint64_t w) { return ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0; };
  std::uint64_t w;
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    std::memcpy(&w, p + i, 8);
    if (zero_byte_in(w)) return true;
  }
  std::memcpy(&w, p + n - 8, 8);  // the last 8 bytes, overlapping what the loop read
  return zero_byte_in(w);
}

/// Throws InputError naming input row `row` (of `chunk`) and `column`. Out of line and cold: the
/// encoders are inlined into their row loops, and the message formatting stays out of that code.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_bad_value(const Chunk& chunk, std::size_t row,
                                                                   std::size_t column, const std::string& what) {
  throw InputError(chunk.describe(row, column, what));
}

[[noreturn, gnu::cold, gnu::noinline]] inline void throw_out_of_range(const Chunk& chunk, std::size_t row,
                                                                      std::size_t column, std::int64_t i, int bytes) {
  throw_bad_value(chunk, row, column, fmt::format("{} is out of range for a {}-byte integer column", i, bytes));
}

/// Text cannot hold NUL in PostgreSQL (text input, COPY and parameters all stop at it).
inline void check_no_nul(const Chunk& chunk, std::size_t row, std::size_t column, std::string_view s) {
  if (has_nul(s)) [[unlikely]]
    throw_bad_value(chunk, row, column, "text holds a NUL byte, which PostgreSQL text cannot store");
}

/// Stores `v` at `p` in network byte order, as every binary field of the protocol is; returns the end.
template <class T>
inline char* store_be(char* p, T v) noexcept {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  auto u = static_cast<U>(v);
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(U) == 2) u = __builtin_bswap16(u);
    else if constexpr (sizeof(U) == 4) u = __builtin_bswap32(u);
    else if constexpr (sizeof(U) == 8) u = __builtin_bswap64(u);
  }
  std::memcpy(p, &u, sizeof u);
  return p + sizeof u;
}

/// Copies `n` bytes to `p`; returns the end. Text of 8 to 32 bytes (most names, emails, codes) moves as
/// two overlapping loads and stores, without a call to memcpy.
inline char* store_bytes(char* p, const char* s, std::size_t n) noexcept {
  if (n >= 8 && n <= 16) {
    std::uint64_t head, tail;
    std::memcpy(&head, s, 8);
    std::memcpy(&tail, s + n - 8, 8);
    std::memcpy(p, &head, 8);
    std::memcpy(p + n - 8, &tail, 8);
  } else if (n > 16 && n <= 32) {
    char head[16], tail[16];
    std::memcpy(head, s, 16);
    std::memcpy(tail, s + n - 16, 16);
    std::memcpy(p, head, 16);
    std::memcpy(p + n - 16, tail, 16);
  } else if (n != 0) {
    std::memcpy(p, s, n);
  }
  return p + n;
}

/// The COPY BINARY header (signature, flags, header extension length) and trailer (a field count of -1).
inline void copy_binary_header(ByteBuffer& out) {
  char* p = out.room(19);
  std::memcpy(p, "PGCOPY\n\377\r\n\0", 11);
  p = store_be(p + 11, std::uint32_t{0});
  out.commit(store_be(p, std::uint32_t{0}));
}
inline void copy_binary_trailer(ByteBuffer& out) { out.commit(store_be(out.room(2), std::int16_t{-1})); }

/// The most bytes write_binary stores for `v`: the text or bytes themselves; 8 for any other kind.
[[nodiscard]] inline std::size_t binary_size_bound(const ValueRef& v) noexcept {
  if (const auto* t = std::get_if<std::string_view>(&v)) return t->size();
  if (const auto* b = std::get_if<BytesView>(&v)) return b->size();
  return 8;
}

/// Stores the binary send format of non-null `v` for a column of built-in type `type` at `p`, which has
/// room for binary_size_bound(v) bytes, without a length word: the one binary encoder, shared by COPY
/// and parameters. Returns the end, or null, storing nothing, when the value's kind has no binary form
/// for that type (text for a date column, an integer for a boolean); the caller then sends the value as
/// text, for the server to parse as it would from any other strategy. Throws InputError naming the row
/// and column for an integer out of the column's range, a timestamp the server cannot store, or text
/// holding NUL. Forced inline: GCC kept it a call, and inlining it into copy_binary_row took encoding
/// 100,000 light-schema rows from 2.35 to 1.80 ms.
[[nodiscard, gnu::always_inline]] inline char* write_binary(char* p, const Chunk& chunk, std::size_t row, std::size_t column,
                                        const ValueRef& v, TypeOid type) {
  switch (kind_of(v)) {
    case Kind::null_value: return nullptr;
    case Kind::boolean:
      if (type != TypeOid::boolean) return nullptr;
      *p = *std::get_if<bool>(&v) ? '\1' : '\0';
      return p + 1;
    case Kind::integer: {
      const std::int64_t i = *std::get_if<std::int64_t>(&v);
      // A lambda, not two direct calls: calling throw_out_of_range at both sites measured 6% slower
      // (1.92 against 1.80 ms per 100,000 light rows; GCC 12 laid the loop out differently).
      auto out_of_range = [&](int bytes) { throw_out_of_range(chunk, row, column, i, bytes); };
      switch (type) {
        case TypeOid::int2:
          if (i < std::numeric_limits<std::int16_t>::min() || i > std::numeric_limits<std::int16_t>::max()) [[unlikely]]
            out_of_range(2);
          return store_be(p, static_cast<std::int16_t>(i));
        case TypeOid::int4:
          if (i < std::numeric_limits<std::int32_t>::min() || i > std::numeric_limits<std::int32_t>::max()) [[unlikely]]
            out_of_range(4);
          return store_be(p, static_cast<std::int32_t>(i));
        case TypeOid::int8: return store_be(p, i);
        // PostgreSQL's own int -> float assignment cast, done here because binary input has no casts.
        case TypeOid::float8: return store_be(p, std::bit_cast<std::uint64_t>(static_cast<double>(i)));
        case TypeOid::float4: return store_be(p, std::bit_cast<std::uint32_t>(static_cast<float>(i)));
        default: return nullptr;
      }
    }
    case Kind::real: {
      const double d = *std::get_if<double>(&v);
      if (type == TypeOid::float8) return store_be(p, std::bit_cast<std::uint64_t>(d));
      // Rounding to float4 is what the server does with a float8 for a real column.
      if (type == TypeOid::float4) return store_be(p, std::bit_cast<std::uint32_t>(static_cast<float>(d)));
      return nullptr;
    }
    case Kind::text: {
      const std::string_view t = *std::get_if<std::string_view>(&v);
      if (type != TypeOid::text && type != TypeOid::varchar && type != TypeOid::bpchar) return nullptr;
      check_no_nul(chunk, row, column, t);
      return store_bytes(p, t.data(), t.size());
    }
    case Kind::bytes: {
      const BytesView b = *std::get_if<BytesView>(&v);
      if (type != TypeOid::bytea) return nullptr;
      return store_bytes(p, reinterpret_cast<const char*>(b.data()), b.size());
    }
    case Kind::timestamp: {
      if (type != TypeOid::timestamp && type != TypeOid::timestamptz) return nullptr;
      const std::int64_t us = std::get_if<Timestamp>(&v)->time_since_epoch().count();
      // MIN_TIMESTAMP (datatype/timestamp.h), 4714-11-24 BC: the server refuses anything earlier, and
      // far enough earlier `us - epoch_shift_us` overflows int64.
      if (us < -211'813'488'000'000'000LL + epoch_shift_us) [[unlikely]]
        throw_bad_value(chunk, row, column, "timestamp is before 4714-11-24 BC, the earliest PostgreSQL stores");
      return store_be(p, us - epoch_shift_us);
    }
    case Kind::date: {
      if (type != TypeOid::date) return nullptr;
      const auto days = std::chrono::sys_days{*std::get_if<Date>(&v)}.time_since_epoch().count();
      return store_be(p, static_cast<std::int32_t>(days - epoch_shift_days));
    }
  }
  return nullptr;
}

/// write_binary appending to `out`: true if it did, false (appending nothing) if `v` has no binary
/// form for `type`. For parameters, one value at a time.
[[nodiscard]] inline bool append_binary(std::string& out, const Chunk& chunk, std::size_t row, std::size_t column,
                                        const ValueRef& v, TypeOid type) {
  const std::size_t at = out.size();
  out.resize(at + binary_size_bound(v));
  const char* end = write_binary(out.data() + at, chunk, row, column, v, type);
  out.resize(end != nullptr ? static_cast<std::size_t>(end - out.data()) : at);
  return end != nullptr;
}

/// Appends row `row` of `chunk`, whose values are `values` (as Chunk::for_each_row reads them), in COPY BINARY
/// format; `types` are the target columns' type OIDs, all binary_encodable. Returns false as soon as a
/// value has no binary form for its column (the chunk must then go as text); the row is then not appended.
[[nodiscard]] inline bool copy_binary_row(ByteBuffer& out, const Chunk& chunk, std::size_t row,
                                          std::span<const ValueRef> values, const std::vector<unsigned>& types) {
  const std::size_t cols = chunk.columns();
  // One capacity check for the whole row: a field count, then a length word and the value per column.
  std::size_t need = 2;
  for (std::size_t c = 0; c < cols; ++c) need += 4 + binary_size_bound(values[c]);
  char* p = store_be(out.room(need), static_cast<std::int16_t>(cols));
  for (std::size_t c = 0; c < cols; ++c) {
    const ValueRef& v = values[c];
    if (kind_of(v) == Kind::null_value) {
      p = store_be(p, std::int32_t{-1});
      continue;
    }
    char* const length = p;
    p = write_binary(p + 4, chunk, row, c, v, static_cast<TypeOid>(types[c]));
    if (p == nullptr) return false;
    store_be(length, static_cast<std::int32_t>(p - length - 4));
  }
  out.commit(p);
  return true;
}

/// Appends `s` escaped for COPY text format: backslash, tab, newline and carriage return.
inline void copy_text_escape(ByteBuffer& out, std::string_view s) {
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

/// Appends row `row` of `chunk`, whose values are `values`, in COPY text format (tab-separated, \N for
/// NULL, newline-terminated).
inline void copy_text_row(ByteBuffer& out, const Chunk& chunk, std::size_t row, std::span<const ValueRef> values) {
  static constexpr char hex[] = "0123456789abcdef";
  char buf[text_buffer_size];
  for (std::size_t c = 0; c < chunk.columns(); ++c) {
    if (c != 0) out += '\t';
    const ValueRef& v = values[c];
    switch (kind_of(v)) {
      case Kind::null_value: out += "\\N"; break;
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

/// Parameter arrays for PQexecParams / PQexecPrepared / PQsendQueryPrepared. With the target columns'
/// types known, every value of a built-in type goes in binary (no formatting, and text is passed from
/// the row itself, uncopied); otherwise values go as text, which the server parses for the column, and
/// bytes in binary. Buffers are reused across statements.
class Params {
 public:
  /// Encodes rows [first, first + count) of `chunk`, row-major. `types`, when not null and as long as
  /// the column list, are the target columns' type OIDs.
  void encode(const Chunk& chunk, const std::vector<unsigned>* types, std::size_t first, std::size_t count) {
    const std::size_t cols = chunk.columns();
    const std::size_t n = count * cols;
    const bool typed = types != nullptr && types->size() == cols;
    storage_.clear();
    offsets_.assign(n, direct);
    lengths_.assign(n, 0);
    formats_.assign(n, 0);
    values_.assign(n, nullptr);
    char buf[text_buffer_size];
    std::size_t p = 0;
    chunk.for_each_row(first, count, rows_, [&](std::size_t r, std::span<const ValueRef> row) {
      for (std::size_t c = 0; c < cols; ++c, ++p) {
        const ValueRef& v = row[c];
        const Kind kind = kind_of(v);
        if (kind == Kind::null_value) continue;  // a null pointer is NULL
        const std::size_t at = storage_.size();
        const auto type = typed ? static_cast<TypeOid>((*types)[c]) : TypeOid{};
        if (typed && kind == Kind::text && (type == TypeOid::text || type == TypeOid::varchar || type == TypeOid::bpchar)) {
          // Binary text is the bytes themselves: point at the row's own string.
          const auto s = std::get<std::string_view>(v);
          check_no_nul(chunk, r, c, s);
          formats_[p] = 1;
          values_[p] = s.empty() ? "" : s.data();
          lengths_[p] = static_cast<int>(s.size());
          continue;
        }
        if (typed && binary_encodable((*types)[c]) && append_binary(storage_, chunk, r, c, v, type)) {
          formats_[p] = 1;
        } else {
          switch (kind) {
            case Kind::null_value: break;
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
          // Text parameters are read up to a terminator.
          if (formats_[p] == 0) storage_ += '\0';
        }
        offsets_[p] = at;
        lengths_[p] = static_cast<int>(storage_.size() - at - (formats_[p] == 0 ? 1 : 0));
      }
    });
    // storage_ has stopped growing: offsets become pointers.
    for (std::size_t i = 0; i < n; ++i)
      if (offsets_[i] != direct) values_[i] = storage_.data() + offsets_[i];
    bytes_ = storage_.size();
    for (std::size_t i = 0; i < n; ++i)
      if (offsets_[i] == direct) bytes_ += static_cast<std::size_t>(lengths_[i]);
  }

  [[nodiscard]] int count() const noexcept { return static_cast<int>(values_.size()); }
  [[nodiscard]] const char* const* values() const noexcept { return values_.data(); }
  [[nodiscard]] const int* lengths() const noexcept { return lengths_.data(); }
  [[nodiscard]] const int* formats() const noexcept { return formats_.data(); }
  /// Payload bytes handed to libpq.
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

 private:
  static constexpr std::size_t direct = static_cast<std::size_t>(-1);  // not in storage_: null, or the row's own bytes
  std::string storage_;
  std::vector<std::size_t> offsets_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<ValueRef> rows_;  // a batch of the chunk's rows, read to be encoded
  std::size_t bytes_ = 0;
};

}  // namespace bulkinsert::detail::pg
