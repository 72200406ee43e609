// Exactly-once resumable imports on PostgreSQL: the loader's server connection is killed in the middle
// of a 1,000,000-row import (pg_terminate_backend from another session, fired by the input itself when
// it reaches row 500,000), and a new connection resumes with the same import id and the same input.
// The table must then equal the input: no row lost, none twice.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <bulkinsert/parallel.hpp>
#include <bulkinsert/postgres.hpp>

#include "support/features.hpp"
#include "support/postgres.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PostgresBackend;

namespace {

/// A unique import id per test run, so no earlier run's progress can be picked up.
std::string import_id(std::string_view what) {
  return fmt::format("{}-{}-{}", what, ::getpid(), bulkinsert::now_utc().time_since_epoch().count());
}

/// Terminates backend `pid` from a session of its own and waits until it has gone.
void terminate_backend(int pid) {
  pqxx::connection c{test::pg_conninfo()};
  pqxx::nontransaction t{c};
  const auto r = t.exec(fmt::format("SELECT pg_terminate_backend({}, 10000)", pid));
  if (std::string{r[0][0].c_str()} != "t") throw std::runtime_error(fmt::format("backend {} was not terminated", pid));
}

void check_equals_input(test::PgDb& db, std::size_t n) {
  const auto r = db.query("SELECT count(*), count(DISTINCT id), coalesce(sum(id), 0), min(id), max(id) FROM items");
  CHECK(r[0][0].as<std::int64_t>() == static_cast<std::int64_t>(n));
  CHECK(r[0][1].as<std::int64_t>() == static_cast<std::int64_t>(n));
  CHECK(r[0][2].as<std::int64_t>() == test::id_sum(n));
  CHECK(r[0][3].as<std::int64_t>() == 0);
  CHECK(r[0][4].as<std::int64_t>() == static_cast<std::int64_t>(n) - 1);
  CHECK(db.count("items WHERE name <> 'item ' || lpad(id::text, 7, '0') || ' of the generated stream, padded'") == 0);
}

/// What the table holds after a failure against what the ChunkError said: exactly the committed rows,
/// or, when the kill landed while a COMMIT was on its way (its outcome unknown to the client), those
/// plus either none or all of the rows in doubt.
void check_committed(std::size_t present, std::size_t committed, std::size_t in_doubt) {
  INFO("present " << present << ", committed " << committed << ", in doubt " << in_doubt);
  CHECK((present == committed || (in_doubt != 0 && present == committed + in_doubt)));
}

/// The committed ranges recorded for `id`, as [first, last) pairs ordered by first.
std::vector<bulkinsert::RowRange> progress(test::PgDb& db, const std::string& id) {
  std::vector<bulkinsert::RowRange> out;
  for (const auto& r : db.query(fmt::format("SELECT first_row, last_row FROM bulkinsert_progress WHERE import_id = '{}' "
                                            "ORDER BY first_row", id)))
    out.push_back({r[0].as<std::size_t>(), r[1].as<std::size_t>()});
  return out;
}

std::size_t covered(const std::vector<bulkinsert::RowRange>& ranges) {
  std::size_t n = 0;
  for (const auto& r : ranges) n += r.size();
  return n;
}

template <class Strategy>
void kill_and_resume(std::size_t n, std::size_t kill_at, Strategy strategy, std::size_t checkpoint_every) {
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint, name text, qty bigint)");  // no key: a duplicate would show as a count
  const std::string id = import_id(Strategy::name);
  const bulkinsert::InsertOptions options{.checkpoint_every_chunks = checkpoint_every, .import_id = id};

