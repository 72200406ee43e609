// Failure paths only SQLite has: NaN, which SQLite would store as NULL, refused after a checkpoint.
// The failure paths every backend shares are in conformance/errors_test.cpp.

#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/schema.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

TEMPLATE_TEST_CASE("a NaN refused after a checkpoint says how many rows are committed", "[sqlite][errors]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE m (id INTEGER, x REAL)");
  using Row = std::tuple<std::int64_t, double>;
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 50; ++i) rows.emplace_back(i, i == 37 ? std::numeric_limits<double>::quiet_NaN() : 0.5);
  try {
    (void)BulkInserter{db.backend(), test::checkpoint_every(1)}.insert(bulkinsert::Table<Row>{"m", {"id", "x"}}, rows,
                                                                      test::with_chunk_rows<TestType>(10));
    FAIL("NaN was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 37") && Catch::Contains("30 input rows committed"));
  }
  CHECK(db.count("m") == 30);
}
