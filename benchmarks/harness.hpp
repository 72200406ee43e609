#pragma once

// What bench_sqlite, bench_postgres and bench_mariadb share: the rows, the two schemas, the command
// line, the timed loop, peak-RSS probes and the throwaway servers. No database driver is included
// here; each binary runs the SQL below through its own driver.

#include <malloc.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/bulkinsert.hpp>

#include "../tests/support/generated.hpp"

namespace harness {

// --- rows ------------------------------------------------------------------------------------------

/// One row of the article's users table (id is the server's serial / rowid).
struct User {
  std::string username;
  std::string email;
  bulkinsert::Timestamp created_at;
  std::int32_t role_id = 0;
};

/// created_at of row 0; row i is i seconds later.
inline constexpr bulkinsert::Timestamp base_time{
    std::chrono::sys_days{std::chrono::year{2024} / 1 / 1}.time_since_epoch()};

/// Row i, always the same: "user{i}", "user{i}@example.com", base + i s, role 1 + i % 3.
[[nodiscard]] inline User make_user(std::size_t i) {
  return {fmt::format("user{}", i), fmt::format("user{}@example.com", i),
          base_time + std::chrono::seconds{static_cast<std::int64_t>(i)}, static_cast<std::int32_t>(1 + i % 3)};
}

/// Rows [0, n), generated once per n and kept for the whole process, so no benchmark pays for them.
[[nodiscard]] inline const std::vector<User>& users(std::size_t n) {
  static std::map<std::size_t, std::vector<User>> cache;
  auto& rows = cache[n];
  if (rows.size() != n) {
    rows.clear();
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) rows.push_back(make_user(i));
  }
  return rows;
}

// --- workloads -------------------------------------------------------------------------------------

/// article: the article's schema (unique username, foreign key to roles). light: same columns, primary key only.
enum class Workload { article, light };

[[nodiscard]] constexpr std::string_view table_name(Workload w) noexcept {
  return w == Workload::article ? "users" : "users_light";
}
/// Suffix of the benchmark names: "" or "_Light".
[[nodiscard]] constexpr std::string_view name_suffix(Workload w) noexcept {
  return w == Workload::article ? "" : "_Light";
}

/// The columns every strategy and baseline fills, in this order.
inline constexpr std::string_view column_list = "username, email, created_at, role_id";

[[nodiscard]] inline bulkinsert::Table<User> users_table(Workload w) {
  return bulkinsert::Table<User>{std::string{table_name(w)}}
      .column("username", &User::username)
      .column("email", &User::email)
      .column("created_at", &User::created_at)
      .column("role_id", &User::role_id);
}

/// Run once per database: the roles every users row references (role_id 1..3).
[[nodiscard]] inline std::string roles_sql_postgres() {
  return "DROP TABLE IF EXISTS users, users_light, roles;"
         "CREATE TABLE roles (id serial PRIMARY KEY, name varchar(50) UNIQUE);"
         "INSERT INTO roles (name) VALUES ('admin'), ('user'), ('guest');";
}
[[nodiscard]] inline std::string roles_sql_sqlite() {
  return "DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS users_light; DROP TABLE IF EXISTS roles;"
         "CREATE TABLE roles (id INTEGER PRIMARY KEY, name VARCHAR(50) UNIQUE);"
         "INSERT INTO roles (name) VALUES ('admin'), ('user'), ('guest');";
}

