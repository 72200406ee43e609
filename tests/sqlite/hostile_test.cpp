// Hostile input as only SQLite stores it, through every strategy: text holding every byte 1-255 (SQLite
// keeps text bytes as they are), the storage class of every value, and timestamps as SQLite's date
// functions read them. Names, 16 MiB values, float and integer extremes, timestamps and NULLs against
// empty strings, as every backend must keep them, are in conformance/hostile_test.cpp; values_test.cpp covers the general sample rows
// (and NaN, which SQLite would store as NULL and is refused).

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/samples.hpp"
#include "support/schema.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

namespace {

bulkinsert::Bytes blob_of(const SQLite::Column& c) {
  const auto* p = static_cast<const std::byte*>(c.getBlob());
  return bulkinsert::Bytes(p, p + c.getBytes());
}

}  // namespace

TEMPLATE_TEST_CASE("text holding every byte 1 to 255 round trips on sqlite", "[sqlite][hostile]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, t TEXT, v VARCHAR(10), b BLOB)");
  std::string every;
  for (int b = 1; b < 256; ++b) every += static_cast<char>(b);
  const std::vector<std::string> texts = {every, "\t", "\r", "\n", "\\", "\\N", "\\.", "\\.\n", "\r\n\\.\r\n",
                                          "a\tb\nc\rd\\e", "'; DROP TABLE h; --", "\xff\xfe", "\xc3\x28"};
  std::vector<bulkinsert::DynamicRow> rows;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    bulkinsert::Bytes raw;
    for (int b = 0; b < 256; ++b) raw.push_back(static_cast<std::byte>((b + static_cast<int>(i)) & 0xFF));
    rows.push_back({bulkinsert::Value{static_cast<std::int64_t>(i)}, bulkinsert::Value{texts[i]}, bulkinsert::Value{texts[i]}, bulkinsert::Value{raw}});
  }
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<bulkinsert::DynamicRow>{"h", {"id", "t", "v", "b"}}, rows,
                                          test::small_chunks<TestType>())
            .rows == rows.size());
  SQLite::Statement got{db.db(), "SELECT t, v, b, typeof(t), typeof(b) FROM h ORDER BY id"};
  std::size_t i = 0;
  for (; got.executeStep(); ++i) {
    INFO("row " << i);
    REQUIRE(i < texts.size());
    CHECK(got.getColumn(0).getString() == texts[i]);
    CHECK(got.getColumn(1).getString() == texts[i]);
    CHECK(blob_of(got.getColumn(2)) == std::get<bulkinsert::Bytes>(rows[i][3]));
    CHECK(got.getColumn(3).getString() == "text");
    CHECK(got.getColumn(4).getString() == "blob");
  }
  CHECK(i == texts.size());
}

TEMPLATE_TEST_CASE("sqlite keeps integers of every width, text, blobs and NULLs in their storage classes",
                   "[sqlite][hostile]", PerRow, MultiValues, ExecuteMany) {
  // The values themselves are compared in conformance/hostile_test.cpp; here, SQLite's affinity:
  // an integer is never stored as REAL or TEXT, an empty string or blob never as NULL.
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, i8 INTEGER, u64 INTEGER, i64 INTEGER, t TEXT, v VARCHAR(10), b BLOB)");
  using Row = std::tuple<std::int64_t, std::int8_t, std::uint64_t, std::int64_t, std::optional<std::string>,
                         std::optional<std::string>, std::optional<bulkinsert::Bytes>>;
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  const std::vector<Row> input = {
      {0, -128, 0, std::numeric_limits<std::int64_t>::min(), std::nullopt, std::nullopt, std::nullopt},
      {1, 127, static_cast<std::uint64_t>(i64_max), i64_max, "", "", bulkinsert::Bytes{}},
      {2, 0, 1, -1, "\\N", "NULL", bulkinsert::Bytes{std::byte{0}}},
      {3, -1, static_cast<std::uint64_t>(i64_max - 1), 0, " ", "null", std::nullopt},
      {4, 1, 2, 1, std::nullopt, "", bulkinsert::Bytes{}},
      {5, 0, 0, 0, "", std::nullopt, std::nullopt},
  };
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "i8", "u64", "i64", "t", "v", "b"}}, input,
                                          test::small_chunks<TestType>())
            .rows == input.size());
  SQLite::Statement got{db.db(), "SELECT typeof(i8), typeof(u64), typeof(i64), typeof(t), typeof(v), typeof(b) "
                                 "FROM h ORDER BY id"};
  std::size_t i = 0;
  for (; got.executeStep(); ++i) {
    INFO("row " << i);
    const auto& [id, i8, u64, i64, t, v, b] = input[i];
    CHECK(got.getColumn(0).getString() == "integer");
    CHECK(got.getColumn(1).getString() == "integer");
    CHECK(got.getColumn(2).getString() == "integer");
    CHECK(got.getColumn(3).getString() == (t ? "text" : "null"));
    CHECK(got.getColumn(4).getString() == (v ? "text" : "null"));
    CHECK(got.getColumn(5).getString() == (b ? "blob" : "null"));
  }
  CHECK(i == input.size());
}

TEMPLATE_TEST_CASE("sqlite's own julianday agrees with timestamps before 1970 and after 2038", "[sqlite][hostile]",
                   PerRow, MultiValues, ExecuteMany) {
  // The stored text is compared in conformance/hostile_test.cpp; here, that SQLite's date functions
  // read it as the same instant, to the millisecond they resolve.
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, ts TIMESTAMP)");
  const std::vector<bulkinsert::Timestamp> stamps = {
      test::timestamp(1969, 12, 31, 23, 59, 59, 999'999), test::timestamp(1970, 1, 1, 0, 0, 0, 1),
      test::timestamp(1, 1, 1, 0, 0, 0, 1),               test::timestamp(1899, 12, 31, 12, 0, 0, 500'000),
      test::timestamp(2038, 1, 19, 3, 14, 7, 999'999),    test::timestamp(2038, 1, 19, 3, 14, 8),
      test::timestamp(2262, 4, 11, 23, 47, 16, 854'775),
  };
  using Row = std::tuple<std::int64_t, bulkinsert::Timestamp>;
  std::vector<Row> input;
  for (std::size_t i = 0; i < stamps.size(); ++i) input.emplace_back(static_cast<std::int64_t>(i), stamps[i]);
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "ts"}}, input, test::small_chunks<TestType>())
            .rows == input.size());
  // (julianday() rounds 9999-12-31 23:59:59.999999 past its own range: that one is compared as text only.)
  SQLite::Statement got{db.db(), "SELECT CAST(round((julianday(ts) - 2440587.5) * 86400000) AS INTEGER) FROM h ORDER BY id"};
  std::size_t i = 0;
  for (; got.executeStep(); ++i) {
    INFO("row " << i);
    const std::int64_t ms = std::chrono::round<std::chrono::milliseconds>(stamps[i]).time_since_epoch().count();
    CHECK(std::llabs(got.getColumn(0).getInt64() - ms) <= 1);
  }
  CHECK(i == input.size());
}
