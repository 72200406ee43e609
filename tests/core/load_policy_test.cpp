// The load engine's policy, fast and exactly, through a backend that records its calls
// (support/recording_backend.hpp): checkpoints commit every N chunks and record progress in the same
// transaction, a resumed import skips what progress says, reject bisection isolates exactly the
// refused rows under savepoints, and a COMMIT whose outcome is unknown counts its rows in doubt, as
// neither committed nor rolled back. The same behaviour against real databases is in
// tests/conformance and tests/<backend>.

#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/bulkinsert.hpp>

#include "support/recording_backend.hpp"

using bulkinsert::BulkInserter;
using test::Call;
using test::RecordingBackend;
using test::Statement;

namespace {

using Row = std::tuple<std::int64_t>;

const bulkinsert::Table<Row> table{"t", {"id"}};

std::vector<Row> rows(std::size_t n) {
  std::vector<Row> out;
  for (std::size_t i = 0; i < n; ++i) out.emplace_back(static_cast<std::int64_t>(i));
  return out;
}

/// Chunks of 10 rows, one statement each.
const bulkinsert::MultiValues tens{.rows_per_statement = 10};

/// The calls as one line of words, data statements with their input rows: what the policy did, in
/// order, in a form a test can compare whole. prepare() is left out (a cache, not policy).
std::string trace(const RecordingBackend& b) {
  std::string out;
  auto word = [&](const std::string& w) { out += (out.empty() ? "" : " ") + w; };
  for (const auto& r : b.calls()) {
    const std::string failed = r.failed ? "!" : "";
    switch (r.call) {
      case Call::begin: word("begin"); break;
      case Call::commit: word("commit" + failed); break;
      case Call::rollback: word("rollback"); break;
      case Call::prepare: break;
      case Call::execute:
        switch (r.statement()) {
          case Statement::savepoint: word("savepoint"); break;
          case Statement::rollback_to_savepoint: word("rollback-to"); break;
          case Statement::release_savepoint: word("release"); break;
          default: word("execute"); break;
        }
        break;
      case Call::run:
      case Call::run_each:
      case Call::run_once:
        switch (r.statement()) {
          case Statement::progress_insert: word(fmt::format("progress[{},{})", r.rows.first, r.rows.last)); break;
          case Statement::progress_query: word("read-progress"); break;
          default: word(fmt::format("send[{},{}){}", r.rows.first, r.rows.last, failed)); break;
        }
        break;
    }
  }
  return out;
}

std::multiset<std::size_t> all_but(std::size_t n, const std::set<std::size_t>& missing) {
  std::multiset<std::size_t> out;
  for (std::size_t i = 0; i < n; ++i)
    if (!missing.contains(i)) out.insert(i);
  return out;
}

std::multiset<std::size_t> first(std::size_t n) { return all_but(n, {}); }

bulkinsert::InsertOptions checkpoints(std::size_t every) {
  bulkinsert::InsertOptions o;
  o.checkpoint_every_chunks = every;
  return o;
}

}  // namespace

TEST_CASE("the recording backend satisfies the backend concept", "[core][policy]") {
  STATIC_REQUIRE(bulkinsert::backend<RecordingBackend>);
  STATIC_REQUIRE_FALSE(bulkinsert::copy_capable<RecordingBackend>);
  CHECK(test::classify("SAVEPOINT bulkinsert_chunk") == Statement::savepoint);
  CHECK(test::classify("ROLLBACK TO SAVEPOINT bulkinsert_chunk") == Statement::rollback_to_savepoint);
  CHECK(test::classify("RELEASE SAVEPOINT bulkinsert_chunk") == Statement::release_savepoint);
  CHECK(test::classify("INSERT INTO \"t\" (\"id\") VALUES (?)") == Statement::other);
}

TEST_CASE("one transaction commits once, at the end", "[core][policy]") {
  RecordingBackend db;
  const auto r = BulkInserter{db}.insert(table, rows(25), tens);
  CHECK(r.rows_committed == 25);
  CHECK(r.chunks == 3);
  CHECK(trace(db) == "begin send[0,10) send[10,20) send[20,25) commit");
  CHECK(db.committed() == first(25));
}