/// A fresh, empty users table for workload `w`: both users tables are dropped (so neither holds
/// pages or WAL from a previous benchmark) and the one needed is created again.
[[nodiscard]] inline std::string reset_sql_postgres(Workload w) {
  std::string sql = "DROP TABLE IF EXISTS users, users_light;";
  if (w == Workload::article)
    sql += "CREATE TABLE users (id serial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, "
           "email varchar(255), created_at timestamp, role_id int REFERENCES roles(id));";
  else
    sql += "CREATE TABLE users_light (id serial PRIMARY KEY, username varchar(100), "
           "email varchar(255), created_at timestamp, role_id int);";
  return sql;
}
/// SQLite: the same, plus VACUUM, so the new table extends the file instead of reusing freed pages.
/// The connection running the inserts must have PRAGMA foreign_keys=ON (see sqlite_connection_sql).
[[nodiscard]] inline std::string reset_sql_sqlite(Workload w) {
  std::string sql = "DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS users_light; VACUUM;";
  if (w == Workload::article)
    sql += "CREATE TABLE users (id INTEGER PRIMARY KEY, username VARCHAR(100) UNIQUE NOT NULL, "
           "email VARCHAR(255), created_at TIMESTAMP, role_id INTEGER REFERENCES roles(id));";
  else
    sql += "CREATE TABLE users_light (id INTEGER PRIMARY KEY, username VARCHAR(100), "
           "email VARCHAR(255), created_at TIMESTAMP, role_id INTEGER);";
  return sql;
}
/// MariaDB: the roles, and a fresh users table, one statement each (no multi-statement queries).
/// InnoDB, created_at DATETIME(6) as the tests have it (MariaDB's TIMESTAMP is a 1970-2038 type).
[[nodiscard]] inline std::vector<std::string> roles_sql_mariadb() {
  return {"DROP TABLE IF EXISTS users, users_light, roles",
          "CREATE TABLE roles (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) UNIQUE) ENGINE=InnoDB",
          "INSERT INTO roles (name) VALUES ('admin'), ('user'), ('guest')"};
}
[[nodiscard]] inline std::vector<std::string> reset_sql_mariadb(Workload w) {
  std::vector<std::string> sql{"DROP TABLE IF EXISTS users, users_light"};
  if (w == Workload::article)
    sql.emplace_back("CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(100) UNIQUE NOT NULL, "
                     "email VARCHAR(255), created_at DATETIME(6), role_id INT, "
                     "FOREIGN KEY (role_id) REFERENCES roles(id)) ENGINE=InnoDB");
  else
    sql.emplace_back("CREATE TABLE users_light (id INT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(100), "
                     "email VARCHAR(255), created_at DATETIME(6), role_id INT) ENGINE=InnoDB");
  return sql;
}

/// Every SQLite connection that inserts (library and baseline alike) runs this first.
inline constexpr const char* sqlite_connection_sql = "PRAGMA foreign_keys = ON;";

// --- command line ----------------------------------------------------------------------------------

struct Options {
  std::size_t rows = 100'000;          ///< --rows=N
  std::optional<std::string> pg;       ///< --pg=CONNSTR, else $BULKINSERT_BENCH_PG
  bool pg_start = false;               ///< --pg-start
  std::optional<std::string> mariadb;  ///< --mariadb=URL, else $BULKINSERT_BENCH_MARIADB
  bool mariadb_start = false;          ///< --mariadb-start
  bool stream = false;                 ///< --stream
  std::vector<char*> benchmark_argv;   ///< what is left for benchmark::Initialize, plus our defaults
  std::vector<std::string> owned;      ///< storage for the defaults we add
};

inline void usage(std::FILE* out, const char* argv0) {
  fmt::print(out,
             "usage: {} [--rows=N] [--pg=CONNSTR | --pg-start] [--mariadb=URL | --mariadb-start] [--stream]\n"
             "       [Google Benchmark flags]\n"
             "  --rows=N        rows per timed insert (default 100000; PostgreSQL and MariaDB PerRow use N/10)\n"
             "  --pg=CONNSTR    libpq connection string (default: $BULKINSERT_BENCH_PG)\n"
             "  --pg-start      start a throwaway local cluster (tests/support/pg_cluster.sh), stop it at exit\n"
             "  --mariadb=URL   mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH] (default:\n"
             "                  $BULKINSERT_BENCH_MARIADB); the database is created if missing\n"
             "  --mariadb-start start a throwaway MariaDB server at default durability\n"
             "                  (tests/support/mariadb_server.sh start DIR durable), stop it at exit\n"
             "  --stream        also run the 1,000,000-row streaming benchmarks (*_Stream1M, slow)\n"
             "Defaults added unless given: --benchmark_repetitions=3 --benchmark_display_aggregates_only=true\n",
             argv0);
}

