// A constraint failing in the last chunk, on every backend, with nothing lost or duplicated: a clear
// error, the database holds exactly the committed chunks, the exception and the progress table say how
// many input rows are committed, and a resumed load ends with the table equal to the input. The faults
// only one backend can stage (a terminated connection, a crashed server, a full disk) are in
// tests/<backend>/faults_test.cpp.

#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "support/backends.hpp"
#include "support/progress_checks.hpp"

using bulkinsert::BulkInserter;

CONFORMANCE_STRATEGY_TEST_CASE("a constraint failing in the last chunk keeps exactly the committed chunks",
                               "[faults]") {
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format("CREATE TABLE t (id {} PRIMARY KEY, name {} UNIQUE NOT NULL)", F::types.bigint, F::types.text));
  auto rows = test::id_names(1000);
  std::get<1>(rows[950]) = std::get<1>(rows[10]);  // a duplicate name in chunk 9 of 100-row chunks, the last
  const auto strategy = test::with_chunk_rows<typename TestType::strategy>(100);
  const auto reader = db.reader();

  SECTION("one transaction: nothing is kept") {
    try {
      (void)BulkInserter{db.backend()}.insert(test::id_name_table(), rows, strategy);
      FAIL("the duplicate was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 9);
      CHECK(e.rows() == bulkinsert::RowRange{900, 1000});
      CHECK(e.code() == F::codes.unique_violation);
      CHECK(e.rows_committed() == 0);
    }
    CHECK(db.count("t") == 0);
    rows[950] = test::id_name(950);
    CHECK(BulkInserter{db.backend()}.insert(test::id_name_table(), rows, strategy).rows_committed == 1000);
  }
  SECTION("checkpoints: exactly the earlier checkpoints are kept, and a resumed load completes") {
    const auto options = test::resumable(4, "last-chunk");  // commits after chunks 3 and 7; chunk 8 is rolled back
    try {
      (void)BulkInserter{db.backend(), options}.insert(test::id_name_table(), rows, strategy);
      FAIL("the duplicate was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 9);
      CHECK(e.code() == F::codes.unique_violation);
      CHECK(e.rows_committed() == 800);
      CHECK_THAT(std::string{e.what()}, Catch::EndsWith("; 800 input rows committed"));
    }
    CHECK(db.count("t") == 800);
    CHECK(test::progress_rows(reader, "last-chunk") == 800);
    test::check_table_matches_progress(reader, "last-chunk");
    rows[950] = test::id_name(950);
    const auto report = BulkInserter{db.backend(), options}.insert(test::id_name_table(), rows, strategy);
    CHECK(report.rows_skipped == 800);
    CHECK(report.rows == 200);
    CHECK(report.rows_committed == 200);
    CHECK(test::progress_rows(reader, "last-chunk") == 1000);
  }
  test::check_table_equals(reader, 1000);
}
