// Faults on PostgreSQL, with nothing lost or duplicated: a constraint failing in the last chunk, the
// connection terminated between two checkpoints, and the server stopped (pg_ctl stop -m immediate) in
// the middle of a load. For each: a clear error, the database holds exactly the committed chunks, the
// exception and the progress table say how many input rows are committed, and a resumed load ends with
// the table equal to the input.
//
// The server-stop test never touches the fixture's cluster (other tests are using it): it starts a
// throwaway cluster of its own with tests/support/pg_cluster.sh, crashes and restarts it.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <unistd.h>

#include <bulkinsert/postgres.hpp>

#include "support/generated.hpp"
#include "support/postgres.hpp"
#include "support/schema.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

namespace {

using Row = std::tuple<std::int64_t, std::string>;

const bulkinsert::Table<Row>& table() {
  static const bulkinsert::Table<Row> t{"t", {"id", "name"}};
  return t;
}

/// Row i: id i + 1 and a unique name with characters COPY text must escape.
Row row(std::size_t i) { return {static_cast<std::int64_t>(i) + 1, fmt::format("name\t{}\\{}", i, i * 7919 % 1000)}; }

std::vector<Row> input(std::size_t n) {
  std::vector<Row> rows;
  for (std::size_t i = 0; i < n; ++i) rows.push_back(row(i));
  return rows;
}

bulkinsert::InsertOptions resumable(std::size_t every, std::string id) {
  bulkinsert::InsertOptions o = test::checkpoint_every(every);
  o.import_id = std::move(id);
  return o;
}

/// Rows committed according to the progress table.
std::int64_t progress_rows(pqxx::connection_base& c, const std::string& import_id) {
  pqxx::work w{c};
  const auto r = w.exec_params(
      "SELECT coalesce(sum(last_row - first_row), 0) FROM bulkinsert_progress WHERE import_id = $1", import_id);
  return r[0][0].as<std::int64_t>();
}

/// Checks that table t holds exactly input rows [0, n): count, ids and names.
void check_table_equals(pqxx::connection_base& c, std::size_t n) {
  pqxx::work w{c};
  const pqxx::result r = w.exec("SELECT id, name FROM t ORDER BY id");
  REQUIRE(r.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto [id, name] = row(i);
    REQUIRE(r[static_cast<int>(i)][0].as<std::int64_t>() == id);
    REQUIRE(std::string{r[static_cast<int>(i)][1].c_str()} == name);
  }
}

/// Checks that every row of t is an input row inside a range the progress table records, and that their
/// numbers agree: the database holds exactly the committed chunks.
void check_table_matches_progress(pqxx::connection_base& c, const std::string& import_id) {
  pqxx::work w{c};
  const auto outside = w.exec_params(
      "SELECT count(*) FROM t WHERE NOT EXISTS (SELECT 1 FROM bulkinsert_progress p WHERE p.import_id = $1 "
      "AND t.id - 1 >= p.first_row AND t.id - 1 < p.last_row)",
      import_id);
  CHECK(outside[0][0].as<std::int64_t>() == 0);
  const auto missing = w.exec_params(
      "SELECT coalesce(sum(last_row - first_row), 0) - (SELECT count(*) FROM t) FROM bulkinsert_progress "
      "WHERE import_id = $1",
      import_id);
  CHECK(missing[0][0].as<std::int64_t>() == 0);
}

bool is_connection_loss(const std::string& code) {
  // 08xxx: connection exception; 57P01-57P03: the server is shutting down or crashed.
  return code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0;
}

}  // namespace