  std::size_t committed_at_failure = 0;
  std::size_t in_doubt_at_failure = 0;
  {
    PostgresBackend loader{db.conninfo()};
    const int pid = loader.connection().backendpid();
    bool killed = false;
    auto rows = test::single_pass<test::Item>(n, [&](std::size_t i) {
      if (i == kill_at && !killed) {
        killed = true;
        terminate_backend(pid);
      }
      return test::item(i);
    });
    BulkInserter ins{loader, options};
    try {
      (void)ins.insert(test::items_table(), rows, strategy);
      FAIL("the import survived its connection being killed");
    } catch (const bulkinsert::ChunkError& e) {
      INFO(e.what());
      CHECK(killed);
      CHECK((e.code() == "57P01" || e.code().rfind("08", 0) == 0));  // admin_shutdown or a connection failure
      CHECK(e.rows().first <= kill_at);
      committed_at_failure = e.rows_committed();
      in_doubt_at_failure = e.rows_in_doubt();
    }
  }
  const auto ranges = progress(db, id);
  const auto present = static_cast<std::size_t>(db.count("items"));
  INFO("committed " << present << " rows in " << ranges.size() << " progress records");
  CHECK(present > 0);
  CHECK(present < n);
  check_committed(present, committed_at_failure, in_doubt_at_failure);
  CHECK(covered(ranges) == present);  // the progress table says exactly which rows are in
  CHECK(db.count(fmt::format("items WHERE id >= {}", covered(ranges))) == 0);

  // Resume: a new connection, the same import id, the same input.
  PostgresBackend again{db.conninfo()};
  auto rows = test::single_pass<test::Item>(n, [](std::size_t i) { return test::item(i); });
  const auto report = BulkInserter{again, options}.insert(test::items_table(), rows, strategy);
  CHECK(report.rows_skipped == present);
  CHECK(report.rows == n - present);
  CHECK(report.rows_committed == n - present);
  check_equals_input(db, n);
  CHECK(covered(progress(db, id)) == n);

  // A third run of a finished import sends nothing.
  auto rows3 = test::single_pass<test::Item>(n, [](std::size_t i) { return test::item(i); });
  const auto third = BulkInserter{again, options}.insert(test::items_table(), rows3, strategy);
  CHECK(third.rows == 0);
  CHECK(third.rows_skipped == n);
  check_equals_input(db, n);
}

}  // namespace

TEST_CASE("a copy import killed at row 500000 of 1000000 resumes exactly once", "[postgres][resume]") {
  // Row 500,000 is in chunk 25; the transaction holding chunks 24-26 is open when the connection dies.
  kill_and_resume(1'000'000, 500'000, Copy{.rows_per_chunk = 20'000}, 3);
}

TEST_CASE("a multi_values import killed mid-way resumes exactly once", "[postgres][resume]") {
  kill_and_resume(200'000, 123'457, MultiValues{}, 10);
}