TEST_CASE("checkpoints commit every N chunks and record progress in the same transaction", "[core][policy]") {
  RecordingBackend db;
  SECTION("without an import id: commits only") {
    const auto r = BulkInserter{db, checkpoints(3)}.insert(table, rows(100), tens);
    CHECK(r.rows_committed == 100);
    CHECK(trace(db) ==
          "begin send[0,10) send[10,20) send[20,30) commit "
          "begin send[30,40) send[40,50) send[50,60) commit "
          "begin send[60,70) send[70,80) send[80,90) commit "
          "begin send[90,100) commit");
    CHECK(db.progress().empty());
  }
  SECTION("with an import id: each commit records the rows it covers") {
    bulkinsert::InsertOptions o = checkpoints(3);
    o.import_id = "policy";
    const auto r = BulkInserter{db, o}.insert(table, rows(100), tens);
    CHECK(r.rows_committed == 100);
    CHECK(trace(db) ==
          "execute begin read-progress commit "
          "begin send[0,10) send[10,20) send[20,30) progress[0,30) commit "
          "begin send[30,40) send[40,50) send[50,60) progress[30,60) commit "
          "begin send[60,70) send[70,80) send[80,90) progress[60,90) commit "
          "begin send[90,100) progress[90,100) commit");
    CHECK(db.progress() == std::vector<bulkinsert::RowRange>{{0, 30}, {30, 60}, {60, 90}, {90, 100}});
  }
  CHECK(db.committed() == first(100));
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("a failure after a checkpoint keeps exactly the committed chunks and a resumed import skips them",
          "[core][policy]") {
  RecordingBackend db;
  bulkinsert::InsertOptions o = checkpoints(3);
  o.import_id = "resume";
  db.fail_row(74, std::string{RecordingBackend::fatal_error});  // chunk 7, in the third transaction
  try {
    (void)BulkInserter{db, o}.insert(table, rows(100), tens);
    FAIL("the refused row was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == RecordingBackend::fatal_error);
    CHECK(e.chunk_index() == 7);
    CHECK(e.rows() == bulkinsert::RowRange{70, 80});
    CHECK(e.rows_committed() == 60);
    CHECK(e.rows_in_doubt() == 0);
  }
  CHECK(db.committed() == first(60));
  CHECK(db.progress() == std::vector<bulkinsert::RowRange>{{0, 30}, {30, 60}});
  CHECK(trace(db).ends_with("begin send[60,70) send[70,80)! rollback"));

  // The same import again, the row fixed: progress is read once, rows [0, 60) are never sent again.
  db.clear_failures();
  db.clear_calls();
  const auto r = BulkInserter{db, o}.insert(table, rows(100), tens);
  CHECK(r.rows_skipped == 60);
  CHECK(r.rows == 40);
  CHECK(r.rows_committed == 40);
  CHECK(trace(db) ==
        "execute begin read-progress commit "
        "begin send[60,70) send[70,80) send[80,90) progress[60,90) commit "
        "begin send[90,100) progress[90,100) commit");
  CHECK(db.committed() == first(100));
  CHECK(db.progress() == std::vector<bulkinsert::RowRange>{{0, 30}, {30, 60}, {60, 90}, {90, 100}});
}

TEST_CASE("reject bisection isolates exactly the refused rows under savepoints", "[core][policy][rejects]") {
  RecordingBackend db;
  const std::set<std::size_t> refused = {13, 14, 77};
  for (const std::size_t row : refused) db.fail_row(row);
  bulkinsert::InsertOptions o;
  o.max_rejects = 5;
  std::vector<std::size_t> rejected;
  o.on_reject = [&](const bulkinsert::RejectedRow& r) {
    CHECK(r.code == RecordingBackend::row_error);
    rejected.push_back(r.input_row);
  };
  const auto r = BulkInserter{db, o}.insert(table, rows(100), bulkinsert::MultiValues{.rows_per_statement = 20});
  CHECK(r.rows_rejected == 3);
  CHECK(rejected == std::vector<std::size_t>{13, 14, 77});
  CHECK(db.committed() == all_but(100, refused));
  CHECK(db.open_savepoints() == 0);
  // Every chunk and every half runs under a savepoint of its own, released or rolled back to.
  CHECK(db.count(Statement::savepoint) == db.count(Statement::release_savepoint));
  CHECK(db.count(Statement::rollback_to_savepoint) > 0);

  // The first chunk, [0, 20), holds 13 and 14: halved until each refused row is alone.
  const std::string t = trace(db);
  CHECK(t.starts_with(
      "begin "
      "savepoint send[0,20)! rollback-to release "
      "savepoint send[0,10) release "
      "savepoint send[10,20)! rollback-to release "
      "savepoint send[10,15)! rollback-to release "
      "savepoint send[10,12) release "
      "savepoint send[12,15)! rollback-to release "
      "savepoint send[12,13) release "
      "savepoint send[13,15)! rollback-to release "
      "savepoint send[13,14)! rollback-to release "
      "savepoint send[14,15)! rollback-to release "
      "savepoint send[15,20) release "
      "savepoint send[20,40) release "));
  CHECK(t.ends_with("commit"));
}

TEST_CASE("more refused rows than max_rejects fail the load and keep nothing", "[core][policy][rejects]") {
  RecordingBackend db;
  for (const std::size_t row : {3, 40, 41}) db.fail_row(row);
  bulkinsert::InsertOptions o;
  o.max_rejects = 2;
  try {
    (void)BulkInserter{db, o}.insert(table, rows(100), bulkinsert::MultiValues{.rows_per_statement = 20});
    FAIL("a third refused row was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.chunk_index() == 2);
    CHECK(e.rows_committed() == 0);
    CHECK_THAT(std::string{e.what()}, Catch::Contains("more than 2 rows refused"));
  }
  CHECK(db.committed().empty());
  CHECK(trace(db).ends_with("rollback"));
}

TEST_CASE("an error that is not about the rows is not bisected", "[core][policy][rejects]") {
  RecordingBackend db;
  db.fail_row(5, std::string{RecordingBackend::fatal_error});
  bulkinsert::InsertOptions o;
  o.max_rejects = 10;
  CHECK_THROWS_AS((BulkInserter{db, o}.insert(table, rows(30), tens)), bulkinsert::ChunkError);
  CHECK(db.count(Statement::rollback_to_savepoint) == 0);
  CHECK(trace(db) == "begin savepoint send[0,10)! rollback");
  CHECK(db.committed().empty());
}

TEST_CASE("a commit in doubt counts its rows neither committed nor rolled back", "[core][policy][doubt]") {
  // Commit 0 is the progress read's; commit 2 is the second checkpoint, after rows [30, 60).
  const bool applied = GENERATE(false, true);
  INFO((applied ? "the server committed" : "the server did not commit"));
  RecordingBackend db;
  db.fail_commit(2, std::string{RecordingBackend::in_doubt_error}, applied);
  bulkinsert::InsertOptions o = checkpoints(3);
  o.import_id = "doubt";
  try {
    (void)BulkInserter{db, o}.insert(table, rows(100), tens);
    FAIL("the load went on after a commit in doubt");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.kind() == bulkinsert::ErrorKind::commit_in_doubt);
    CHECK(e.chunk_index() == 5);
    CHECK(e.rows() == bulkinsert::RowRange{30, 60});
    CHECK(e.rows_committed() == 30);
    CHECK(e.rows_in_doubt() == 30);
    CHECK_THAT(std::string{e.what()}, Catch::Contains("30 input rows committed, 30 more in doubt"));
  }
  // Whatever the server did, the exception said the same: the truth is in the progress table, which
  // holds those rows exactly when the server committed them.
  CHECK(db.committed() == first(applied ? 60 : 30));
  CHECK(db.progress() == (applied ? std::vector<bulkinsert::RowRange>{{0, 30}, {30, 60}}
                                  : std::vector<bulkinsert::RowRange>{{0, 30}}));
  CHECK(trace(db).ends_with("begin send[30,40) send[40,50) send[50,60) progress[30,60) commit! rollback"));
}

TEST_CASE("a commit that fails with an answer counts nothing in doubt", "[core][policy][doubt]") {
  RecordingBackend db;
  db.fail_commit(1, std::string{RecordingBackend::fatal_error});  // the second checkpoint; no progress read here
  try {
    (void)BulkInserter{db, checkpoints(3)}.insert(table, rows(100), tens);
    FAIL("the load went on after a failed commit");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == RecordingBackend::fatal_error);
    CHECK(e.rows_committed() == 30);
    CHECK(e.rows_in_doubt() == 0);
  }
  CHECK(db.committed() == first(30));
}

TEST_CASE("a refused row in a statement of many rows is found by halves and nothing is left behind",
          "[core][policy]") {
  RecordingBackend db;
  db.fail_row(23);  // a row error in the multi-row statement [20, 25), which names no row
  try {
    (void)BulkInserter{db, checkpoints(1)}.insert(table, rows(25), tens);
    FAIL("the refused row was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.kind() == bulkinsert::ErrorKind::row_values);
    CHECK(e.rows() == bulkinsert::RowRange{20, 25});
    CHECK(e.input_row() == std::optional<std::size_t>{23});
    CHECK_THAT(e.what(), Catch::Contains("[input row 23]"));
    CHECK(e.rows_committed() == 20);
  }
  // The search ran in a transaction of its own, rolled back: only the two checkpoints stay.
  CHECK(db.committed() == first(20));
  CHECK_FALSE(db.in_transaction());
  CHECK(trace(db).ends_with("rollback"));
}
