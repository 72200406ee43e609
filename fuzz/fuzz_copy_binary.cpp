// COPY binary encoder: a row of fuzz-made values and column types, encoded by copy_binary_row, decoded
// by the small COPY BINARY field reader below (PostgreSQL's *_recv functions), must give back every
// value exactly, as the column type holds it. The encoder must refuse (return false) a value with no
// binary form for its column, throw InputError for NUL in text, an integer out of the column's range,
// an invalid date or an instant before PostgreSQL's first; nothing else.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
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
using bulkinsert::detail::pg::TypeOid;
using fuzz::check;

constexpr std::array<TypeOid, 13> all_types = {
    TypeOid::boolean, TypeOid::bytea, TypeOid::int8, TypeOid::int2, TypeOid::int4, TypeOid::text, TypeOid::float4,
    TypeOid::float8, TypeOid::bpchar, TypeOid::varchar, TypeOid::date, TypeOid::timestamp, TypeOid::timestamptz};

/// A column type that holds `kind` (sometimes any type at all, to reach the refusals).
TypeOid type_for(Kind kind, test::ByteSource& in) {
  const auto pick = in.u8();
  if (pick >= 224 || kind == Kind::null_value) return all_types[pick % all_types.size()];
  switch (kind) {
    case Kind::boolean: return TypeOid::boolean;
    case Kind::integer: return std::array{TypeOid::int8, TypeOid::int4, TypeOid::int2, TypeOid::float8, TypeOid::float4}[pick % 5];
    case Kind::real: return pick % 2 ? TypeOid::float8 : TypeOid::float4;
    case Kind::text: return std::array{TypeOid::text, TypeOid::varchar, TypeOid::bpchar}[pick % 3];
    case Kind::bytes: return TypeOid::bytea;
    case Kind::timestamp: return pick % 2 ? TypeOid::timestamp : TypeOid::timestamptz;
    case Kind::date: return TypeOid::date;
    case Kind::null_value: break;
  }
  return TypeOid::text;
}

enum class Outcome { ok, no_binary_form, input_error };

/// What the encoder must do with `v` in a column of type `t`.
Outcome expected(const Value& v, TypeOid t) {
  const auto kind = static_cast<Kind>(v.index());
  switch (kind) {
    case Kind::null_value: return Outcome::ok;
    case Kind::boolean: return t == TypeOid::boolean ? Outcome::ok : Outcome::no_binary_form;
    case Kind::integer: {
      const std::int64_t i = std::get<std::int64_t>(v);
      if (t == TypeOid::int2) return i >= -32768 && i <= 32767 ? Outcome::ok : Outcome::input_error;
      if (t == TypeOid::int4) return i >= -2147483648LL && i <= 2147483647LL ? Outcome::ok : Outcome::input_error;
      return t == TypeOid::int8 || t == TypeOid::float8 || t == TypeOid::float4 ? Outcome::ok : Outcome::no_binary_form;
    }
    case Kind::real: return t == TypeOid::float8 || t == TypeOid::float4 ? Outcome::ok : Outcome::no_binary_form;
    case Kind::text:
      if (t != TypeOid::text && t != TypeOid::varchar && t != TypeOid::bpchar) return Outcome::no_binary_form;
      return std::get<std::string>(v).find('\0') == std::string::npos ? Outcome::ok : Outcome::input_error;
    case Kind::bytes: return t == TypeOid::bytea ? Outcome::ok : Outcome::no_binary_form;
    case Kind::timestamp:
      if (t != TypeOid::timestamp && t != TypeOid::timestamptz) return Outcome::no_binary_form;
      return std::get<bulkinsert::Timestamp>(v).time_since_epoch().count() >= test::pg_min_timestamp_us
                 ? Outcome::ok
                 : Outcome::input_error;
    case Kind::date: return t == TypeOid::date ? Outcome::ok : Outcome::no_binary_form;
  }
  return Outcome::no_binary_form;
}

/// Reads big-endian fields, as the protocol writes them.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  template <class T>
  T get() {
    check(s_.size() >= sizeof(T), "a field is as long as it says");
    std::make_unsigned_t<T> u = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) u = static_cast<decltype(u)>(u << 8 | static_cast<unsigned char>(s_[i]));
    s_.remove_prefix(sizeof(T));
    return static_cast<T>(u);
  }
  std::string_view bytes(std::size_t n) {
    check(s_.size() >= n, "a field is as long as it says");
    const auto b = s_.substr(0, n);
    s_.remove_prefix(n);
    return b;
  }
  [[nodiscard]] bool done() const { return s_.empty(); }

 private:
  std::string_view s_;
};