/// Takes our flags out of argv; what remains (plus default repetitions) goes to benchmark::Initialize.
/// Exits with a message for a malformed flag of ours.
[[nodiscard]] inline Options parse_options(int argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("BULKINSERT_BENCH_PG"); env != nullptr && *env != '\0') o.pg = env;
  if (const char* env = std::getenv("BULKINSERT_BENCH_MARIADB"); env != nullptr && *env != '\0') o.mariadb = env;
  bool has_repetitions = false;
  bool has_display = false;
  o.benchmark_argv.push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.starts_with("--rows=")) {
      const auto v = a.substr(7);
      std::size_t n = 0;
      const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc{} || p != v.data() + v.size() || n == 0) {
        fmt::print(stderr, "{}: --rows needs a positive integer, got \"{}\"\n", argv[0], v);
        std::exit(2);
      }
      o.rows = n;
    } else if (a.starts_with("--pg=")) {
      o.pg = std::string{a.substr(5)};
    } else if (a == "--pg-start") {
      o.pg_start = true;
    } else if (a.starts_with("--mariadb=")) {
      o.mariadb = std::string{a.substr(10)};
    } else if (a == "--mariadb-start") {
      o.mariadb_start = true;
    } else if (a == "--stream") {
      o.stream = true;
    } else if (a == "--help" || a == "-h") {
      usage(stdout, argv[0]);
      o.benchmark_argv.push_back(argv[i]);  // Google Benchmark prints its own help too
    } else {
      has_repetitions = has_repetitions || a.starts_with("--benchmark_repetitions");
      has_display = has_display || a.starts_with("--benchmark_display_aggregates_only") ||
                    a.starts_with("--benchmark_report_aggregates_only");
      o.benchmark_argv.push_back(argv[i]);
    }
  }
  // The median of three timed runs is the number we report; Google Benchmark's default is one run.
  o.owned.reserve(2);
  if (!has_repetitions) o.benchmark_argv.push_back(o.owned.emplace_back("--benchmark_repetitions=3").data());
  if (!has_display) o.benchmark_argv.push_back(o.owned.emplace_back("--benchmark_display_aggregates_only=true").data());
  o.benchmark_argv.push_back(nullptr);
  return o;
}

/// Rows for the PerRow benchmarks on a backend where one statement costs a round trip.
[[nodiscard]] inline std::size_t per_row_rows(std::size_t rows) { return std::max<std::size_t>(1, rows / 10); }

// --- context ---------------------------------------------------------------------------------------

[[nodiscard]] inline std::string compiler_version() {
#if defined(__clang__)
  return fmt::format("clang {}", __clang_version__);
#elif defined(__GNUC__)
  return fmt::format("gcc {}", __VERSION__);
#else
  return "unknown";
#endif
}

/// The value after "field:" on the first matching line of a /proc file ("model name" in /proc/cpuinfo), or "".
[[nodiscard]] inline std::string machine_field(const char* file, std::string_view field) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(field)) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto v = line.substr(colon + 1);
    const auto b = v.find_first_not_of(" \t");
    return b == std::string::npos ? std::string{} : v.substr(b);
  }
  return {};
}

inline void add_common_context(const Options& o) {
  benchmark::AddCustomContext("compiler", compiler_version());
  benchmark::AddCustomContext("bulkinsert_version", fmt::format("{}.{}.{}", BULKINSERT_VERSION_MAJOR,
                                                                BULKINSERT_VERSION_MINOR, BULKINSERT_VERSION_PATCH));
  benchmark::AddCustomContext("rows", std::to_string(o.rows));
  benchmark::AddCustomContext("cpu_model", machine_field("/proc/cpuinfo", "model name"));
  benchmark::AddCustomContext("mem_total", machine_field("/proc/meminfo", "MemTotal"));
#ifdef NDEBUG
  benchmark::AddCustomContext("build", "release (NDEBUG)");
#else
  benchmark::AddCustomContext("build", "debug (NDEBUG not defined): numbers are not representative");
#endif
}

