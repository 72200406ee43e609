// SQLite waits for its turn: a load beside another connection (on a thread of its own, with its own
// handle on the same file) that holds a read transaction or the write lock, in rollback-journal and WAL
// modes. With the default busy timeout the load waits and succeeds; with a tiny one it fails with a clear
// error and leaves nothing behind. The load takes the write lock when it begins (BEGIN IMMEDIATE).

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <bulkinsert/sqlite.hpp>

#include "support/temp_dir.hpp"

using namespace std::chrono_literals;

namespace {

using Row = std::tuple<std::int64_t, std::string>;
using Clock = std::chrono::steady_clock;

constexpr std::size_t input_rows = 2000;
constexpr std::int64_t holder_id = 1'000'000;  // the row the other connection writes, outside the input's ids

const bulkinsert::Table<Row>& table() {
  static const bulkinsert::Table<Row> t{"t", {"id", "name"}};
  return t;
}

std::vector<Row> input() {
  std::vector<Row> rows;
  for (std::size_t i = 0; i < input_rows; ++i) rows.emplace_back(static_cast<std::int64_t>(i) + 1, fmt::format("row {}", i));
  return rows;
}

/// A database file with table t, in the given journal mode ("delete" or "wal").
std::string make_database(const test::TempDir& dir, const std::string& journal_mode) {
  const std::string path = dir.file("locking.db");
  SQLite::Database db{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  db.exec("PRAGMA journal_mode = " + journal_mode);  // persistent for WAL; DELETE is the default anyway
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  return path;
}

std::int64_t count(const std::string& path) {
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  return db.execAndGet("SELECT count(*) FROM t").getInt64();
}

enum class Hold { read_transaction, write_lock };

/// Another connection to the file, on its own thread: it opens a read transaction (and reads t) or takes
/// the write lock (and writes one row), holds it until release() or `hold` has passed, then commits.
class LockHolder {
 public:
  LockHolder(std::string path, Hold what, Clock::duration hold)
      : thread_([this, path = std::move(path), what, hold] { run(path, what, hold); }) {
    std::unique_lock lock{mutex_};
    changed_.wait(lock, [&] { return holding_ || failure_; });
    if (failure_) {
      lock.unlock();
      thread_.join();
      std::rethrow_exception(failure_);
    }
  }
  LockHolder(const LockHolder&) = delete;
  LockHolder& operator=(const LockHolder&) = delete;
  ~LockHolder() {
    release();
    if (thread_.joinable()) thread_.join();
  }

  void release() {
    const std::lock_guard lock{mutex_};
    release_asked_ = true;
    changed_.notify_all();
  }
  /// Waits for the holder to finish; rethrows what failed on its thread. Returns when it started to commit.
  Clock::time_point join() {
    thread_.join();
    if (failure_) std::rethrow_exception(failure_);
    return released_at_;
  }

 private:
  void run(const std::string& path, Hold what, Clock::duration hold) {
    try {
      SQLite::Database db{path, SQLite::OPEN_READWRITE};
      if (what == Hold::read_transaction) {
        db.exec("BEGIN");
        (void)db.execAndGet("SELECT count(*) FROM t").getInt64();  // the read lock, or WAL snapshot, is taken here
      } else {
        db.exec("BEGIN IMMEDIATE");
        db.exec(fmt::format("INSERT INTO t VALUES ({}, 'holder')", holder_id));
      }
      std::unique_lock lock{mutex_};
      holding_ = true;
      changed_.notify_all();
      changed_.wait_for(lock, hold, [&] { return release_asked_; });
      released_at_ = Clock::now();
      lock.unlock();
      db.exec("COMMIT");
    } catch (...) {
      const std::lock_guard lock{mutex_};
      failure_ = std::current_exception();
      changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool holding_ = false;
  bool release_asked_ = false;
  std::exception_ptr failure_;
  Clock::time_point released_at_{};
  std::thread thread_;  // last: started once the members it uses exist
};

std::int64_t rows_the_holder_writes(Hold what) { return what == Hold::write_lock ? 1 : 0; }

}  // namespace

TEST_CASE("a load waits for another connection's lock, then succeeds", "[sqlite][locking]") {
  const std::string journal_mode = GENERATE(as<std::string>{}, "delete", "wal");
  const Hold what = GENERATE(Hold::read_transaction, Hold::write_lock);
  CAPTURE(journal_mode, what == Hold::write_lock ? "write lock" : "read transaction");
  const test::TempDir dir;
  const std::string path = make_database(dir, journal_mode);
  bulkinsert::SqliteBackend db{path};
  const auto rows = input();

  if (journal_mode == "wal" && what == Hold::read_transaction) {
    // In WAL mode readers never block the writer: the load finishes while the reader still holds its snapshot.
    LockHolder reader{path, what, 1h};
    CHECK(bulkinsert::BulkInserter{db}.insert(table(), rows).rows == input_rows);
    reader.release();
    reader.join();
    CHECK(count(path) == static_cast<std::int64_t>(input_rows));
    return;
  }
  // A rollback-journal reader blocks the load's COMMIT; a writer blocks its BEGIN IMMEDIATE. Either way
  // the load can only end after the other connection let go, well within the default 5 s.
  LockHolder holder{path, what, 300ms};
  const auto report = bulkinsert::BulkInserter{db}.insert(table(), rows);
  const auto finished = Clock::now();
  const auto released = holder.join();
  CHECK(report.rows == input_rows);
  CHECK(report.rows_committed == input_rows);
  CHECK(finished >= released);
  CHECK(count(path) == static_cast<std::int64_t>(input_rows) + rows_the_holder_writes(what));
}

TEST_CASE("a load that cannot get the lock within its busy timeout fails cleanly", "[sqlite][locking]") {
  struct Case {
    std::string journal_mode;
    Hold what;
  };
  // A WAL reader blocks nobody (above), so it has no case here.
  const Case c = GENERATE(Case{"delete", Hold::read_transaction}, Case{"delete", Hold::write_lock},
                          Case{"wal", Hold::write_lock});
  CAPTURE(c.journal_mode, c.what == Hold::write_lock ? "write lock" : "read transaction");
  const test::TempDir dir;
  const std::string path = make_database(dir, c.journal_mode);
  bulkinsert::SqliteBackend db{path, bulkinsert::SqliteOptions{.busy_timeout = 10ms}};
  const auto rows = input();
  {
    LockHolder holder{path, c.what, 1h};
    try {
      (void)bulkinsert::BulkInserter{db}.insert(table(), rows);
      FAIL("the load did not fail while another connection held the lock");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK((std::stoi(e.code()) & 0xff) == SQLITE_BUSY);
      CHECK_THAT(e.what(), Catch::Contains("database is locked") &&
                               Catch::Contains("longer than the busy timeout of 10 ms: SqliteOptions::busy_timeout") &&
                               Catch::Contains("0 input rows committed"));
      CHECK(e.rows_committed() == 0);
      // BEGIN and COMMIT go through SQLiteCpp: the ChunkError nests the backend's DatabaseError, which
      // nests SQLiteCpp's own exception.
      const auto* chunk_nested = dynamic_cast<const std::nested_exception*>(&e);
      REQUIRE(chunk_nested != nullptr);
      try {
        chunk_nested->rethrow_nested();
      } catch (const bulkinsert::ChunkError&) {
        FAIL("a ChunkError nests another ChunkError");
      } catch (const bulkinsert::DatabaseError& cause) {
        CHECK(cause.code() == e.code());
        CHECK(cause.message() == e.message());
        CHECK_THROWS_AS(std::rethrow_if_nested(cause), SQLite::Exception);
      }
    }
    holder.release();
    holder.join();
  }
  // Nothing of the load is in the file, and the backend has no transaction left open: it loads again.
  CHECK(count(path) == rows_the_holder_writes(c.what));
  CHECK(bulkinsert::BulkInserter{db}.insert(table(), rows).rows == input_rows);
  CHECK(count(path) == static_cast<std::int64_t>(input_rows) + rows_the_holder_writes(c.what));
}

TEST_CASE("a load takes the write lock when it begins", "[sqlite][locking]") {
  const std::string journal_mode = GENERATE(as<std::string>{}, "delete", "wal");
  CAPTURE(journal_mode);
  const test::TempDir dir;
  const std::string path = make_database(dir, journal_mode);
  bulkinsert::SqliteBackend db{path};
  db.begin();  // what every load does first, before any statement
  SQLite::Database other{path, SQLite::OPEN_READWRITE};  // busy timeout 0: fails at once if locked
  try {
    other.exec("BEGIN IMMEDIATE");
    FAIL("another connection took the write lock while the backend's transaction was open");
  } catch (const SQLite::Exception& e) {
    CHECK((e.getExtendedErrorCode() & 0xff) == SQLITE_BUSY);
  }
  db.rollback();
  other.exec("BEGIN IMMEDIATE");
  other.exec("ROLLBACK");
}

TEST_CASE("a database the backend opens waits 5 s for locks by default", "[sqlite][locking]") {
  const test::TempDir dir;
  const std::string path = dir.file("timeout.db");
  const auto busy_timeout = [](bulkinsert::SqliteBackend& b) {
    return b.database().execAndGet("PRAGMA busy_timeout").getInt64();
  };
  bulkinsert::SqliteBackend by_default{path};
  CHECK(busy_timeout(by_default) == 5000);
  bulkinsert::SqliteBackend with_flags{path, SQLite::OPEN_READWRITE};
  CHECK(busy_timeout(with_flags) == 5000);
  bulkinsert::SqliteBackend configured{path, {.busy_timeout = 250ms}};
  CHECK(busy_timeout(configured) == 250);
  bulkinsert::SqliteBackend at_once{path, {.open_flags = SQLite::OPEN_READWRITE, .busy_timeout = 0ms}};
  CHECK(busy_timeout(at_once) == 0);

  CHECK_THROWS_MATCHES(bulkinsert::SqliteBackend(path, {.busy_timeout = -1ms}), bulkinsert::InputError,
                       Catch::Matchers::Message("SqliteOptions::busy_timeout of -1 ms is out of range (0 to 2147483647 ms)"));
  CHECK_THROWS_AS(bulkinsert::SqliteBackend(path, {.busy_timeout = 30 * 24h}), bulkinsert::InputError);

  // A borrowed database keeps the timeout its owner gave it.
  SQLite::Database mine{path, SQLite::OPEN_READWRITE, 1234};
  bulkinsert::SqliteBackend borrowed{mine};
  CHECK(busy_timeout(borrowed) == 1234);
}

TEST_CASE("a database that cannot be opened is named in the error", "[sqlite][locking]") {
  const test::TempDir dir;
  const std::string path = dir.file("no/such/directory/app.db");
  try {
    bulkinsert::SqliteBackend db{path};
    FAIL("opened " << path);
  } catch (const bulkinsert::DatabaseError& e) {
    CHECK(e.code() == "14");
    CHECK(std::string{e.what()} == fmt::format("[14] unable to open database file: \"{}\"", path));
  }
}
