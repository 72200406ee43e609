// insert_async with the strategy chosen by name at run time, as insert and insert_returning take it.

#include <catch2/catch.hpp>

#include <cstdint>
#include <future>
#include <string>
#include <tuple>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/temp_dir.hpp"

namespace {

using Row = std::tuple<std::int64_t, std::string>;
const bulkinsert::Table<Row> lines{"lines", {"n", "text"}};

std::vector<Row> input(std::size_t n) {
  std::vector<Row> rows;
  for (std::size_t i = 0; i < n; ++i) rows.emplace_back(static_cast<std::int64_t>(i), fmt::format("line {}", i));
  return rows;
}

std::int64_t count(bulkinsert::SqliteBackend& db) { return db.database().execAndGet("SELECT count(*) FROM lines").getInt64(); }

}  // namespace

TEST_CASE("insert_async runs the strategy it is given by name", "[sqlite][async]") {
  const std::string name = GENERATE(as<std::string>{}, "per_row", "multi_values", "execute_many");
  CAPTURE(name);
  const test::TempDir dir;
  bulkinsert::SqliteBackend db{dir.file("async.db")};
  db.execute("CREATE TABLE lines (n INTEGER, text TEXT)");
  const auto rows = input(3000);
  bulkinsert::BulkInserter ins{db};

  std::future<bulkinsert::Report> lvalue = ins.insert_async(lines, rows, name);
  const bulkinsert::Report first = lvalue.get();
  CHECK(first.strategy == name);
  CHECK(first.rows_committed == 3000);

  std::future<bulkinsert::Report> rvalue = ins.insert_async(lines, input(500), std::string_view{name});
  CHECK(rvalue.get().rows_committed == 500);
  CHECK(count(db) == 3500);
}

TEST_CASE("insert_async refuses a strategy the backend lacks before any work starts", "[sqlite][async]") {
  const test::TempDir dir;
  bulkinsert::SqliteBackend db{dir.file("async.db")};
  db.execute("CREATE TABLE lines (n INTEGER, text TEXT)");
  const auto rows = input(10);
  bulkinsert::BulkInserter ins{db};
  CHECK_THROWS_MATCHES((void)ins.insert_async(lines, rows, "copy"), bulkinsert::UnsupportedStrategy,
                       Catch::Matchers::Message(
                           "strategy \"copy\" is not available on sqlite; it has: per_row, multi_values, execute_many"));
  CHECK(count(db) == 0);
}
