// bench_sqlite: the library's SQLite strategies against the hand-written sqlite3 loop, on a
// database file in a fresh temporary directory. See benchmarks/README.md.

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include <bulkinsert/sqlite.hpp>

#include "baselines/sqlite_prepared_loop.hpp"
#include "harness.hpp"

namespace {

using harness::Workload;

/// A raw connection, configured as every inserting connection is, and opened as SqliteBackend opens
/// its own: in multi-thread mode (SQLITE_OPEN_NOMUTEX), as a careful single-threaded loader would.
class Connection {
 public:
  explicit Connection(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open " + path + ": " + msg);
    }
    exec(harness::sqlite_connection_sql);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { sqlite3_close_v2(db_); }

  [[nodiscard]] sqlite3* get() const noexcept { return db_; }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw std::runtime_error("sqlite: " + msg + " (in: " + sql.substr(0, 60) + ")");
    }
  }
  [[nodiscard]] std::size_t count(Workload w) {
    const std::string sql = fmt::format("SELECT count(*) FROM {}", harness::table_name(w));
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
      sqlite3_finalize(st);
      throw std::runtime_error(std::string{"sqlite: "} + sqlite3_errmsg(db_));
    }
    const auto n = static_cast<std::size_t>(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return n;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string g_path;  // the database file, in a temporary directory

/// Resets and counts through a connection of its own, the same for library and baseline.
struct Admin {
  Connection conn{g_path};
  void reset(Workload w) { conn.exec(harness::reset_sql_sqlite(w)); }
  std::size_t count(Workload w) { return conn.count(w); }
};

template <class Strategy>
void bm_library(benchmark::State& state, Workload w, Strategy strategy) {
  Admin admin;
  bulkinsert::SqliteBackend db{g_path};
  db.execute(harness::sqlite_connection_sql);
  harness::library_inserts(state, w, admin, db, strategy);
}

void bm_prepared_loop(benchmark::State& state, Workload w) {
  Admin admin;
  Connection conn{g_path};
  baselines::SqlitePreparedLoop loop{conn.get()};
  harness::baseline_inserts(state, w, admin, loop);
}

void bm_stream(benchmark::State& state) {
  Admin admin;
  bulkinsert::SqliteBackend db{g_path};
  db.execute(harness::sqlite_connection_sql);
  harness::library_stream(state, admin, db, bulkinsert::MultiValues{});
}

void register_all(const harness::Options& o) {
  for (const Workload w : {Workload::article, Workload::light}) {
    const std::string s{harness::name_suffix(w)};
    auto reg = [&](const std::string& name, auto fn) {
      harness::configure(benchmark::RegisterBenchmark(("BM_Sqlite_" + name + s).c_str(), fn), o.rows);
    };
    reg("PerRow", [w](benchmark::State& st) { bm_library(st, w, bulkinsert::PerRow{}); });
    reg("MultiValues", [w](benchmark::State& st) { bm_library(st, w, bulkinsert::MultiValues{}); });
    reg("ExecuteMany", [w](benchmark::State& st) { bm_library(st, w, bulkinsert::ExecuteMany{}); });
    reg("Baseline_PreparedLoop", [w](benchmark::State& st) { bm_prepared_loop(st, w); });
  }
  // MultiValues rows_per_statement sweep, light schema (0 = as many as SQLITE_LIMIT_VARIABLE_NUMBER allows).
  for (const std::size_t rps : {100, 500, 1000, 5000, 0}) {
    const std::string name = rps == 0 ? std::string{"BM_Sqlite_MultiValuesSweep_Light/rps:max"}
                                      : fmt::format("BM_Sqlite_MultiValuesSweep_Light/rps:{}", rps);
    harness::configure(benchmark::RegisterBenchmark(name.c_str(), [rps](benchmark::State& st) {
      bm_library(st, Workload::light, bulkinsert::MultiValues{.rows_per_statement = rps});
    }), o.rows);
  }
  if (o.stream) harness::configure_stream(benchmark::RegisterBenchmark("BM_Sqlite_MultiValues_Stream1M", bm_stream));
}

}  // namespace

int main(int argc, char** argv) {
  harness::Options o = harness::parse_options(argc, argv);
  if (o.pg || o.pg_start) fmt::print(stderr, "bench_sqlite: --pg / --pg-start are for bench_postgres; ignored\n");

  const harness::TempDir dir{"bulkinsert-bench-sqlite-"};
  g_path = (dir.path() / "bench.db").string();
  {
    Connection setup{g_path};
    setup.exec(harness::roles_sql_sqlite());
    harness::add_common_context(o);
    benchmark::AddCustomContext("sqlite_version", sqlite3_libversion());
    benchmark::AddCustomContext("sqlite_source_id", sqlite3_sourceid());
    benchmark::AddCustomContext("sqlitecpp_version", SQLITECPP_VERSION);
    benchmark::AddCustomContext("sqlite_max_variable_number",
                                std::to_string(sqlite3_limit(setup.get(), SQLITE_LIMIT_VARIABLE_NUMBER, -1)));
    benchmark::AddCustomContext("sqlite_database", g_path + " (journal_mode=delete, synchronous=full: the defaults)");
  }
  register_all(o);

  int bargc = static_cast<int>(o.benchmark_argv.size()) - 1;
  benchmark::Initialize(&bargc, o.benchmark_argv.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, o.benchmark_argv.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