// --- the timed loop --------------------------------------------------------------------------------

/// CPU seconds this process has used (all threads). The server's work is in other processes, so the
/// difference across an insert is the client's own cost, which wall time hides when the server is the bottleneck.
[[nodiscard]] inline double process_cpu_seconds() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// When this process started its benchmarks; started_s counts from here.
inline const std::chrono::steady_clock::time_point process_start = std::chrono::steady_clock::now();

/// What one insert call sent, for the counters.
struct Sent {
  std::size_t statements = 0;
  std::size_t bytes = 0;
};

[[nodiscard]] inline Sent sent_of(const bulkinsert::Report& r) noexcept { return {r.statements, r.bytes}; }

/// The loop every benchmark runs, once per repetition:
///  - reset() then insert() once, untimed: the warm-up (connection caches, prepared statements, allocator);
///  - per iteration: reset() (untimed), insert() timed with a steady clock and reported as manual
///    time, then count() (untimed) must equal `rows`, or the benchmark stops with an error.
/// Counters: rows, statements and bytes per insert; client_cpu_ms: this process's CPU time during the insert;
/// started_s: when the (first) timed insert started, in seconds since the process began, so that the report
/// can compare each repetition with the baseline's repetition nearest to it in time.
/// Any exception becomes SkipWithError with its message; numbers are never asserted on.
template <class Reset, class Insert, class Count>
void timed_inserts(benchmark::State& state, std::size_t rows, Reset&& reset, Insert&& insert, Count&& count) {
  try {
    reset();
    (void)insert();
  } catch (const std::exception& e) {
    state.SkipWithError(fmt::format("warm-up failed: {}", e.what()).c_str());
  }
  Sent total;
  double cpu = 0;
  double started = -1;
  for (auto _ : state) {
    try {
      reset();
      const double c0 = process_cpu_seconds();
      const auto t0 = std::chrono::steady_clock::now();
      if (started < 0) started = std::chrono::duration<double>(t0 - process_start).count();
      const Sent sent = insert();
      const auto t1 = std::chrono::steady_clock::now();
      cpu += process_cpu_seconds() - c0;
      state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
      total.statements += sent.statements;
      total.bytes += sent.bytes;
      if (const std::size_t n = count(); n != rows) {
        state.SkipWithError(fmt::format("the table holds {} rows after inserting {}", n, rows).c_str());
        break;
      }
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["statements"] = benchmark::Counter(static_cast<double>(total.statements), benchmark::Counter::kAvgIterations);
  state.counters["bytes"] = benchmark::Counter(static_cast<double>(total.bytes), benchmark::Counter::kAvgIterations);
  state.counters["client_cpu_ms"] = benchmark::Counter(cpu * 1e3, benchmark::Counter::kAvgIterations);
  state.counters["started_s"] = started;
}

/// The body of BM_<Backend>_<Strategy>[_Light]: `strategy` through a BulkInserter on `db`, rows
/// [0, state.range(0)) into workload `w`'s table; `admin` (reset(w), count(w)) works on its own connection.
template <class Admin, class Backend, class Strategy>
void library_inserts(benchmark::State& state, Workload w, Admin& admin, Backend& db, Strategy strategy) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& rows = users(n);
  const auto table = users_table(w);
  bulkinsert::BulkInserter ins{db};
  timed_inserts(
      state, n, [&] { admin.reset(w); }, [&] { return sent_of(ins.insert(table, rows, strategy)); },
      [&] { return admin.count(w); });
}

/// The body of a hand-written baseline's benchmark: baseline.insert(table, rows) -> Sent.
template <class Admin, class Baseline>
void baseline_inserts(benchmark::State& state, Workload w, Admin& admin, Baseline& baseline) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& rows = users(n);
  timed_inserts(
      state, n, [&] { admin.reset(w); }, [&] { return baseline.insert(table_name(w), rows); },
      [&] { return admin.count(w); });
}

// --- peak memory -----------------------------------------------------------------------------------

