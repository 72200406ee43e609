// bench_postgres: the library's PostgreSQL strategies against hand-written libpq (COPY BINARY,
// multi-row VALUES) and the server's own COPY from a file. Needs a server: --pg=CONNSTR,
// $BULKINSERT_BENCH_PG, or --pg-start for a throwaway local cluster. See benchmarks/README.md.

#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <pqxx/version>

#include <bulkinsert/postgres.hpp>

#include "baselines/libpq_support.hpp"
#include "baselines/pg_copy_binary.hpp"
#include "baselines/pg_multi_values.hpp"
#include "baselines/pg_server_copy.hpp"
#include "harness.hpp"

namespace {

using harness::Workload;

/// A raw libpq connection.
class Connection {
 public:
  explicit Connection(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c_);
      PQfinish(c_);
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      throw std::runtime_error("cannot connect to PostgreSQL (" + conninfo + "): " + msg);
    }
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { PQfinish(c_); }
  [[nodiscard]] PGconn* get() const noexcept { return c_; }

 private:
  PGconn* c_;
};

std::string g_conninfo;
std::filesystem::path g_server_file;  // the rows for Baseline_ServerCopy, written before timing

/// Resets, checkpoints and counts through a connection of its own, the same for library and baselines.
class Admin {
 public:
  Admin() : conn_(g_conninfo) { baselines::pg_exec(conn_.get(), "SET client_min_messages = warning"); }
  void reset(Workload w) {
    baselines::pg_exec(conn_.get(), harness::reset_sql_postgres(w));
    // A checkpoint now, untimed, rather than one the WAL volume triggers inside some timed run.
    // It needs superuser or pg_checkpoint (PostgreSQL 15); without either, runs are just noisier.
    if (checkpoint_) {
      baselines::PgResult r{PQexec(conn_.get(), "CHECKPOINT")};
      checkpoint_ = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
    }
  }
  std::size_t count(Workload w) {
    const auto r = baselines::pg_exec(conn_.get(), fmt::format("SELECT count(*) FROM {}", harness::table_name(w)),
                                      PGRES_TUPLES_OK);
    return static_cast<std::size_t>(std::strtoull(PQgetvalue(r.get(), 0, 0), nullptr, 10));
  }

 private:
  Connection conn_;
  bool checkpoint_ = true;
};

template <class Strategy>
void bm_library(benchmark::State& state, Workload w, Strategy strategy) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& rows = harness::users(n);
  const auto table = harness::users_table(w);
  Admin admin;
  bulkinsert::PostgresBackend db{g_conninfo};
  bulkinsert::BulkInserter ins{db};
  harness::timed_inserts(
      state, n, [&] { admin.reset(w); }, [&] { return harness::sent_of(ins.insert(table, rows, strategy)); },
      [&] { return admin.count(w); });
}

/// A hand-written baseline: Baseline(PGconn*) with insert(table, rows) -> harness::Sent.
template <class Baseline>
void bm_baseline(benchmark::State& state, Workload w) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& rows = harness::users(n);
  Admin admin;
  Connection conn{g_conninfo};
  Baseline baseline{conn.get()};
  harness::timed_inserts(
      state, n, [&] { admin.reset(w); }, [&] { return baseline.insert(harness::table_name(w), rows); },
      [&] { return admin.count(w); });
}

void bm_server_copy(benchmark::State& state, Workload w) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Admin admin;
  Connection conn{g_conninfo};
  baselines::PgServerCopy copy{conn.get(), g_server_file};
  harness::timed_inserts(
      state, n, [&] { admin.reset(w); }, [&] { return copy.insert(harness::table_name(w), n); },
      [&] { return admin.count(w); });
}

template <class Strategy>
void bm_stream(benchmark::State& state, Strategy strategy) {
  const Workload w = Workload::article;
  const auto table = harness::users_table(w);
  Admin admin;
  bulkinsert::PostgresBackend db{g_conninfo};
  bulkinsert::BulkInserter ins{db};
  harness::timed_stream(
      state, harness::stream_rows, [&] { admin.reset(w); },
      [&] { return harness::sent_of(ins.insert(table, harness::user_stream(harness::stream_rows), strategy)); },
      [&] { return admin.count(w); });
}

