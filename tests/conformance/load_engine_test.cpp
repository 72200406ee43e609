// What the load engine promises on every backend and strategy: a refused row is named even when its
// statement carried many rows; a key repeated in one upsert applies in input order; rejects are
// counted apart from the rows written.

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/schema.hpp"

namespace {

struct Reading {
  std::int64_t id = 0;
  std::int64_t level = 0;
};

const auto readings = bulkinsert::Table<Reading>{"readings"}.column("id", &Reading::id).column("level", &Reading::level);

struct Setting {
  std::string key;
  std::int64_t a = 0;
  std::int64_t b = 0;
};

const auto settings =
    bulkinsert::Table<Setting>{"settings"}.column("k", &Setting::key).column("a", &Setting::a).column("b", &Setting::b);

}  // namespace

CONFORMANCE_STRATEGY_TEST_CASE("a refused row is named even in a statement of many rows", "[errors]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  F db;
  db.exec(fmt::format("CREATE TABLE readings (id {} PRIMARY KEY, level {} NOT NULL CHECK (level >= 0))", F::types.bigint,
                      F::types.bigint));
  std::vector<Reading> rows;
  for (std::int64_t i = 0; i < 400; ++i) rows.push_back({i, i == 237 ? -1 : i});
  bulkinsert::BulkInserter inserter{db.backend()};
  try {
    (void)inserter.insert(readings, rows, test::with_chunk_rows<S>(400));
    FAIL("the CHECK constraint should have refused row 237");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.rows() == bulkinsert::RowRange{0, 400});
    CHECK(e.input_row() == std::optional<std::size_t>{237});
    CHECK_THAT(e.what(), Catch::Contains("input row 237"));
    CHECK(e.kind() == bulkinsert::ErrorKind::row_values);
  }
  CHECK(db.count("readings") == 0);  // the search for the row leaves nothing behind
}

CONFORMANCE_STRATEGY_TEST_CASE("a key repeated in one upsert applies in input order, the last winning", "[upsert]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  F db;
  db.exec(fmt::format("CREATE TABLE settings (k {} PRIMARY KEY, a {} NOT NULL, b {} NOT NULL)", F::types.key_text,
                      F::types.bigint, F::types.bigint));
  db.exec("INSERT INTO settings (k, a, b) VALUES ('old', 0, 0)");
  const auto upsert = bulkinsert::Table<Setting>{settings}.on_conflict_update({"k"}, {"a"});
  // As one statement per row applies them: "new" is inserted by its first row and updated by the later
  // ones; "old" is updated twice. Only `a` is updated, so `b` keeps the inserting row's value.
  const std::vector<Setting> rows{{"new", 1, 1}, {"old", 2, 2}, {"new", 3, 3}, {"x", 4, 4}, {"new", 5, 5}, {"old", 6, 6}};
  bulkinsert::BulkInserter inserter{db.backend()};
  const auto report = inserter.insert(upsert, rows, S{});
  CHECK(report.rows == rows.size());
  CHECK(report.rows_committed == rows.size());
  const auto got = db.rows("SELECT k, a, b FROM settings ORDER BY k");
  REQUIRE(got.size() == 3);
  using Row = std::vector<std::optional<std::string>>;
  CHECK(got[0] == Row{"new", "5", "1"});
  CHECK(got[1] == Row{"old", "6", "0"});
  CHECK(got[2] == Row{"x", "4", "4"});
}

CONFORMANCE_STRATEGY_TEST_CASE("rejected rows are counted apart from the rows written", "[rejects]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  F db;
  db.exec(fmt::format("CREATE TABLE readings (id {} PRIMARY KEY, level {} NOT NULL)", F::types.bigint, F::types.bigint));
  std::vector<Reading> rows;
  for (std::int64_t i = 0; i < 300; ++i) rows.push_back({i == 120 || i == 250 ? 5 : i, i});
  bulkinsert::BulkInserter inserter{db.backend(), {.max_rejects = 10}};
  const auto report = inserter.insert(readings, rows, test::with_chunk_rows<S>(100));
  CHECK(report.rows_rejected == 2);
  CHECK(report.rows == 298);
  CHECK(report.rows_committed == 298);
  CHECK(db.count("readings") == 298);
}