/// A field of /proc/self/status in KiB ("VmHWM", "VmRSS"); 0 if unreadable.
[[nodiscard]] inline std::size_t proc_status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':')
      return static_cast<std::size_t>(std::strtoull(line.c_str() + field.size() + 1, nullptr, 10));
  return 0;
}

/// Resets VmHWM to the current RSS (Linux >= 4.0: "5" to clear_refs); false if the kernel refused.
inline bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

/// The streaming benchmarks: one timed insert of `rows` rows produced by a single-pass generator,
/// with the process's peak RSS during the insert reported as counters (MiB):
/// peak_rss_MiB (VmHWM) and rss_growth_MiB (VmHWM minus VmRSS just before the insert).
/// No warm-up: one run of a million rows is its own warm-up, and the peak is what is measured.
template <class Reset, class Insert, class Count>
void timed_stream(benchmark::State& state, std::size_t rows, Reset&& reset, Insert&& insert, Count&& count) {
  Sent sent;
  double peak = 0, growth = 0;
  for (auto _ : state) {
    try {
      reset();
      // Hand freed heap back to the kernel first, so memory an earlier benchmark freed but malloc kept
      // does not sit in the baseline RSS and hide this insert's growth.
      ::malloc_trim(0);
      const bool hwm_reset = reset_peak_rss();
      const std::size_t before = proc_status_kib("VmRSS");
      const auto t0 = std::chrono::steady_clock::now();
      sent = insert();
      const auto t1 = std::chrono::steady_clock::now();
      state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
      const std::size_t hwm = proc_status_kib("VmHWM");
      peak = static_cast<double>(hwm) / 1024.0;
      growth = hwm_reset ? static_cast<double>(hwm - std::min(hwm, before)) / 1024.0 : -1.0;
      if (const std::size_t n = count(); n != rows) {
        state.SkipWithError(fmt::format("the table holds {} rows after inserting {}", n, rows).c_str());
        break;
      }
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["statements"] = static_cast<double>(sent.statements);
  state.counters["bytes"] = static_cast<double>(sent.bytes);
  state.counters["peak_rss_MiB"] = peak;
  state.counters["rss_growth_MiB"] = growth;  // -1: VmHWM could not be reset, use peak_rss_MiB
}

/// Rows for the streaming benchmarks, and the generator they come from (never materialised): what
/// `std::views::iota(0, n) | std::views::transform(make_user)` makes, in the tests' hand-written range,
/// because clang 14 cannot compile libstdc++ 12's views (tests/support/generated.hpp).
inline constexpr std::size_t stream_rows = 1'000'000;
[[nodiscard]] inline auto user_stream(std::size_t n) { return test::generated(n, make_user); }

/// The body of BM_<Backend>_<Strategy>_Stream1M: stream_rows rows from user_stream through `strategy`
/// into the article schema's table, peak RSS measured (timed_stream).
template <class Admin, class Backend, class Strategy>
void library_stream(benchmark::State& state, Admin& admin, Backend& db, Strategy strategy) {
  const Workload w = Workload::article;
  const auto table = users_table(w);
  bulkinsert::BulkInserter ins{db};
  timed_stream(
      state, stream_rows, [&] { admin.reset(w); },
      [&] { return sent_of(ins.insert(table, user_stream(stream_rows), strategy)); }, [&] { return admin.count(w); });
}

/// Registration settings shared by every regular benchmark: one timed insert per repetition
/// (the repetitions come from --benchmark_repetitions), manual time, milliseconds.
inline benchmark::internal::Benchmark* configure(benchmark::internal::Benchmark* b, std::size_t rows) {
  return b->ArgName("rows")->Arg(static_cast<std::int64_t>(rows))->Iterations(1)->UseManualTime()->Unit(
      benchmark::kMillisecond);
}
/// The streaming benchmarks run once: they are about memory, and a million rows take a while.
inline benchmark::internal::Benchmark* configure_stream(benchmark::internal::Benchmark* b) {
  return configure(b, stream_rows)->Repetitions(1);
}

// --- a temporary directory -------------------------------------------------------------------------

/// mkdtemp under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / fmt::format("{}XXXXXX", prefix)).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error(fmt::format("mkdtemp({}) failed", tmpl));
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// --- the throwaway servers (--pg-start, --mariadb-start) -------------------------------------------

/// Runs a server script (tests/support/pg_cluster.sh, tests/support/mariadb_server.sh) as
/// `SCRIPT start DIR START_ARGS`, whose last line of output is how to connect; `SCRIPT stop DIR` in
/// stop() / the destructor. stop_now() is async-signal-safe (fork + execv + waitpid), for signal handlers.
class ThrowawayCluster {
 public:
  ThrowawayCluster(std::string script, std::string dir, std::string_view start_args)
      : script_(std::move(script)), dir_(std::move(dir)) {
    const std::string cmd = fmt::format("bash '{}' start '{}' {}", script_, dir_, start_args);
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) throw std::runtime_error("popen failed: cannot run " + script_);
    char buf[512];
    std::string out;
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    const int status = ::pclose(p);
    running_ = true;  // a failed start may still leave a directory behind; stop() removes it
    if (status != 0) {
      stop();
      throw std::runtime_error(fmt::format("{} start failed (exit status {}); see its messages above", script_, status));
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (const auto nl = out.rfind('\n'); nl != std::string::npos) out.erase(0, nl + 1);
    conninfo_ = out;
  }
  ThrowawayCluster(const ThrowawayCluster&) = delete;
  ThrowawayCluster& operator=(const ThrowawayCluster&) = delete;
  ~ThrowawayCluster() {
    if (signal_stopped() == this) signal_stopped() = nullptr;
    stop();
  }

  /// The server a fatal signal stops before the process exits (start_throwaway sets it).
  static ThrowawayCluster*& signal_stopped() noexcept {
    static ThrowawayCluster* server = nullptr;
    return server;
  }

  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }
  [[nodiscard]] const std::string& dir() const noexcept { return dir_; }

  void stop() noexcept {
    if (!running_) return;
    running_ = false;
    stop_now();
  }

  /// Stops the cluster without allocating (safe in a signal handler).
  void stop_now() const noexcept {
    const pid_t pid = ::fork();
    if (pid == 0) {
      char* const argv[] = {const_cast<char*>(bash_.c_str()), const_cast<char*>(script_.c_str()),
                            const_cast<char*>(stop_word_.c_str()), const_cast<char*>(dir_.c_str()), nullptr};
      ::execv(argv[0], argv);
      ::_exit(127);
    }
    if (pid > 0) {
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }

 private:
  std::string script_;
  std::string dir_;
  std::string conninfo_;
  // stop_now()'s argv, ready before anything can fail, so a signal handler allocates nothing.
  std::string bash_ = "/bin/bash";
  std::string stop_word_ = "stop";
  bool running_ = false;
};

inline void stop_throwaway_and_exit(int sig) {
  if (ThrowawayCluster* s = ThrowawayCluster::signal_stopped()) s->stop_now();
  ::_exit(128 + sig);
}

/// --pg-start, --mariadb-start: starts `script` in a fresh directory under /tmp, has SIGINT, SIGTERM,
/// SIGHUP and SIGABRT stop it before the process exits, and returns it (its last line of output, the
/// connection string, in conninfo()); null, after a message naming `program`, if it did not start.
inline std::unique_ptr<ThrowawayCluster> start_throwaway(std::string_view program, std::string script,
                                                         std::string_view kind, std::string_view start_args) {
  const std::string dir = fmt::format("/tmp/bulkinsert-bench-{}-{}", kind, ::getpid());
  std::unique_ptr<ThrowawayCluster> server;
  try {
    server = std::make_unique<ThrowawayCluster>(std::move(script), dir, start_args);
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: starting a throwaway server: {}\n", program, e.what());
    return nullptr;
  }
  ThrowawayCluster::signal_stopped() = server.get();
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGABRT}) std::signal(sig, stop_throwaway_and_exit);
  fmt::print(stderr, "{}: started a throwaway server in {}: {}\n", program, dir, server->conninfo());
  return server;
}

}  // namespace harness
