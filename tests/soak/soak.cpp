// The soak run: N generated rows (never held in memory) through a backend's fastest strategy (COPY on
// PostgreSQL, multi_values on SQLite), then the table is checked against the input (row count, sums
// and a per-row content check computed in SQL), and peak memory is sampled while the rows are read to
// show that it stays flat. scripts/soak.sh runs it with 10,000,000 rows per backend; the test command
// runs it with 1,000,000.
//
//   bulkinsert_soak --backend=sqlite|postgres [--rows=N] [--db=PATH] [--conninfo=STR]
//
// PostgreSQL: --conninfo, else $BULKINSERT_TEST_PG; the table is bulkinsert_soak_<pid>, dropped at the end.
// SQLite: --db, else a file in a temporary directory, removed at the end. Exit status 0 when every check passes.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include <bulkinsert/postgres.hpp>
#include <bulkinsert/sqlite.hpp>

#include "../support/generated.hpp"

namespace {

struct SoakRow {
  std::int64_t id;
  std::int64_t k;
  std::string name;
  bulkinsert::Timestamp ts;
};

constexpr std::int64_t epoch_1960_s = -315'619'200;  // 1960-01-01 00:00:00 UTC

std::int64_t k_of(std::int64_t id) { return id * 2'654'435'761LL % 1'000'003; }

SoakRow make_row(std::size_t i) {
  const auto id = static_cast<std::int64_t>(i) + 1;
  const std::int64_t k = k_of(id);
  return {id, k, fmt::format("row-{}-{}", id, k),
          bulkinsert::Timestamp{std::chrono::seconds{epoch_1960_s}} + std::chrono::microseconds{id * 1001}};
}

/// Peak and current resident set, in KiB, from /proc/self/status.
struct Memory {
  long hwm_kib = 0;
  long rss_kib = 0;
};
Memory memory() {
  Memory m;
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_kib = std::atol(line.c_str() + 6);
    else if (line.rfind("VmRSS:", 0) == 0) m.rss_kib = std::atol(line.c_str() + 6);
  }
  return m;
}

struct Sample {
  std::size_t rows;
  Memory mem;
};

struct Expected {
  std::int64_t count = 0, sum_id = 0, sum_k = 0, sum_len = 0;
};

struct Got {
  std::int64_t count = 0, sum_id = 0, sum_k = 0, sum_len = 0, mismatches = -1;
};

/// The table's checksum in SQL; `mismatches` counts rows whose k, name or ts is not what the generator
/// makes from their id.
std::string checksum_sql(bool pg, const std::string& table) {
  if (pg)
    return fmt::format(
        "SELECT count(*), sum(id)::bigint, sum(k)::bigint, sum(length(name))::bigint, count(*) FILTER (WHERE "
        "k <> id * 2654435761 % 1000003 OR name <> 'row-' || id || '-' || k OR "
        "ts <> timestamp '1960-01-01' + (id * 1001) * interval '1 microsecond') FROM {}",
        table);
  return fmt::format(
      "SELECT count(*), sum(id), sum(k), sum(length(name)), coalesce(sum(k <> id * 2654435761 % 1000003 OR "
      "name <> ('row-' || id || '-' || k) OR ts <> (strftime('%Y-%m-%d %H:%M:%S', {} + id * 1001 / 1000000, "
      "'unixepoch') || printf('.%06d', id * 1001 % 1000000))), 0) FROM {}",
      epoch_1960_s, table);
}

struct Options {
  std::string backend;
  std::size_t rows = 10'000'000;
  std::string db;
  std::string conninfo;
};

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view key) -> std::optional<std::string> {
      if (a.substr(0, key.size()) == key) return std::string{a.substr(key.size())};
      return std::nullopt;
    };
    if (auto v = value("--backend=")) o.backend = *v;
    else if (auto v2 = value("--rows=")) o.rows = std::stoull(*v2);
    else if (auto v3 = value("--db=")) o.db = *v3;
    else if (auto v4 = value("--conninfo=")) o.conninfo = *v4;
    else return std::nullopt;
  }
  if (o.backend != "sqlite" && o.backend != "postgres") return std::nullopt;
  if (o.rows < 10) return std::nullopt;
  return o;
}

template <class Backend, class Strategy>
bulkinsert::Report load(Backend& backend, const std::string& table, std::size_t n, std::vector<Sample>& samples,
                        Strategy strategy) {
  const auto t = bulkinsert::Table<SoakRow>{table}
                     .column("id", &SoakRow::id)
                     .column("k", &SoakRow::k)
                     .column("name", &SoakRow::name)
                     .column("ts", &SoakRow::ts);
  const std::vector<std::size_t> at = {n / 10, n / 2, n};
  // A generator: each row is made when the inserter asks for it, and memory is sampled on the way.
  auto rows = test::generated(n, [&](std::size_t i) {
    if (std::find(at.begin(), at.end(), i + 1) != at.end()) samples.push_back({i + 1, memory()});
    return make_row(i);
  });
  bulkinsert::BulkInserter inserter{backend};
  return inserter.insert(t, rows, strategy);
}

