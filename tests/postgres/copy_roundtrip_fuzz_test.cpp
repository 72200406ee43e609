// COPY round trip with fuzz-made values (the fuzzers' generator, support/random_values.hpp, fed by a
// seeded PRNG): thousands of rows of every kind, NULLs among them, sent by COPY in binary and, with an
// extra numeric column, in text, read back from the server exactly.

#include <catch2/catch.hpp>

#include <bit>
#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"
#include "support/random_values.hpp"

namespace {

using bulkinsert::Kind;
using bulkinsert::Value;

// id, then one column per kind; "num" (numeric, no binary encoder) forces the text format.
constexpr Kind kinds[] = {Kind::boolean, Kind::integer, Kind::real, Kind::text, Kind::bytes, Kind::timestamp, Kind::timestamp, Kind::date};
const std::vector<std::string> value_columns = {"bo", "i", "d", "t", "by", "tstz", "ts", "dt"};

std::vector<bulkinsert::DynamicRow> make_rows(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng{seed};
  std::vector<bulkinsert::DynamicRow> rows;
  for (std::size_t r = 0; r < n; ++r) {
    const auto bytes = test::random_bytes(rng, 256);
    test::ByteSource in{bytes};
    // Values the server can hold: no NUL in text, UTF-8 (the cluster is UTF8), dates and instants in range.
    test::ValueMaker make{in, {.nul_in_text = false, .utf8_text = true, .server_range = true, .max_text = 40}};
    bulkinsert::DynamicRow row{static_cast<std::int64_t>(r)};
    for (const Kind k : kinds) row.push_back(in.below(8) == 0 ? Value{bulkinsert::Null{}} : make.value(k));
    rows.push_back(std::move(row));
  }
  return rows;
}

/// The column as the server returns it, in a form that holds it exactly (see the SELECT below).
Value read_back(const pqxx::field& f, Kind k) {
  if (f.is_null()) return bulkinsert::Null{};
  const std::string s = f.c_str();
  switch (k) {
    case Kind::boolean: return s == "t";
    case Kind::integer: case Kind::timestamp: {
      std::int64_t v = 0;
      REQUIRE(std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc{});
      if (k == Kind::integer) return v;
      return bulkinsert::Timestamp{std::chrono::microseconds{v + 946'684'800'000'000LL}};  // 2000 -> 1970
    }
    case Kind::date: {
      std::int64_t days = 0;
      REQUIRE(std::from_chars(s.data(), s.data() + s.size(), days).ec == std::errc{});
      return bulkinsert::Date{std::chrono::sys_days{std::chrono::days{days}}};
    }
    case Kind::real: {
      if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (s == "Infinity") return std::numeric_limits<double>::infinity();
      if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
      double d = 0;
      REQUIRE(std::from_chars(s.data(), s.data() + s.size(), d).ec == std::errc{});
      return d;
    }
    case Kind::text: return s;
    case Kind::bytes: {
      bulkinsert::Bytes b;
      for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
        unsigned v = 0;
        std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
        b.push_back(static_cast<std::byte>(v));
      }
      return b;
    }
    case Kind::null_value: break;
  }
  return bulkinsert::Null{};
}

std::string describe(const Value& v) {
  return std::visit([](const auto& x) -> std::string {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, bulkinsert::Null>) return "NULL";
    else if constexpr (std::is_same_v<T, double>) return fmt::format("{} (bits {:016x})", x, std::bit_cast<std::uint64_t>(x));
    else if constexpr (std::is_same_v<T, std::string>) return fmt::format("{:?}", x);
    else if constexpr (std::is_same_v<T, bulkinsert::Bytes>) return fmt::format("{} bytes", x.size());
    else if constexpr (std::is_same_v<T, bulkinsert::Timestamp>) return fmt::format("{} us", x.time_since_epoch().count());
    else if constexpr (std::is_same_v<T, bulkinsert::Date>) return fmt::format("{} days", std::chrono::sys_days{x}.time_since_epoch().count());
    else return fmt::format("{}", x);
  }, v);
}

/// Equal, NaN equal to NaN, -0 distinct from 0.
bool same(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    return (*x != *x && y != y) || std::bit_cast<std::uint64_t>(*x) == std::bit_cast<std::uint64_t>(y);
  }
  return a == b;
}

}  // namespace

TEST_CASE("copy round trips fuzz made rows exactly", "[postgres][copy]") {
  test::PgDb db;
  db.exec("CREATE TABLE fz (id bigint, bo boolean, i bigint, d float8, t text, by bytea, tstz timestamptz, "
          "ts timestamp, dt date, num numeric)");
  constexpr std::size_t n = 3000;
  const auto rows = make_rows(20240601, n);

  std::vector<std::string> columns{"id"};
  columns.insert(columns.end(), value_columns.begin(), value_columns.end());
  auto sent = rows;
  SECTION("binary") {}
  SECTION("text") {
    columns.emplace_back("num");
    for (auto& row : sent) row.emplace_back(row[0]);
  }
  // Small chunks: many COPY commands, each with its own header and trailer.
  const bulkinsert::Table<bulkinsert::DynamicRow> table{"fz", columns};
  const auto report = bulkinsert::BulkInserter{db.backend()}.insert(table, sent, bulkinsert::Copy{.rows_per_chunk = 700});
  REQUIRE(report.rows == n);

  // Exact text forms: float8 output is shortest-exact (extra_float_digits = 1, the default); bytea as
  // hex; dates as days, instants as microseconds since 2000 (extract returns an exact numeric since
  // PostgreSQL 14, except extract(epoch FROM ts) itself, which goes through float8 near the end of
  // the range; from an interval it stays exact).
  const pqxx::result r = db.query(
      "SELECT id, bo, i, d, t, encode(by, 'hex'), "
      "(extract(epoch FROM tstz - timestamptz '2000-01-01 00:00:00+00') * 1000000)::bigint, "
      "(extract(epoch FROM ts - timestamp '2000-01-01 00:00:00') * 1000000)::bigint, "
      "dt - date '1970-01-01' FROM fz ORDER BY id");
  REQUIRE(r.size() == n);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto row = r[static_cast<int>(i)];
    REQUIRE(row[0].as<std::int64_t>() == static_cast<std::int64_t>(i));
    for (std::size_t c = 0; c < std::size(kinds); ++c) {
      const Value got = read_back(row[static_cast<int>(c + 1)], kinds[c]);
      const Value& want = rows[i][c + 1];
      if (!same(got, want) && ++mismatches <= 20)
        FAIL_CHECK(fmt::format("row {}, column {}: sent {}, read back {}", i, value_columns[c], describe(want), describe(got)));
    }
  }
  CHECK(mismatches == 0);
}
