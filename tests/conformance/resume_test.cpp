// What a failure with checkpoints leaves, on every backend: ChunkError's rows_committed is the number of
// rows present, and a resumable import, fixed and run again, skips them and completes the table. The
// imports killed part-way (SIGKILL on SQLite, pg_terminate_backend on PostgreSQL) are in
// tests/<backend>/resume_test.cpp.

#include <catch2/catch.hpp>

#include <vector>

#include "support/backends.hpp"
#include "support/features.hpp"

using bulkinsert::BulkInserter;

CONFORMANCE_STRATEGY_TEST_CASE("ChunkError rows_committed equals the rows present after a failure with checkpoints",
                               "[resume]") {
  using F = typename TestType::fixture;
  const auto strategy = test::with_chunk_rows<typename TestType::strategy>(1'000);
  F db;
  db.exec(fmt::format("CREATE TABLE items (id {0} PRIMARY KEY, name {1}, qty {0})", F::types.bigint, F::types.text));
  std::vector<test::Item> rows;
  for (std::size_t i = 0; i < 10'000; ++i) rows.push_back(test::item(i));
  rows[5'500].id = 17;  // a duplicate key in chunk 5

  SECTION("checkpoints only") {
    BulkInserter ins{db.backend(), test::checkpoint_every(2)};
    try {
      (void)ins.insert(test::items_table(), rows, strategy);
      FAIL("no exception");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 5);
      CHECK(e.rows() == bulkinsert::RowRange{5'000, 6'000});
      CHECK(e.rows_committed() == 4'000);  // chunks 0-3, committed after chunks 1 and 3
      CHECK(static_cast<std::size_t>(db.count("items")) == e.rows_committed());
    }
  }
  SECTION("with an import id, then resumed after the input is fixed") {
    const bulkinsert::InsertOptions options{.checkpoint_every_chunks = 3, .import_id = "fix-me"};
    BulkInserter ins{db.backend(), options};
    try {
      (void)ins.insert(test::items_table(), rows, strategy);
      FAIL("no exception");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 5);
      CHECK(e.rows_committed() == 3'000);
      CHECK(static_cast<std::size_t>(db.count("items")) == e.rows_committed());
    }
    rows[5'500].id = 5'500;
    const auto report = ins.insert(test::items_table(), rows, strategy);
    CHECK(report.rows_skipped == 3'000);
    CHECK(report.rows == 7'000);
    const auto r = db.rows("SELECT count(*), count(DISTINCT id), sum(id) FROM items");
    CHECK(r[0][0] == "10000");
    CHECK(r[0][1] == "10000");
    CHECK(r[0][2] == std::to_string(test::id_sum(10'000)));
  }
}