int run(const Options& o) {
  const std::string table = fmt::format("bulkinsert_soak_{}", static_cast<long>(::getpid()));
  Expected want;
  for (std::size_t i = 0; i < o.rows; ++i) {
    const SoakRow r = make_row(i);
    ++want.count;
    want.sum_id += r.id;
    want.sum_k += r.k;
    want.sum_len += static_cast<std::int64_t>(r.name.size());
  }
  std::vector<Sample> samples;
  const Memory before = memory();
  bulkinsert::Report report;
  Got got;
  if (o.backend == "postgres") {
    std::string conninfo = o.conninfo;
    if (conninfo.empty())
      if (const char* e = std::getenv("BULKINSERT_TEST_PG")) conninfo = e;
    if (conninfo.empty()) {
      fmt::print(stderr, "bulkinsert_soak: no --conninfo and BULKINSERT_TEST_PG is not set\n");
      return 2;
    }
    bulkinsert::PostgresBackend db{conninfo};
    db.execute(fmt::format("DROP TABLE IF EXISTS {0}; CREATE TABLE {0} (id bigint PRIMARY KEY, k bigint NOT NULL, "
                           "name text NOT NULL, ts timestamp NOT NULL)",
                           table));
    try {
      report = load(db, table, o.rows, samples, bulkinsert::Copy{});
      pqxx::work w{db.connection()};
      const pqxx::result r = w.exec(checksum_sql(true, table));
      got = {r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(), r[0][2].as<std::int64_t>(),
             r[0][3].as<std::int64_t>(), r[0][4].as<std::int64_t>()};
      w.commit();
    } catch (...) {
      db.execute("DROP TABLE IF EXISTS " + table);
      throw;
    }
    db.execute("DROP TABLE IF EXISTS " + table);
  } else {
    std::filesystem::path dir;
    std::string path = o.db;
    if (path.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "bulkinsert-soak-XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
      dir = pattern;
      path = (dir / "soak.db").string();
    }
    {
      bulkinsert::SqliteBackend db{path};
      db.execute(fmt::format("DROP TABLE IF EXISTS \"{0}\"; CREATE TABLE \"{0}\" (id INTEGER PRIMARY KEY, "
                             "k INTEGER NOT NULL, name TEXT NOT NULL, ts TIMESTAMP NOT NULL)",
                             table));
      report = load(db, table, o.rows, samples, bulkinsert::MultiValues{});
      SQLite::Statement q{db.database(), checksum_sql(false, '"' + table + '"')};
      q.executeStep();
      got = {q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
             q.getColumn(3).getInt64(), q.getColumn(4).getInt64()};
      if (o.db.empty() == false) db.execute(fmt::format("DROP TABLE \"{}\"", table));
    }
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  const Memory after = memory();

  fmt::print("{}\n", report);
  bool ok = true;
  auto check = [&](std::string_view what, std::int64_t g, std::int64_t w) {
    const bool good = g == w;
    ok = ok && good;
    fmt::print("  {:<34} table {:>16}  input {:>16}  {}\n", what, g, w, good ? "ok" : "MISMATCH");
  };
  check("rows", got.count, want.count);
  check("sum(id)", got.sum_id, want.sum_id);
  check("sum(k)", got.sum_k, want.sum_k);
  check("sum(length(name))", got.sum_len, want.sum_len);
  check("rows whose k, name or ts differ", got.mismatches, 0);
  check("rows committed (report)", static_cast<std::int64_t>(report.rows_committed), want.count);

  // Peak memory: read at 10%, 50% and 100% of the rows, and after the call. Flat means the peak after
  // all rows is within 16 MiB (or 25%) of the peak after the first 10%: it does not grow with the input.
  fmt::print("  peak RSS (VmHWM) before the load: {:.1f} MiB\n", before.hwm_kib / 1024.0);
  for (const Sample& s : samples)
    fmt::print("  peak RSS after {:>10} rows: {:8.1f} MiB (current {:.1f} MiB)\n", s.rows, s.mem.hwm_kib / 1024.0,
               s.mem.rss_kib / 1024.0);
  fmt::print("  peak RSS after the call:        {:8.1f} MiB\n", after.hwm_kib / 1024.0);
  if (samples.size() != 3) {
    fmt::print("  memory: expected 3 samples, got {}\n", samples.size());
    ok = false;
  } else {
    const long first = samples.front().mem.hwm_kib;
    const long allowed = first + std::max(16L * 1024, first / 4);
    const bool flat = after.hwm_kib <= allowed;
    ok = ok && flat;
    fmt::print("  peak memory {} (growth after the first 10%: {:.1f} MiB, allowed {:.1f} MiB)\n",
               flat ? "flat" : "GROWS", (after.hwm_kib - first) / 1024.0, (allowed - first) / 1024.0);
  }
  fmt::print("{}\n", ok ? "soak: ok" : "soak: FAILED");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  if (!options) {
    fmt::print(stderr, "usage: {} --backend=sqlite|postgres [--rows=N (>= 10)] [--db=PATH] [--conninfo=STR]\n",
               argv[0]);
    return 2;
  }
  try {
    return run(*options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bulkinsert_soak: {}\n", e.what());
    return 1;
  }
}
