// bench_postgres: the library's PostgreSQL strategies against hand-written libpq (COPY BINARY,
// multi-row VALUES) and the server's own COPY from a file. Needs a server: --pg=CONNSTR,
// $BULKINSERT_BENCH_PG, or --pg-start for a throwaway local cluster. See benchmarks/README.md.

#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <pqxx/version>

#include <bulkinsert/parallel.hpp>
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
  /// `prefill`, if given, is copied into the fresh table (and vacuumed) before the checkpoint, untimed.
  void reset(Workload w, const std::vector<harness::User>* prefill = nullptr) {
    baselines::pg_exec(conn_.get(), harness::reset_sql_postgres(w));
    if (prefill != nullptr) {
      baselines::PgCopyBinary{conn_.get()}.insert(harness::table_name(w), *prefill);
      // Hint bits and the visibility map set now, not by the first timed statement to read the rows.
      baselines::pg_exec(conn_.get(), fmt::format("VACUUM (ANALYZE) {}", harness::table_name(w)));
    }
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
  Admin admin;
  bulkinsert::PostgresBackend db{g_conninfo};
  harness::library_inserts(state, w, admin, db, strategy);
}

/// A hand-written baseline: Baseline(PGconn*) with insert(table, rows) -> harness::Sent.
template <class Baseline>
void bm_baseline(benchmark::State& state, Workload w) {
  Admin admin;
  Connection conn{g_conninfo};
  Baseline baseline{conn.get()};
  harness::baseline_inserts(state, w, admin, baseline);
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

// --- upserts ---------------------------------------------------------------------------------------

/// What the table holds before a timed upsert: rows [0, n) with an old email (every input row conflicts),
/// or only the even rows (half conflict, interleaved, so every statement and chunk has both kinds).
enum class Prefill { all, half };

[[nodiscard]] const std::vector<harness::User>& prefill_rows(std::size_t n, Prefill p) {
  static std::map<std::pair<std::size_t, Prefill>, std::vector<harness::User>> cache;
  auto& rows = cache[{n, p}];
  if (rows.empty()) {
    for (std::size_t i = 0; i < n; ++i) {
      if (p == Prefill::half && i % 2 != 0) continue;
      harness::User u = harness::make_user(i);
      u.email = fmt::format("old{}@example.com", i);  // the upsert really changes every conflicting row
      rows.push_back(std::move(u));
    }
  }
  return rows;
}

/// ON CONFLICT (username) DO UPDATE SET email = excluded.email, article schema, into a pre-filled table.
template <class Strategy>
void bm_upsert(benchmark::State& state, Prefill p, Strategy strategy) {
  const Workload w = Workload::article;
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& rows = harness::users(n);
  const auto& before = prefill_rows(n, p);
  const auto table = harness::users_table(w).on_conflict_update({"username"}, {"email"});
  Admin admin;
  bulkinsert::PostgresBackend db{g_conninfo};
  bulkinsert::BulkInserter ins{db};
  harness::timed_inserts(
      state, n, [&] { admin.reset(w, &before); }, [&] { return harness::sent_of(ins.insert(table, rows, strategy)); },
      [&] { return admin.count(w); });
}

// --- parallel loading ------------------------------------------------------------------------------

template <class Strategy>
void bm_parallel(benchmark::State& state, Workload w, std::size_t workers, Strategy strategy) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& rows = harness::users(n);
  const auto table = harness::users_table(w);
  Admin admin;
  bulkinsert::ParallelInserter<bulkinsert::PostgresBackend> ins{
      [] { return std::make_unique<bulkinsert::PostgresBackend>(g_conninfo); }, workers};
  state.counters["workers"] = static_cast<double>(workers);
  harness::timed_inserts(
      state, n, [&] { admin.reset(w); }, [&] { return harness::sent_of(ins.insert(table, rows, strategy)); },
      [&] { return admin.count(w); });
}

// --- pipelined COPY encoding (a prototype, not library code) ---------------------------------------

/// How the prototype overlaps encoding with sending:
///  serial:    the library's way: encode chunk k whole (detail::pg::copy_binary_row), then COPY it, then chunk k+1;
///  threaded:  a second thread encodes chunk k+1 into the other of two buffers while chunk k is sent;
///  streamed:  one thread, but each chunk's COPY starts first and is fed 1 MiB slices as they are encoded,
///             so the server parses slice s while the client encodes slice s+1 (no extra thread);
///  hand:      serial, but with the hand-written baseline's encoder (baselines::CopyBinaryEncoder): what
///             the library's structure would cost with an encoder that has nothing to dispatch on.
enum class EncodeMode { serial, threaded, streamed, hand };