TEST_CASE("an execute_many import killed mid-way resumes exactly once", "[postgres][resume]") {
  kill_and_resume(60'000, 38'000, ExecuteMany{.rows_per_chunk = 5'000}, 2);
}

TEST_CASE("a connection killed right after a checkpoint fails with a ChunkError counting the committed rows",
          "[postgres][resume]") {
  // The kill lands between transactions: chunk 20 is the first of a new one, so the failure comes from
  // BEGIN on the dead connection. It must still be a ChunkError naming chunk 20 and the 500,000
  // committed rows, and the import must resume exactly.
  kill_and_resume(600'000, 500'000, Copy{.rows_per_chunk = 25'000}, 2);
}

TEST_CASE("a connection lost during COMMIT reports those rows in doubt, and resuming settles them",
          "[postgres][resume]") {
  // A deferred trigger runs inside COMMIT; on the row with id 4,500 it terminates its own backend, so the
  // client sends COMMIT for chunk 4 and gets no answer: only the server knows what became of it.
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint, name text, qty bigint)");
  db.exec("CREATE FUNCTION die_in_commit() RETURNS trigger LANGUAGE plpgsql AS "
          "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$");
  db.exec("CREATE CONSTRAINT TRIGGER die_in_commit AFTER INSERT ON items DEFERRABLE INITIALLY DEFERRED "
          "FOR EACH ROW WHEN (NEW.id = 4500) EXECUTE FUNCTION die_in_commit()");
  std::vector<test::Item> rows;
  for (std::size_t i = 0; i < 10'000; ++i) rows.push_back(test::item(i));
  const bulkinsert::InsertOptions options{.checkpoint_every_chunks = 1, .import_id = import_id("in-doubt")};
  {
    PostgresBackend loader{db.conninfo()};
    try {
      (void)BulkInserter{loader, options}.insert(test::items_table(), rows, Copy{.rows_per_chunk = 1'000});
      FAIL("the import survived its connection ending inside COMMIT");
    } catch (const bulkinsert::ChunkError& e) {
      INFO(e.what());
      CHECK(e.kind() == bulkinsert::ErrorKind::commit_in_doubt);
      CHECK(e.code() == "08007");
      CHECK(e.chunk_index() == 4);
      CHECK(e.rows() == bulkinsert::RowRange{4'000, 5'000});
      CHECK(e.rows_committed() == 4'000);
      CHECK(e.rows_in_doubt() == 1'000);
      CHECK(std::string_view{e.what()}.find("4000 input rows committed, 1000 more in doubt") != std::string_view::npos);
    }
  }
  // The server ended the transaction before it committed: none of the rows in doubt are there.
  CHECK(db.count("items") == 4'000);
  CHECK(covered(progress(db, options.import_id)) == 4'000);

  db.exec("DROP TRIGGER die_in_commit ON items");
  const auto report = BulkInserter{db.backend(), options}.insert(test::items_table(), rows, Copy{.rows_per_chunk = 1'000});
  CHECK(report.rows_skipped == 4'000);
  CHECK(report.rows == 6'000);
  check_equals_input(db, 10'000);
}

TEST_CASE("a parallel import with 2 workers killed mid-way resumes exactly once", "[postgres][resume][parallel]") {
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint, name text, qty bigint)");
  constexpr std::size_t n = 400'000;
  const std::string id = import_id("parallel");
  const bulkinsert::InsertOptions options{.checkpoint_every_chunks = 2, .import_id = id};
  auto connect = [&] { return std::make_unique<PostgresBackend>(db.conninfo()); };

  std::size_t committed_at_failure = 0;
  std::size_t in_doubt_at_failure = 0;
  {
    bulkinsert::ParallelInserter<PostgresBackend> parallel{connect, 2, options};
    const int pid = parallel.backend(1).connection().backendpid();
    bool killed = false;
    auto rows = test::single_pass<test::Item>(n, [&](std::size_t i) {
      if (i == 210'000 && !killed) {
        killed = true;
        terminate_backend(pid);
      }
      return test::item(i);
    });
    try {
      (void)parallel.insert(test::items_table(), rows, Copy{.rows_per_chunk = 10'000});
      FAIL("the import survived a worker's connection being killed");
    } catch (const bulkinsert::ChunkError& e) {
      INFO(e.what());
      CHECK(killed);
      committed_at_failure = e.rows_committed();
      in_doubt_at_failure = e.rows_in_doubt();
    }
  }
  const auto present = static_cast<std::size_t>(db.count("items"));
  CHECK(present > 0);
  CHECK(present < n);
  check_committed(present, committed_at_failure, in_doubt_at_failure);
  CHECK(covered(progress(db, id)) == present);

  bulkinsert::ParallelInserter<PostgresBackend> resumed{connect, 2, options};
  auto rows = test::single_pass<test::Item>(n, [](std::size_t i) { return test::item(i); });
  const auto report = resumed.insert(test::items_table(), rows, Copy{.rows_per_chunk = 10'000});
  CHECK(report.rows_skipped == present);
  CHECK(report.rows == n - present);
  check_equals_input(db, n);
}

TEST_CASE("a parallel import failing on bad input resumes exactly once after the fix", "[postgres][resume][parallel]") {
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint, name text, qty bigint CHECK (qty >= 0))");
  constexpr std::size_t n = 100'000;
  std::vector<test::Item> rows;
  for (std::size_t i = 0; i < n; ++i) rows.push_back(test::item(i));
  rows[61'234].qty = -1;
  const bulkinsert::InsertOptions options{.checkpoint_every_chunks = 1, .import_id = import_id("parallel-fix")};
  auto connect = [&] { return std::make_unique<PostgresBackend>(db.conninfo()); };
  bulkinsert::ParallelInserter<PostgresBackend> parallel{connect, 2, options};
  try {
    (void)parallel.insert(test::items_table(), rows, MultiValues{.rows_per_statement = 5'000});
    FAIL("no exception");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == "23514");
    CHECK(e.chunk_index() == 12);
    CHECK(e.rows() == bulkinsert::RowRange{60'000, 65'000});
    CHECK(static_cast<std::size_t>(db.count("items")) == e.rows_committed());
  }
  rows[61'234].qty = 234;
  const auto report = parallel.insert(test::items_table(), rows, MultiValues{.rows_per_statement = 5'000});
  CHECK(report.rows + report.rows_skipped == n);
  check_equals_input(db, n);
}
