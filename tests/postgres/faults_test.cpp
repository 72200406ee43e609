// Faults on PostgreSQL, with nothing lost or duplicated: the connection terminated between two
// checkpoints, and the server stopped (pg_ctl stop -m immediate) in the middle of a load (a constraint
// failing in the last chunk, which every backend can stage, is in conformance/faults_test.cpp). For each: a clear error, the database holds exactly the committed chunks, the
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
#include <ranges>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <unistd.h>

#include <bulkinsert/postgres.hpp>

#include "support/generated.hpp"
#include "support/postgres.hpp"
#include "support/progress_checks.hpp"
#include "support/schema.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

namespace {

bool is_connection_loss(const std::string& code) {
  // 08xxx: connection exception; 57P01-57P03: the server is shutting down or crashed.
  return code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0;
}

}  // namespace

TEMPLATE_TEST_CASE("a connection terminated between two checkpoints loses nothing and duplicates nothing",
                   "[postgres][faults]", PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.exec("CREATE TABLE t (id bigint PRIMARY KEY, name text UNIQUE NOT NULL)");
  constexpr std::size_t n = 1000;
  const std::string import_id = "terminated";
  const auto options = test::resumable(2, import_id);  // 100-row chunks: commits after chunks 1, 3, 5, ...
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
                    commits_seen = test::progress_rows(test::PgReader{killer}, import_id);
                    pqxx::nontransaction k{killer};
                    k.exec("SELECT pg_terminate_backend(" + std::to_string(victim) + ")");
                    for (int tries = 0; tries < 500; ++tries) {
                      if (k.exec("SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(victim)).empty()) break;
                      std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    }
                  }
                  return test::id_name(i);
                });
    try {
      (void)BulkInserter{loader, options}.insert(test::id_name_table(), rows, test::with_chunk_rows<TestType>(100));
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
  CHECK(test::progress_rows(test::PgReader{killer}, import_id) == 400);
  test::check_table_matches_progress(test::PgReader{killer}, import_id);

  // Resumed on a new connection, with the same input: the table equals the input.
  bulkinsert::PostgresBackend again{db.conninfo()};
  const auto report = BulkInserter{again, options}.insert(test::id_name_table(), test::id_names(n), test::with_chunk_rows<TestType>(100));
  CHECK(report.rows_skipped == 400);
  CHECK(report.rows == 600);
  CHECK(test::progress_rows(test::PgReader{killer}, import_id) == static_cast<std::int64_t>(n));
  test::check_table_equals(test::PgReader{killer}, n);
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
  const auto options = test::resumable(1, import_id);

  // A generator input, slowed down a little so that the load is still running when the server goes.
  std::atomic<bool> stopped{false};
  auto slow_rows = test::generated(n, [&](std::size_t i) {
                     if (i % chunk == 0 && !stopped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
                     return test::id_name(i);
                   });
  // Once two chunks are committed, another thread stops the server as a crash would. (No Catch
  // assertions on that thread: it only reports what it did.)
  int stop_status = -1;
  std::thread stopper{[&] {
    for (int tries = 0; tries < 2000; ++tries) {
      try {
        pqxx::connection watcher{cluster.conninfo()};
        if (test::progress_rows(test::PgReader{watcher}, import_id) >= static_cast<std::int64_t>(2 * chunk)) break;
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
    (void)BulkInserter{loader, options}.insert(test::id_name_table(), slow_rows, test::with_chunk_rows<TestType>(chunk));
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
  const std::int64_t committed = test::progress_rows(test::PgReader{reader}, import_id);
  test::check_table_matches_progress(test::PgReader{reader}, import_id);
  // Every commit the client saw acknowledged is durable. The progress table may hold one chunk more,
  // when the server committed it and died before the client read the acknowledgement; it is the truth.
  CHECK(committed >= static_cast<std::int64_t>(reported_committed));
  CHECK(committed <= static_cast<std::int64_t>(reported_committed + chunk));
  CHECK(committed < static_cast<std::int64_t>(n));

  bulkinsert::PostgresBackend again{cluster.conninfo()};
  const auto report = BulkInserter{again, options}.insert(test::id_name_table(), test::id_names(n), test::with_chunk_rows<TestType>(chunk));
  CHECK(report.rows_skipped == static_cast<std::size_t>(committed));
  CHECK(report.rows == n - static_cast<std::size_t>(committed));
  CHECK(test::progress_rows(test::PgReader{reader}, import_id) == static_cast<std::int64_t>(n));
  test::check_table_equals(test::PgReader{reader}, n);
}