class PrototypeCopy {
 public:
  PrototypeCopy(PGconn* c, Workload w, std::size_t chunk_rows, EncodeMode mode)
      : c_(c), table_(harness::users_table(w)), chunk_rows_(chunk_rows), mode_(mode) {
    using bulkinsert::detail::pg::TypeOid;
    types_ = {static_cast<unsigned>(TypeOid::varchar), static_cast<unsigned>(TypeOid::varchar),
              static_cast<unsigned>(TypeOid::timestamp), static_cast<unsigned>(TypeOid::int4)};
    sql_ = fmt::format("COPY {} ({}) FROM STDIN (FORMAT binary)", harness::table_name(w), harness::column_list);
  }

  harness::Sent insert(const std::vector<harness::User>& rows) {
    baselines::pg_exec(c_, "BEGIN");
    const std::size_t chunks = (rows.size() + chunk_rows_ - 1) / chunk_rows_;
    harness::Sent sent{chunks, 0};
    try {
      if (mode_ == EncodeMode::serial) {
        bulkinsert::detail::ByteBuffer buf;
        for (std::size_t k = 0; k < chunks; ++k) {
          encode(rows, k, buf);
          sent.bytes += send(buf);
        }
      } else if (mode_ == EncodeMode::hand) {
        bulkinsert::detail::ByteBuffer buf;
        for (std::size_t k = 0; k < chunks; ++k) {
          encode_by_hand(rows, k, buf);
          sent.bytes += send(buf);
        }
      } else if (mode_ == EncodeMode::streamed) {
        for (std::size_t k = 0; k < chunks; ++k) sent.bytes += encode_streaming(rows, k);
      } else {
        sent.bytes = threaded(rows, chunks);
      }
    } catch (...) {
      baselines::pg_drain(c_);
      PQexec(c_, "ROLLBACK");
      throw;
    }
    baselines::pg_exec(c_, "COMMIT");
    return sent;
  }

 private:
  /// The library's own view of rows [k * chunk_rows, ...): detail::ChunkRows::view over a borrowed range.
  bulkinsert::detail::ChunkRows<harness::User> chunk_rows_of(const std::vector<harness::User>& rows, std::size_t k) const {
    bulkinsert::detail::ChunkRows<harness::User> c;
    c.first = k * chunk_rows_;
    c.index = k;
    const std::size_t last = std::min(rows.size(), c.first + chunk_rows_);
    c.pointers.reserve(last - c.first);
    for (std::size_t i = c.first; i < last; ++i) c.pointers.push_back(&rows[i]);
    return c;
  }

  /// Chunk k encoded whole, exactly as PostgresBackend::copy_rows encodes it.
  void encode(const std::vector<harness::User>& rows, std::size_t k, bulkinsert::detail::ByteBuffer& buf) const {
    bulkinsert::detail::ValueArena arena;
    const auto cr = chunk_rows_of(rows, k);
    const bulkinsert::Chunk chunk = cr.view(table_, arena);
    buf.clear();
    bulkinsert::detail::pg::copy_binary_header(buf);
    std::vector<bulkinsert::ValueRef> values;
    chunk.for_each_row(0, chunk.size(), values, [&](std::size_t r, std::span<const bulkinsert::ValueRef> row) {
      if (!bulkinsert::detail::pg::copy_binary_row(buf, chunk, r, row, types_)) throw std::runtime_error("not binary");
    });
    bulkinsert::detail::pg::copy_binary_trailer(buf);
  }

  /// Chunk k encoded whole by the hand-written baseline's encoder.
  void encode_by_hand(const std::vector<harness::User>& rows, std::size_t k, bulkinsert::detail::ByteBuffer& buf) const {
    using E = baselines::CopyBinaryEncoder;
    const std::size_t first = k * chunk_rows_;
    const std::size_t last = std::min(rows.size(), first + chunk_rows_);
    std::size_t need = E::header_size + E::trailer_size;
    for (std::size_t i = first; i < last; ++i) need += E::row_size(rows[i]);
    buf.clear();
    char* p = E::header(buf.room(need));
    for (std::size_t i = first; i < last; ++i) p = E::row(p, rows[i]);
    buf.commit(E::trailer(p));
  }

  void put(const char* data, std::size_t n) {
    if (PQputCopyData(c_, data, static_cast<int>(n)) != 1) {
      PQputCopyEnd(c_, "prototype: send failed");
      baselines::pg_fail(c_, nullptr, "PQputCopyData");
    }
  }
  void end_copy() {
    if (PQputCopyEnd(c_, nullptr) != 1) baselines::pg_fail(c_, nullptr, "PQputCopyEnd");
    (void)baselines::pg_check(c_, baselines::PgResult{PQgetResult(c_)}, PGRES_COMMAND_OK, "COPY");
    baselines::pg_drain(c_);
  }