TEMPLATE_TEST_CASE("a constraint failing in the last chunk on postgres keeps exactly the committed chunks",
                   "[postgres][faults]", PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.exec("CREATE TABLE t (id bigint PRIMARY KEY, name text UNIQUE NOT NULL)");
  auto rows = input(1000);
  std::get<1>(rows[950]) = std::get<1>(rows[10]);  // a duplicate name in chunk 9 of 100-row chunks, the last
  const auto strategy = test::with_chunk_rows<TestType>(100);
  pqxx::connection reader{db.conninfo()};

  SECTION("one transaction: nothing is kept") {
    try {
      (void)BulkInserter{db.backend()}.insert(table(), rows, strategy);
      FAIL("the duplicate was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 9);
      CHECK(e.rows() == bulkinsert::RowRange{900, 1000});
      CHECK(e.code() == "23505");
      CHECK(e.rows_committed() == 0);
    }
    CHECK(db.count("t") == 0);
    rows[950] = row(950);
    CHECK(BulkInserter{db.backend()}.insert(table(), rows, strategy).rows_committed == 1000);
  }
  SECTION("checkpoints: exactly the earlier checkpoints are kept, and a resumed load completes") {
    const auto options = resumable(4, "last-chunk");  // commits after chunks 3 and 7; chunk 8 is rolled back
    try {
      (void)BulkInserter{db.backend(), options}.insert(table(), rows, strategy);
      FAIL("the duplicate was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 9);
      CHECK(e.code() == "23505");
      CHECK(e.rows_committed() == 800);
      CHECK_THAT(std::string{e.what()}, Catch::EndsWith("; 800 input rows committed"));
    }
    CHECK(db.count("t") == 800);
    CHECK(progress_rows(reader, "last-chunk") == 800);
    check_table_matches_progress(reader, "last-chunk");
    rows[950] = row(950);
    const auto report = BulkInserter{db.backend(), options}.insert(table(), rows, strategy);
    CHECK(report.rows_skipped == 800);
    CHECK(report.rows == 200);
    CHECK(report.rows_committed == 200);
    CHECK(progress_rows(reader, "last-chunk") == 1000);
  }
  check_table_equals(reader, 1000);
}

TEMPLATE_TEST_CASE("a connection terminated between two checkpoints loses nothing and duplicates nothing",
                   "[postgres][faults]", PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.exec("CREATE TABLE t (id bigint PRIMARY KEY, name text UNIQUE NOT NULL)");
  constexpr std::size_t n = 1000;
  const std::string import_id = "terminated";
  const auto options = resumable(2, import_id);  // 100-row chunks: commits after chunks 1, 3, 5, ...
  pqxx::connection killer{db.conninfo()};
  int victim = 0;
  {
    bulkinsert::PostgresBackend loader{db.conninfo()};
    victim = loader.connection().backendpid();
    // A generator input: when the loader asks for row 500, chunks 0-3 are committed (two checkpoints)
    // and chunk 4 is sent in the open transaction; the connection is terminated from outside right then.
    std::int64_t commits_seen = -1;
    auto rows = test::generated(n, [&](std::size_t i) {
      if (i == 500) {
        commits_seen = progress_rows(killer, import_id);
        pqxx::nontransaction k{killer};
        k.exec("SELECT pg_terminate_backend(" + std::to_string(victim) + ")");
        for (int tries = 0; tries < 500; ++tries) {
          if (k.exec("SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(victim)).empty()) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
      return row(i);
    });
    try {
      (void)BulkInserter{loader, options}.insert(table(), rows, test::with_chunk_rows<TestType>(100));
      FAIL("the load went on over a terminated connection");
    } catch (const bulkinsert::ChunkError& e) {
      INFO(e.what());
      CHECK(is_connection_loss(e.code()));
      CHECK(e.chunk_index() == 5);
      CHECK(e.rows_committed() == 400);
    }
    CHECK(commits_seen == 400);
  }
  CHECK(db.count("t") == 400);
  CHECK(progress_rows(killer, import_id) == 400);
  check_table_matches_progress(killer, import_id);

  // Resumed on a new connection, with the same input: the table equals the input.
  bulkinsert::PostgresBackend again{db.conninfo()};
  const auto report = BulkInserter{again, options}.insert(table(), input(n), test::with_chunk_rows<TestType>(100));
  CHECK(report.rows_skipped == 400);
  CHECK(report.rows == 600);
  CHECK(progress_rows(killer, import_id) == static_cast<std::int64_t>(n));
  check_table_equals(killer, n);
}

namespace {

/// Runs a shell command; returns its standard output, failing the test on a non-zero exit.
std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> p{::popen(command.c_str(), "r"), ::pclose};
  REQUIRE(p != nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p.get()) != nullptr) out += buf;
  const int status = ::pclose(p.release());
  INFO(command << "\n" << out);
  REQUIRE(status == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

/// A throwaway cluster of this test's own, stopped and removed at the end.
class OwnCluster {
 public:
  OwnCluster() : dir_(fmt::format("/tmp/bi-faults-{}-{}", static_cast<long>(::getpid()), counter()++)) {
    conninfo_ = run(fmt::format("bash '{}' start '{}' {} 2>&1 | tail -n 1", script(), dir_, port));
    // The fixture runs with synchronous_commit off, which an immediate stop may undo (commits still in
    // WAL buffers are lost): committed must mean durable here.
    pqxx::connection c{conninfo_};
    pqxx::nontransaction n{c};
    n.exec("ALTER SYSTEM SET synchronous_commit = on");
    n.exec("SELECT pg_reload_conf()");
  }
  OwnCluster(const OwnCluster&) = delete;
  OwnCluster& operator=(const OwnCluster&) = delete;
  ~OwnCluster() { (void)std::system(fmt::format("bash '{}' stop '{}' >/dev/null 2>&1", script(), dir_).c_str()); }

  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }
  /// pg_ctl stop -m immediate; callable from another thread (no assertions): returns the exit status.
  [[nodiscard]] int stop_immediate_status() const {
    return std::system(fmt::format("bash '{}' stop-immediate '{}' >/dev/null 2>&1", script(), dir_).c_str());
  }
  void restart() { run(fmt::format("bash '{}' restart '{}' {} 2>&1 | tail -n 1", script(), dir_, port)); }

 private:
  static constexpr int port = 5433;  // names the socket file only: the cluster listens on no TCP port
  static const char* script() { return BULKINSERT_PG_CLUSTER_SCRIPT; }
  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }
  std::string dir_;
  std::string conninfo_;
};

}  // namespace

TEMPLATE_TEST_CASE("the server stopped in the middle of a load loses nothing and duplicates nothing",
                   "[postgres][faults]", Copy, ExecuteMany) {
  OwnCluster cluster;
  {
    pqxx::connection c{cluster.conninfo()};
    pqxx::nontransaction{c}.exec("CREATE TABLE t (id bigint PRIMARY KEY, name text UNIQUE NOT NULL)");
  }
  constexpr std::size_t n = 40'000;
  constexpr std::size_t chunk = 500;
  const std::string import_id = "crash";
  const auto options = resumable(1, import_id);

  // A generator input, slowed down a little so that the load is still running when the server goes.
  std::atomic<bool> stopped{false};
  auto slow_rows = test::generated(n, [&](std::size_t i) {
    if (i % chunk == 0 && !stopped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return row(i);
  });
  // Once two chunks are committed, another thread stops the server as a crash would. (No Catch
  // assertions on that thread: it only reports what it did.)
  int stop_status = -1;
  std::thread stopper{[&] {
    for (int tries = 0; tries < 2000; ++tries) {
      try {
        pqxx::connection watcher{cluster.conninfo()};
        if (progress_rows(watcher, import_id) >= static_cast<std::int64_t>(2 * chunk)) break;
      } catch (const std::exception&) {
        // no progress table yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop_status = cluster.stop_immediate_status();
    stopped = true;
  }};
  std::size_t reported_committed = 0;
  try {
    bulkinsert::PostgresBackend loader{cluster.conninfo()};
    (void)BulkInserter{loader, options}.insert(table(), slow_rows, test::with_chunk_rows<TestType>(chunk));
    stopper.join();
    FAIL("the load finished before the server was stopped");
  } catch (const bulkinsert::ChunkError& e) {
    stopper.join();
    INFO(e.what());
    CHECK(is_connection_loss(e.code()));
    reported_committed = e.rows_committed();
    CHECK(reported_committed >= 2 * chunk);
  } catch (...) {
    if (stopper.joinable()) stopper.join();  // never leave a joinable thread behind an exception
    throw;
  }
  REQUIRE(stop_status == 0);
  cluster.restart();

  pqxx::connection reader{cluster.conninfo()};
  const std::int64_t committed = progress_rows(reader, import_id);
  check_table_matches_progress(reader, import_id);
  // Every commit the client saw acknowledged is durable. The progress table may hold one chunk more,
  // when the server committed it and died before the client read the acknowledgement; it is the truth.
  CHECK(committed >= static_cast<std::int64_t>(reported_committed));
  CHECK(committed <= static_cast<std::int64_t>(reported_committed + chunk));
  CHECK(committed < static_cast<std::int64_t>(n));

  bulkinsert::PostgresBackend again{cluster.conninfo()};
  const auto report = BulkInserter{again, options}.insert(table(), input(n), test::with_chunk_rows<TestType>(chunk));
  CHECK(report.rows_skipped == static_cast<std::size_t>(committed));
  CHECK(report.rows == n - static_cast<std::size_t>(committed));
  CHECK(progress_rows(reader, import_id) == static_cast<std::int64_t>(n));
  check_table_equals(reader, n);
}