/// The value a field of type `t` holds, as the original `v` is expected to become in that column.
void check_field(std::string_view field, const Value& v, TypeOid t) {
  Reader r{field};
  auto exact_size = [&](std::size_t n) { check(field.size() == n, "a fixed-size field has its size"); };
  switch (t) {
    case TypeOid::boolean:
      exact_size(1);
      check(field[0] == (std::get<bool>(v) ? '\1' : '\0'), "a boolean is one byte, 0 or 1");
      return;
    case TypeOid::int2: exact_size(2); check(r.get<std::int16_t>() == std::get<std::int64_t>(v), "int2 reads back"); return;
    case TypeOid::int4: exact_size(4); check(r.get<std::int32_t>() == std::get<std::int64_t>(v), "int4 reads back"); return;
    case TypeOid::int8: exact_size(8); check(r.get<std::int64_t>() == std::get<std::int64_t>(v), "int8 reads back"); return;
    case TypeOid::float8: {
      exact_size(8);
      const double want = v.index() == 2 ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v);
      check(r.get<std::uint64_t>() == std::bit_cast<std::uint64_t>(want), "float8 is the double's bits");
      return;
    }
    case TypeOid::float4: {
      exact_size(4);
      const float want = v.index() == 2 ? static_cast<float>(std::get<std::int64_t>(v)) : static_cast<float>(std::get<double>(v));
      check(r.get<std::uint32_t>() == std::bit_cast<std::uint32_t>(want), "float4 is the rounded float's bits");
      return;
    }
    case TypeOid::text: case TypeOid::varchar: case TypeOid::bpchar:
      check(field == std::get<std::string>(v), "text is its bytes");
      return;
    case TypeOid::bytea: {
      const auto& b = std::get<bulkinsert::Bytes>(v);
      check(field.size() == b.size() && (b.empty() || std::memcmp(field.data(), b.data(), b.size()) == 0), "bytea is its bytes");
      return;
    }
    case TypeOid::timestamp: case TypeOid::timestamptz: {
      exact_size(8);
      // Microseconds since 2000-01-01 (timestamp_recv); back to 1970 without overflow.
      std::int64_t us = 0;
      check(!__builtin_add_overflow(r.get<std::int64_t>(), 946684800000000LL, &us), "timestamp in range");
      check(us == std::get<bulkinsert::Timestamp>(v).time_since_epoch().count(), "timestamp reads back");
      return;
    }
    case TypeOid::date:
      exact_size(4);
      check(r.get<std::int32_t>() + std::int64_t{10957} == fuzz::days_of(std::get<bulkinsert::Date>(v)), "date reads back");
      return;
  }
  fuzz::fail("unknown type");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  test::ByteSource in{{data, size}};
  test::ValueMaker make{in, test::ValueLimits{}};
  const std::size_t columns = 1 + in.below(8);
  bulkinsert::DynamicRow row;
  std::vector<unsigned> types;
  Outcome want = Outcome::ok;
  bool invalid_date = false;
  for (std::size_t c = 0; c < columns; ++c) {
    const Value v = make.value(make.kind());
    const TypeOid t = type_for(static_cast<Kind>(v.index()), in);
    if (want == Outcome::ok) want = expected(v, t);  // the first column that fails to encode decides
    // ... but the whole row is read before it is encoded, and reading refuses an invalid date.
    if (const auto* d = std::get_if<bulkinsert::Date>(&v); d && !d->ok()) invalid_date = true;
    row.push_back(v);
    types.push_back(static_cast<unsigned>(t));
  }
  if (invalid_date) want = Outcome::input_error;
  fuzz::OneRow one{row};
  bulkinsert::detail::ByteBuffer out;
  out += "before";  // the encoder appends
  const std::size_t before = out.size();
  bool encoded = false;
  try {
    const bulkinsert::Chunk chunk = one.chunk();
    std::vector<bulkinsert::ValueRef> values(chunk.columns());
    chunk.read_row(0, values);  // an invalid date is refused here
    encoded = bulkinsert::detail::pg::copy_binary_row(out, chunk, 0, values, types);
  } catch (const bulkinsert::InputError&) {
    check(want == Outcome::input_error, "InputError only for NUL, range and invalid dates");
    return 0;
  }
  check(want != Outcome::input_error, "NUL, out-of-range integers and instants, invalid dates are refused");
  check(encoded == (want == Outcome::ok), "false exactly when a value has no binary form for its column");
  if (!encoded) {
    check(out.view() == "before", "a row that cannot go in binary leaves the buffer as it was");
    return 0;
  }

  Reader r{out.view().substr(before)};
  check(r.get<std::int16_t>() == static_cast<std::int16_t>(columns), "the field count leads the row");
  for (std::size_t c = 0; c < columns; ++c) {
    const auto length = r.get<std::int32_t>();
    if (row[c].index() == 0) {
      check(length == -1, "NULL is length -1");
      continue;
    }
    check(length >= 0, "a value has a length");
    check_field(r.bytes(static_cast<std::size_t>(length)), row[c], static_cast<TypeOid>(types[c]));
  }
  check(r.done(), "nothing after the last field");
  return 0;
}
