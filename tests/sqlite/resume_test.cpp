// Exactly-once resumable imports on SQLite: a child process imports 1,000,000 generated rows into a
// database file with checkpoints and an import id, and is killed with SIGKILL part-way (the parent
// watches the progress table from its own connection). The parent then resumes the import with the same
// id and input, and the table must equal the input: no row lost, none twice.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <bulkinsert/sqlite.hpp>

#include "support/features.hpp"
#include "support/sqlite.hpp"
#include "support/temp_dir.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::MultiValues;
using bulkinsert::SqliteBackend;

namespace {

constexpr std::size_t n = 1'000'000;

bulkinsert::InsertOptions resumable(const std::string& id) {
  return bulkinsert::InsertOptions{.checkpoint_every_chunks = 5, .import_id = id};
}

/// Runs in the child: the import, then _exit. Never returns into Catch.
[[noreturn]] void child_import(const std::string& path, const std::string& id) {
  int code = 0;
  try {
    SqliteBackend db{path};
    auto rows = test::single_pass<test::Item>(n, [](std::size_t i) { return test::item(i); });
    (void)BulkInserter{db, resumable(id)}.insert(test::items_table(), rows, MultiValues{});
  } catch (...) {
    code = 3;
  }
  ::_exit(code);
}

std::int64_t scalar(SQLite::Database& db, const std::string& sql) {
  for (;;) {
    try {
      return db.execAndGet(sql).getInt64();
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) != SQLITE_BUSY) throw;
    }
  }
}

}  // namespace

TEST_CASE("an import killed with SIGKILL part-way resumes exactly once", "[sqlite][resume]") {
  test::TempDir dir;
  const std::string path = dir.file("import.db");
  const std::string id = fmt::format("sigkill-{}", ::getpid());
  {
    SQLite::Database setup{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    setup.exec("PRAGMA journal_mode = WAL");  // the parent reads while the child writes
    setup.exec("CREATE TABLE items (id INTEGER, name TEXT, qty INTEGER)");  // no key: a duplicate shows as a count
    // The progress table exists before the child starts, so the parent can watch it.
    setup.exec("CREATE TABLE bulkinsert_progress (import_id TEXT NOT NULL, first_row BIGINT NOT NULL, "
               "last_row BIGINT NOT NULL, PRIMARY KEY (import_id, first_row))");
  }  // no connection is open across fork()

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) child_import(path, id);

  std::int64_t seen = 0;
  {
    SQLite::Database watch{path, SQLite::OPEN_READWRITE};
    watch.setBusyTimeout(1000);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    // Kill once at least 100,000 rows are committed (20 checkpoints of 5 chunks of 1,000 rows).
    while ((seen = scalar(watch, "SELECT count(*) FROM bulkinsert_progress")) < 20 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO("progress records seen before the kill: " << seen);
  REQUIRE(seen >= 20);
  REQUIRE(WIFSIGNALED(status));  // killed mid-import, not finished
  REQUIRE(WTERMSIG(status) == SIGKILL);

  SqliteBackend db{path};
  const auto present = static_cast<std::size_t>(db.database().execAndGet("SELECT count(*) FROM items").getInt64());
  const auto recorded = static_cast<std::size_t>(
      db.database().execAndGet("SELECT coalesce(sum(last_row - first_row), 0) FROM bulkinsert_progress").getInt64());
  INFO("rows present after the kill: " << present);
  CHECK(present >= 100'000);
  CHECK(present < n);
  CHECK(present == recorded);  // rows and their progress records commit together
  CHECK(present % 5'000 == 0);

  auto rows = test::single_pass<test::Item>(n, [](std::size_t i) { return test::item(i); });
  const auto report = BulkInserter{db, resumable(id)}.insert(test::items_table(), rows, MultiValues{});
  CHECK(report.rows_skipped == present);
  CHECK(report.rows == n - present);
  SQLite::Statement q{db.database(), "SELECT count(*), count(DISTINCT id), sum(id), min(id), max(id) FROM items"};
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt64() == static_cast<std::int64_t>(n));
  CHECK(q.getColumn(1).getInt64() == static_cast<std::int64_t>(n));
  CHECK(q.getColumn(2).getInt64() == test::id_sum(n));
  CHECK(q.getColumn(3).getInt64() == 0);
  CHECK(q.getColumn(4).getInt64() == static_cast<std::int64_t>(n) - 1);
  CHECK(db.database().execAndGet("SELECT count(*) FROM items WHERE name <> printf('item %07d of the generated stream, padded', id)")
            .getInt64() == 0);
}