void register_all(const harness::Options& o) {
  for (const Workload w : {Workload::article, Workload::light}) {
    const std::string s{harness::name_suffix(w)};
    auto reg = [&](const std::string& name, std::size_t rows, auto fn) {
      harness::configure(benchmark::RegisterBenchmark(("BM_Postgres_" + name + s).c_str(), fn), rows);
    };
    // One round trip per row (~6k rows/s): a tenth of the rows keeps the run short; rows/s stays honest.
    reg("PerRow", harness::per_row_rows(o.rows), [w](benchmark::State& st) { bm_library(st, w, bulkinsert::PerRow{}); });
    reg("MultiValues", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::MultiValues{}); });
    reg("ExecuteMany", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::ExecuteMany{}); });
    reg("Copy", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::Copy{}); });
    reg("Baseline_CopyBinary", o.rows, [w](benchmark::State& st) { bm_baseline<baselines::PgCopyBinary>(st, w); });
    reg("Baseline_MultiValues", o.rows, [w](benchmark::State& st) { bm_baseline<baselines::PgMultiValues>(st, w); });
    reg("Baseline_ServerCopy", o.rows, [w](benchmark::State& st) { bm_server_copy(st, w); });
  }
  if (o.stream) {
    harness::configure_stream(benchmark::RegisterBenchmark(
        "BM_Postgres_Copy_Stream1M", [](benchmark::State& st) { bm_stream(st, bulkinsert::Copy{}); }));
    harness::configure_stream(benchmark::RegisterBenchmark(
        "BM_Postgres_MultiValues_Stream1M", [](benchmark::State& st) { bm_stream(st, bulkinsert::MultiValues{}); }));
  }
}

std::string libpq_version() {
  const int v = PQlibVersion();  // major * 10000 + minor since PostgreSQL 10
  return v >= 100000 ? fmt::format("{}.{}", v / 10000, v % 10000) : std::to_string(v);
}

harness::ThrowawayCluster* g_cluster = nullptr;

extern "C" void stop_cluster_and_exit(int sig) {
  if (g_cluster != nullptr) g_cluster->stop_now();
  ::_exit(128 + sig);
}

}  // namespace

int main(int argc, char** argv) {
  harness::Options o = harness::parse_options(argc, argv);

  std::unique_ptr<harness::ThrowawayCluster> cluster;
  if (o.pg_start) {
    const std::string dir = fmt::format("/tmp/bulkinsert-bench-pg-{}", ::getpid());
    try {
      cluster = std::make_unique<harness::ThrowawayCluster>(BULKINSERT_PG_CLUSTER_SCRIPT, dir, 54331);
    } catch (const std::exception& e) {
      fmt::print(stderr, "bench_postgres: --pg-start: {}\n", e.what());
      return 1;
    }
    g_cluster = cluster.get();
    for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGABRT}) std::signal(sig, stop_cluster_and_exit);
    o.pg = cluster->conninfo();
    fmt::print(stderr, "bench_postgres: started a throwaway cluster in {}: {}\n", dir, *o.pg);
  }

  std::optional<harness::TempDir> file_dir;
  if (!o.pg) {
    fmt::print(stderr,
               "bench_postgres: no PostgreSQL connection, so no benchmark is registered. Pass --pg=CONNSTR, set "
               "BULKINSERT_BENCH_PG to a libpq connection string, or pass --pg-start to start a throwaway local "
               "cluster.\n");
  } else {
    g_conninfo = *o.pg;
    try {
      Connection setup{g_conninfo};
      baselines::pg_exec(setup.get(), "SET client_min_messages = warning;" + harness::roles_sql_postgres());
      const auto version = baselines::pg_exec(setup.get(), "SELECT version()", PGRES_TUPLES_OK);
      harness::add_common_context(o);
      benchmark::AddCustomContext("libpq_version", libpq_version());
      benchmark::AddCustomContext("libpqxx_version", PQXX_VERSION);
      benchmark::AddCustomContext("postgres_server_version", PQparameterStatus(setup.get(), "server_version"));
      benchmark::AddCustomContext("postgres_server", PQgetvalue(version.get(), 0, 0));
      benchmark::AddCustomContext("postgres_conninfo", g_conninfo);
      benchmark::AddCustomContext("per_row_rows", std::to_string(harness::per_row_rows(o.rows)));

      // The server process (OS user postgres) must be able to read the file: a world-readable directory.
      file_dir.emplace("bulkinsert-bench-pgfile-");
      ::chmod(file_dir->path().c_str(), 0755);
      g_server_file = file_dir->path() / "users.copy";
      baselines::write_copy_binary_file(g_server_file, harness::users(o.rows));
    } catch (const std::exception& e) {
      fmt::print(stderr, "bench_postgres: {}\n", e.what());
      return 1;
    }
    register_all(o);
  }

  int bargc = static_cast<int>(o.benchmark_argv.size()) - 1;
  benchmark::Initialize(&bargc, o.benchmark_argv.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, o.benchmark_argv.data())) return 1;
  if (o.pg) benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_cluster = nullptr;
  return 0;
}
