// Every kind of value bulkinsert sends, through every SQLite strategy, read back with
// SQLite::Statement and compared value by value, with SQLite's storage classes; NaN refused. What
// every backend refuses alike is in conformance/values_test.cpp.

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
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

const char* const samples_ddl =
    "CREATE TABLE samples (id INTEGER PRIMARY KEY, always_null TEXT, maybe INTEGER, flag BOOLEAN, i8 INTEGER, "
    "i16 INTEGER, i32 INTEGER, i64 INTEGER, u32 INTEGER, f REAL, d REAL, s TEXT, sv VARCHAR(200), opt_s TEXT, "
    "bytes BLOB, ts TIMESTAMP, date DATE)";

void compare_samples(test::SqliteDb& db, const std::vector<test::Sample>& expected) {
  SQLite::Statement q{db.db(),
                      "SELECT id, always_null, maybe, flag, i8, i16, i32, i64, u32, f, d, s, sv, opt_s, bytes, ts, date, "
                      "typeof(flag), typeof(bytes), typeof(ts), typeof(date), typeof(i64) FROM samples ORDER BY id"};
  std::size_t k = 0;
  while (q.executeStep()) {
    REQUIRE(k < expected.size());
    const test::Sample& e = expected[k];
    INFO("sample row " << k);
    CHECK(q.getColumn(0).getInt64() == e.id);
    CHECK(q.getColumn(1).isNull());
    if (e.maybe) CHECK(q.getColumn(2).getInt64() == *e.maybe);
    else CHECK(q.getColumn(2).isNull());
    CHECK(q.getColumn(3).getInt64() == (e.flag ? 1 : 0));
    CHECK(q.getColumn(4).getInt64() == e.i8);
    CHECK(q.getColumn(5).getInt64() == e.i16);
    CHECK(q.getColumn(6).getInt64() == e.i32);
    CHECK(q.getColumn(7).getInt64() == e.i64);
    CHECK(q.getColumn(8).getInt64() == static_cast<std::int64_t>(e.u32));
    CHECK(static_cast<float>(q.getColumn(9).getDouble()) == e.f);
    // SQLite stores an integral REAL as an integer on disk, so -0.0 reads back as 0.0 (SQLite, not bulkinsert).
    CHECK(q.getColumn(10).getDouble() == e.d);
    CHECK(q.getColumn(11).getString() == e.s);
    CHECK(q.getColumn(12).getString() == std::string{e.sv});
    if (e.opt_s) {
      REQUIRE_FALSE(q.getColumn(13).isNull());
      CHECK(q.getColumn(13).getString() == *e.opt_s);
    } else {
      CHECK(q.getColumn(13).isNull());
    }
    const SQLite::Column blob = q.getColumn(14);
    CHECK_FALSE(blob.isNull());  // an empty blob is not NULL
    const auto* p = static_cast<const std::byte*>(blob.getBlob());
    CHECK(bulkinsert::Bytes(p, p + blob.getBytes()) == e.bytes);
    CHECK(q.getColumn(15).getString() == test::timestamp_text(e.ts));
    CHECK(q.getColumn(16).getString() == test::date_text(e.date));
    CHECK(q.getColumn(17).getString() == "integer");
    CHECK(q.getColumn(18).getString() == "blob");
    CHECK(q.getColumn(19).getString() == "text");
    CHECK(q.getColumn(20).getString() == "text");
    CHECK(q.getColumn(21).getString() == "integer");
    ++k;
  }
  CHECK(k == expected.size());
}

}  // namespace

TEMPLATE_TEST_CASE("values round trip through sqlite", "[sqlite][values]", PerRow, MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec(samples_ddl);
  const auto expected = test::samples(false);
  BulkInserter inserter{db.backend()};
  // Chunks of 5: several chunks, and a last one of another size.
  const auto strategy = test::with_chunk_rows<TestType>(5);

  SECTION("struct rows") {
    const auto r = inserter.insert(test::sample_table(), expected, strategy);
    CHECK(r.rows == expected.size());
  }
  SECTION("dynamic rows") {
    std::vector<bulkinsert::DynamicRow> rows;
    for (const auto& s : expected) rows.push_back(test::to_dynamic(s));
    const auto r = inserter.insert(bulkinsert::Table<bulkinsert::DynamicRow>{"samples", test::sample_columns()}, rows,
                                   strategy);
    CHECK(r.rows == expected.size());
  }
  compare_samples(db, expected);
}

TEST_CASE("sqlite stores timestamps and dates as ISO text", "[sqlite][values]") {
  test::SqliteDb db;
  db.exec("CREATE TABLE t (ts TIMESTAMP, d DATE)");
  using Row = std::tuple<bulkinsert::Timestamp, bulkinsert::Date>;
  const std::vector<Row> rows = {
      {test::timestamp(1969, 7, 20, 20, 17, 40), test::date(1969, 7, 20)},
      {test::timestamp(2100, 1, 1, 0, 0, 0, 1), test::date(2100, 1, 1)},
      {test::timestamp(2024, 2, 29, 13, 45, 0, 123456), test::date(2024, 2, 29)},
  };
  (void)BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"t", {"ts", "d"}}, rows);
  SQLite::Statement q{db.db(), "SELECT ts, d, strftime('%s', ts) FROM t ORDER BY rowid"};
  std::vector<std::string> got;
  while (q.executeStep()) got.push_back(q.getColumn(0).getString() + " | " + q.getColumn(1).getString() + " | " +
                                        q.getColumn(2).getString());
  CHECK(got == std::vector<std::string>{
                   "1969-07-20 20:17:40.000000 | 1969-07-20 | -14182940",
                   "2100-01-01 00:00:00.000001 | 2100-01-01 | 4102444800",
                   "2024-02-29 13:45:00.123456 | 2024-02-29 | 1709214300",
               });
}

TEMPLATE_TEST_CASE("NaN is refused by sqlite naming row and column", "[sqlite][values]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE m (id INTEGER, x REAL)");
  using Row = std::tuple<std::int64_t, double>;
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 50; ++i) rows.emplace_back(i, i == 37 ? std::numeric_limits<double>::quiet_NaN() : 0.5);
  try {
    (void)BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"m", {"id", "x"}}, rows,
                                            test::with_chunk_rows<TestType>(10));
    FAIL("NaN was accepted");
  } catch (const bulkinsert::InputError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("row 37"));
    CHECK_THAT(what, Catch::Contains("column \"x\""));
    CHECK_THAT(what, Catch::Contains("NaN"));
  }
  CHECK(db.count("m") == 0);
}
