// bench_mariadb: the library's MariaDB strategies against hand-written Connector/C (array binding,
// multi-row prepared INSERT, LOAD DATA LOCAL from memory) and the server alone (INSERT ... SELECT from
// the Sequence engine). Needs a server: --mariadb=URL, $BULKINSERT_BENCH_MARIADB, or --mariadb-start
// for a throwaway one at default durability. See benchmarks/README.md.

#include <mysql.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/mariadb.hpp>

#include "baselines/mariadb_array_binding.hpp"
#include "baselines/mariadb_load_data.hpp"
#include "baselines/mariadb_multi_values.hpp"
#include "baselines/mariadb_server_insert.hpp"
#include "baselines/mariadb_support.hpp"
#include "harness.hpp"

namespace {

using harness::Workload;

std::string g_url;

/// Resets and counts through a connection of its own, the same for library and baselines.
class Admin {
 public:
  void reset(Workload w) {
    for (const std::string& sql : harness::reset_sql_mariadb(w)) conn_.exec(sql);
  }
  std::size_t count(Workload w) {
    return std::stoull(baselines::mariadb_scalar(conn_.get(), fmt::format("SELECT count(*) FROM {}", harness::table_name(w))));
  }

 private:
  baselines::MariadbConnection conn_{g_url};
};

template <class Strategy>
void bm_library(benchmark::State& state, Workload w, Strategy strategy) {
  Admin admin;
  bulkinsert::MariadbBackend db{g_url};
  harness::library_inserts(state, w, admin, db, strategy);
}

/// A hand-written baseline: Baseline(MYSQL*) with insert(table, rows) -> harness::Sent.
template <class Baseline>
void bm_baseline(benchmark::State& state, Workload w) {
  Admin admin;
  baselines::MariadbConnection conn{g_url};
  Baseline baseline{conn.get()};
  harness::baseline_inserts(state, w, admin, baseline);
}

void bm_server_insert(benchmark::State& state, Workload w) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Admin admin;
  baselines::MariadbConnection conn{g_url};
  baselines::MariadbServerInsert server{conn.get()};
  harness::timed_inserts(
      state, n, [&] { admin.reset(w); }, [&] { return server.insert(harness::table_name(w), n); },
      [&] { return admin.count(w); });
}

template <class Strategy>
void bm_stream(benchmark::State& state, Strategy strategy) {
  Admin admin;
  bulkinsert::MariadbBackend db{g_url};
  harness::library_stream(state, admin, db, strategy);
}

void register_all(const harness::Options& o) {
  for (const Workload w : {Workload::article, Workload::light}) {
    const std::string s{harness::name_suffix(w)};
    auto reg = [&](const std::string& name, std::size_t rows, auto fn) {
      harness::configure(benchmark::RegisterBenchmark(("BM_Mariadb_" + name + s).c_str(), fn), rows);
    };
    // One round trip per row (~17k rows/s): a tenth of the rows keeps the run short; rows/s stays honest.
    reg("PerRow", harness::per_row_rows(o.rows), [w](benchmark::State& st) { bm_library(st, w, bulkinsert::PerRow{}); });
    reg("MultiValues", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::MultiValues{}); });
    reg("ExecuteMany", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::ExecuteMany{}); });
    reg("Copy", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::Copy{}); });
    reg("Baseline_ArrayBinding", o.rows,
        [w](benchmark::State& st) { bm_baseline<baselines::MariadbArrayBinding>(st, w); });
    reg("Baseline_MultiValues", o.rows, [w](benchmark::State& st) { bm_baseline<baselines::MariadbMultiValues>(st, w); });
    reg("Baseline_LoadData", o.rows, [w](benchmark::State& st) { bm_baseline<baselines::MariadbLoadData>(st, w); });
    reg("Baseline_ServerInsert", o.rows, [w](benchmark::State& st) { bm_server_insert(st, w); });
  }
  if (o.stream) {
    harness::configure_stream(benchmark::RegisterBenchmark(
        "BM_Mariadb_MultiValues_Stream1M", [](benchmark::State& st) { bm_stream(st, bulkinsert::MultiValues{}); }));
    harness::configure_stream(benchmark::RegisterBenchmark(
        "BM_Mariadb_Copy_Stream1M", [](benchmark::State& st) { bm_stream(st, bulkinsert::Copy{}); }));
  }
}

}  // namespace

int main(int argc, char** argv) {
  harness::Options o = harness::parse_options(argc, argv);

  std::unique_ptr<harness::ThrowawayCluster> server;
  if (o.mariadb_start) {
    server = harness::start_throwaway("bench_mariadb --mariadb-start", BULKINSERT_MARIADB_SERVER_SCRIPT, "mariadb", "durable");
    if (!server) return 1;
    o.mariadb = server->conninfo();
  }

  if (!o.mariadb) {
    fmt::print(stderr,
               "bench_mariadb: no MariaDB server, so no benchmark is registered. Pass --mariadb=URL, set "
               "BULKINSERT_BENCH_MARIADB to a mariadb:// URL, or pass --mariadb-start to start a throwaway server.\n");
  } else {
    g_url = *o.mariadb;
    try {
      baselines::MariadbConnection setup{g_url, true};
      for (const std::string& sql : harness::roles_sql_mariadb()) setup.exec(sql);
      harness::add_common_context(o);
      benchmark::AddCustomContext("mariadb_client_version", mysql_get_client_info());
      benchmark::AddCustomContext("mariadb_server_version", mysql_get_server_info(setup.get()));
      benchmark::AddCustomContext("mariadb_url", g_url);
      benchmark::AddCustomContext("mariadb_default_strategy", std::string{bulkinsert::MariadbBackend::default_strategy::name});
      for (const char* var : {"innodb_flush_log_at_trx_commit", "innodb_doublewrite", "innodb_buffer_pool_size",
                              "max_allowed_packet", "sync_binlog", "log_bin"})
        benchmark::AddCustomContext(std::string{"mariadb_"} + var,
                                    baselines::mariadb_scalar(setup.get(), fmt::format("SELECT @@{}", var)));
      benchmark::AddCustomContext("per_row_rows", std::to_string(harness::per_row_rows(o.rows)));
    } catch (const std::exception& e) {
      fmt::print(stderr, "bench_mariadb: {}\n", e.what());
      return 1;
    }
    register_all(o);
  }

  int bargc = static_cast<int>(o.benchmark_argv.size()) - 1;
  benchmark::Initialize(&bargc, o.benchmark_argv.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, o.benchmark_argv.data())) return 1;
  if (o.mariadb) benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