  /// One COPY of an encoded chunk, in 1 MiB slices as the library sends it.
  std::size_t send(const bulkinsert::detail::ByteBuffer& buf) {
    baselines::pg_exec(c_, sql_, PGRES_COPY_IN);
    constexpr std::size_t slice = 1024 * 1024;
    for (std::size_t at = 0; at < buf.size(); at += slice) put(buf.data() + at, std::min(slice, buf.size() - at));
    end_copy();
    return buf.size();
  }

  std::size_t encode_streaming(const std::vector<harness::User>& rows, std::size_t k) {
    bulkinsert::detail::ValueArena arena;
    const auto cr = chunk_rows_of(rows, k);
    const bulkinsert::Chunk chunk = cr.view(table_, arena);
    constexpr std::size_t slice = 1024 * 1024;
    bulkinsert::detail::ByteBuffer buf;
    std::size_t bytes = 0;
    baselines::pg_exec(c_, sql_, PGRES_COPY_IN);
    bulkinsert::detail::pg::copy_binary_header(buf);
    std::vector<bulkinsert::ValueRef> values;
    chunk.for_each_row(0, chunk.size(), values, [&](std::size_t r, std::span<const bulkinsert::ValueRef> row) {
      if (!bulkinsert::detail::pg::copy_binary_row(buf, chunk, r, row, types_)) throw std::runtime_error("not binary");
      if (buf.size() >= slice) {
        put(buf.data(), buf.size());
        bytes += buf.size();
        buf.clear();
      }
    });
    bulkinsert::detail::pg::copy_binary_trailer(buf);
    put(buf.data(), buf.size());
    bytes += buf.size();
    end_copy();
    return bytes;
  }

  /// Producer thread encodes into two buffers in turn; this thread sends whichever is ready.
  std::size_t threaded(const std::vector<harness::User>& rows, std::size_t chunks) {
    bulkinsert::detail::ByteBuffer buf[2];
    bool ready[2] = {false, false};
    bool stop = false;
    std::exception_ptr failure;
    std::mutex m;
    std::condition_variable cv;
    std::size_t bytes = 0;
    std::thread producer{[&] {
      try {
        for (std::size_t k = 0; k < chunks; ++k) {
          const std::size_t b = k % 2;
          {
            std::unique_lock lock{m};
            cv.wait(lock, [&] { return !ready[b] || stop; });
            if (stop) return;
          }
          encode(rows, k, buf[b]);  // the buffer is ours until we mark it ready
          {
            const std::lock_guard lock{m};
            ready[b] = true;
          }
          cv.notify_all();
        }
      } catch (...) {
        const std::lock_guard lock{m};
        failure = std::current_exception();
        stop = true;
        cv.notify_all();
      }
    }};
    try {
      for (std::size_t k = 0; k < chunks; ++k) {
        const std::size_t b = k % 2;
        {
          std::unique_lock lock{m};
          cv.wait(lock, [&] { return ready[b] || stop; });
          if (failure) std::rethrow_exception(failure);
        }
        bytes += send(buf[b]);
        {
          const std::lock_guard lock{m};
          ready[b] = false;
        }
        cv.notify_all();
      }
    } catch (...) {
      {
        const std::lock_guard lock{m};
        stop = true;
      }
      cv.notify_all();
      producer.join();
      throw;
    }
    producer.join();
    return bytes;
  }

  PGconn* c_;
  bulkinsert::Table<harness::User> table_;
  std::size_t chunk_rows_;
  EncodeMode mode_;
  std::vector<unsigned> types_;
  std::string sql_;
};

void bm_prototype_copy(benchmark::State& state, Workload w, std::size_t chunk_rows, EncodeMode mode) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& rows = harness::users(n);
  Admin admin;
  Connection conn{g_conninfo};
  PrototypeCopy copy{conn.get(), w, chunk_rows, mode};
  state.counters["chunk_rows"] = static_cast<double>(chunk_rows);
  harness::timed_inserts(
      state, n, [&] { admin.reset(w); }, [&] { return copy.insert(rows); }, [&] { return admin.count(w); });
}

template <class Strategy>
void bm_stream(benchmark::State& state, Strategy strategy) {
  Admin admin;
  bulkinsert::PostgresBackend db{g_conninfo};
  harness::library_stream(state, admin, db, strategy);
}

void register_all(const harness::Options& o) {
  for (const Workload w : {Workload::article, Workload::light}) {
    const std::string s{harness::name_suffix(w)};
    auto reg_w = [&](const std::string& name, std::size_t rows, auto fn) {
      harness::configure(benchmark::RegisterBenchmark(("BM_Postgres_" + name + s).c_str(), fn), rows);
    };
    // One round trip per row (~6k rows/s): a tenth of the rows keeps the run short; rows/s stays honest.
    reg_w("PerRow", harness::per_row_rows(o.rows), [w](benchmark::State& st) { bm_library(st, w, bulkinsert::PerRow{}); });
    reg_w("MultiValues", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::MultiValues{}); });
    reg_w("ExecuteMany", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::ExecuteMany{}); });
    reg_w("Copy", o.rows, [w](benchmark::State& st) { bm_library(st, w, bulkinsert::Copy{}); });
    reg_w("Baseline_CopyBinary", o.rows, [w](benchmark::State& st) { bm_baseline<baselines::PgCopyBinary>(st, w); });
    reg_w("Baseline_MultiValues", o.rows, [w](benchmark::State& st) { bm_baseline<baselines::PgMultiValues>(st, w); });
    reg_w("Baseline_ServerCopy", o.rows, [w](benchmark::State& st) { bm_server_copy(st, w); });
  }
  auto reg = [&](const std::string& name, std::size_t rows, auto fn) {
    harness::configure(benchmark::RegisterBenchmark(("BM_Postgres_" + name).c_str(), fn), rows);
  };
  // Upserts (article schema, DO UPDATE on username setting email) into a pre-filled table.
  for (const auto& [suffix, p] : {std::pair{"", Prefill::all}, std::pair{"_HalfConflict", Prefill::half}}) {
    const Prefill pf = p;
    reg(std::string{"Upsert_Copy"} + suffix, o.rows, [pf](benchmark::State& st) { bm_upsert(st, pf, bulkinsert::Copy{}); });
    reg(std::string{"Upsert_MultiValues"} + suffix, o.rows,
        [pf](benchmark::State& st) { bm_upsert(st, pf, bulkinsert::MultiValues{}); });
  }
  // Parallel loading over N connections. Copy with 10,000-row chunks, so 100,000 rows make 10 chunks to deal
  // out (the default 50,000 would give 2 chunks, and at most 2 busy workers); MultiValues' chunk is its
  // 1,000-row statement.
  for (const std::size_t workers : {1, 2, 4}) {
    const std::string wn = fmt::format("/workers:{}", workers);
    for (const Workload w : {Workload::article, Workload::light}) {
      const std::string s{harness::name_suffix(w)};
      reg("Parallel_Copy" + s + wn, o.rows, [w, workers](benchmark::State& st) {
        bm_parallel(st, w, workers, bulkinsert::Copy{.rows_per_chunk = 10000});
      });
    }
    reg("Parallel_MultiValues" + wn, o.rows, [workers](benchmark::State& st) {
      bm_parallel(st, Workload::article, workers, bulkinsert::MultiValues{});
    });
  }
  // COPY encoding prototypes: with and without overlap, and with the hand-written encoder, at the library's chunk size and a smaller one.
  for (const Workload w : {Workload::article, Workload::light}) {
    const std::string s{harness::name_suffix(w)};
    for (const std::size_t chunk : {10000, 50000}) {
      const std::string cn = fmt::format("/chunk:{}", chunk);
      for (const auto& [mode_name, m] : {std::pair{"SerialEncode", EncodeMode::serial},
                                         std::pair{"PipelinedEncode", EncodeMode::threaded},
                                         std::pair{"StreamedEncode", EncodeMode::streamed},
                                         std::pair{"HandEncode", EncodeMode::hand}}) {
        const EncodeMode mode = m;
        reg(std::string{"Copy_"} + mode_name + s + cn, o.rows,
            [w, chunk, mode](benchmark::State& st) { bm_prototype_copy(st, w, chunk, mode); });
      }
    }
  }
  // MultiValues rows_per_statement sweep, light schema (0 = as many as the 65,535-parameter limit allows: 16,383).
  for (const std::size_t rps : {100, 500, 1000, 5000, 0}) {
    const std::string rn = rps == 0 ? std::string{"/rps:max"} : fmt::format("/rps:{}", rps);
    reg("MultiValuesSweep_Light" + rn, o.rows, [rps](benchmark::State& st) {
      bm_library(st, Workload::light, bulkinsert::MultiValues{.rows_per_statement = rps});
    });
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

}  // namespace

int main(int argc, char** argv) {
  harness::Options o = harness::parse_options(argc, argv);

  std::unique_ptr<harness::ThrowawayCluster> cluster;
  if (o.pg_start) {
    cluster = harness::start_throwaway("bench_postgres --pg-start", BULKINSERT_PG_CLUSTER_SCRIPT, "pg", "54331");
    if (!cluster) return 1;
    o.pg = cluster->conninfo();
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
  return 0;
}
