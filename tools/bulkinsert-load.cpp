// bulkinsert-load: load a CSV file into an existing SQLite or PostgreSQL table.
// Run with --help for the flags. Exit status: 0 loaded, 1 the load failed, 2 bad command line.

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include <bulkinsert/csv.hpp>
#include <bulkinsert/csv_load.hpp>
#include <bulkinsert/postgres.hpp>
#include <bulkinsert/sqlite.hpp>
#if BULKINSERT_LOAD_MARIADB
#include <bulkinsert/mariadb.hpp>
#endif

namespace {

constexpr std::string_view usage_text = R"(usage: bulkinsert-load FILE.csv|- --into TABLE --db URL [options]

Loads a CSV file (or standard input, "-") into an existing table. Column types are read from the
database's catalog; each value is converted to its column's type before it is sent.

required:
  FILE.csv | -              the CSV file, or - for standard input; RFC 4180, LF or CRLF, UTF-8 (a
                            byte-order mark is skipped), the first row names the columns
  --into TABLE              the target table (it must exist)
  --db URL                  sqlite:PATH (sqlite:///abs/path also works), postgresql://... /
                            postgres://... (any libpq connection URI), or
                            mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH]
                            (mysql://... is the same)

what goes where:
  --schema NAME             the table's schema (PostgreSQL), attached database (SQLite) or
                            database (MariaDB)
  --map CSV_COL=TABLE_COL   route a CSV column to a differently named table column; repeatable.
                            Other CSV columns go to the table column of the same name (exact, else
                            case-insensitive when only one column matches)
  --ignore-unmapped         skip CSV columns that have no table column (default: an error)
  --delimiter C             field separator: , (default) tab \t ; |  (also: comma, tab, semicolon, pipe)
  --null TEXT               an unquoted field equal to TEXT is NULL (default: the empty field);
                            a quoted field is never NULL
  --no-null                 no field is NULL: empty fields are empty strings

how it travels:
  --strategy NAME           copy | multi_values | execute_many | per_row  (default: copy on
                            PostgreSQL, multi_values on SQLite and MariaDB; SQLite has no copy;
                            on MariaDB copy is LOAD DATA LOCAL INFILE)
  --chunk-rows N            rows per chunk (per statement for multi_values); default: the strategy's

failures:
  --max-rejects K           let up to K bad rows (conversion failures, malformed records, rows the
                            database refuses, constraint violations included) go to the reject file
                            while the rest load; one more fails the load. Default 0: the first bad
                            row stops the load and the open transaction is rolled back
  --rejects FILE            the reject file (CSV: line,column,code,reason,record), required with
                            --max-rejects; "record" is the row itself, so nothing is lost
  --checkpoint-every N      commit every N chunks; a later failure keeps what was committed
  --resume                  exactly-once resumable load: progress is recorded in the database with
                            each checkpoint, and running the same command again skips exactly the
                            rows already committed (default checkpoint: every 10 chunks)
  --import-id ID            the id progress is recorded under (default: table + absolute file path)

parallel:
  --workers N               PostgreSQL and MariaDB: N connections load at once while this thread reads the
                            file (default 1). With checkpoints, chunks then commit out of input order;
                            --resume still skips exactly the committed rows

output:
  --quiet                   no progress display (the final counts are still printed)
  --help                    this text
  --version                 the version

Progress goes to standard error: a bar on a terminal, a line every 5 seconds otherwise. At the end
one line on standard output gives rows read, loaded and rejected (loaded + rejected = read).
Exit status: 0 loaded, 1 the load failed (the reason is printed on one line), 2 bad command line.
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::string file;
  std::string table;
  std::string schema;
  std::string db;
  std::string strategy;
  std::size_t chunk_rows = 0;
  std::vector<std::pair<std::string, std::string>> map;
  bool ignore_unmapped = false;
  char delimiter = ',';
  std::optional<std::string> null_text = std::string{};
  std::size_t checkpoint_every = 0;
  bool resume = false;
  std::string import_id;
  std::size_t max_rejects = 0;
  std::string rejects;
  bool quiet = false;
  std::size_t workers = 1;
};

std::size_t parse_count(std::string_view flag, const std::string& v) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || end != v.data() + v.size() || v.empty())
    throw UsageError(fmt::format("{} needs a whole number, not \"{}\"", flag, v));
  return n;
}

char parse_delimiter(const std::string& v) {
  if (v == "," || v == "comma") return ',';
  if (v == "\t" || v == "\\t" || v == "tab" || v == "TAB") return '\t';
  if (v == ";" || v == "semicolon") return ';';
  if (v == "|" || v == "pipe") return '|';
  throw UsageError(fmt::format("--delimiter must be one of , tab ; | (not \"{}\")", v));
}

Args parse(int argc, char** argv) {
  Args a;
  bool have_resume_checkpoint = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (arg.size() > 2 && arg.starts_with("--")) {
      if (const auto eq = arg.find('='); eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg.resize(eq);
      }
    }
    auto value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value", arg));
      return args[++i];
    };
    auto no_value = [&] {
      if (inline_value) throw UsageError(fmt::format("{} takes no value", arg));
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage_text.data(), stdout);
      std::exit(0);
    } else if (arg == "--version") {
      fmt::print("bulkinsert-load {}.{}.{}\n", BULKINSERT_VERSION_MAJOR, BULKINSERT_VERSION_MINOR, BULKINSERT_VERSION_PATCH);
      std::exit(0);
    } else if (arg == "--into") {
      a.table = value();
    } else if (arg == "--schema") {
      a.schema = value();
    } else if (arg == "--db") {
      a.db = value();
    } else if (arg == "--strategy") {
      a.strategy = value();
    } else if (arg == "--chunk-rows") {
      a.chunk_rows = parse_count(arg, value());
      if (a.chunk_rows == 0) throw UsageError("--chunk-rows must be at least 1");
    } else if (arg == "--map") {
      const std::string m = value();
      const auto eq = m.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
        throw UsageError(fmt::format("--map needs CSV_COLUMN=TABLE_COLUMN, not \"{}\"", m));
      a.map.emplace_back(m.substr(0, eq), m.substr(eq + 1));
    } else if (arg == "--ignore-unmapped") {
      no_value();
      a.ignore_unmapped = true;
    } else if (arg == "--delimiter") {
      a.delimiter = parse_delimiter(value());
    } else if (arg == "--null") {
      a.null_text = value();
    } else if (arg == "--no-null") {
      no_value();
      a.null_text.reset();
    } else if (arg == "--checkpoint-every") {
      a.checkpoint_every = parse_count(arg, value());
      if (a.checkpoint_every == 0) throw UsageError("--checkpoint-every must be at least 1");
      have_resume_checkpoint = true;
    } else if (arg == "--resume") {
      no_value();
      a.resume = true;
    } else if (arg == "--import-id") {
      a.import_id = value();
    } else if (arg == "--max-rejects") {
      a.max_rejects = parse_count(arg, value());
    } else if (arg == "--rejects") {
      a.rejects = value();
    } else if (arg == "--workers") {
      a.workers = parse_count(arg, value());
      if (a.workers == 0) throw UsageError("--workers must be at least 1");
    } else if (arg == "--quiet" || arg == "-q") {
      no_value();
      a.quiet = true;
    } else if (arg == "-" || !arg.starts_with("-")) {
      if (!a.file.empty()) throw UsageError(fmt::format("one input file only (got \"{}\" and \"{}\")", a.file, arg));
      a.file = arg;
    } else {
      throw UsageError(fmt::format("unknown option {}", arg));
    }
  }
  if (a.file.empty()) throw UsageError("no input file (give FILE.csv, or - for standard input)");
  if (a.table.empty()) throw UsageError("--into TABLE is required");
  if (a.db.empty()) throw UsageError("--db URL is required (sqlite:PATH or postgresql://...)");
  if (a.max_rejects > 0 && a.rejects.empty()) throw UsageError("--max-rejects needs --rejects FILE to keep the rejected rows");
  if (!a.rejects.empty() && a.max_rejects == 0) throw UsageError("--rejects needs --max-rejects K (how many rows may be rejected)");
  if (!a.import_id.empty() && !a.resume) throw UsageError("--import-id is only used with --resume");
  if (a.resume && !have_resume_checkpoint) a.checkpoint_every = 10;
  return a;
}

/// Newlines and tabs in a database message would break the one-line reason.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

std::string human_bytes(double b) {
  if (b >= 1024.0 * 1024 * 1024) return fmt::format("{:.1f} GiB", b / (1024.0 * 1024 * 1024));
  if (b >= 1024.0 * 1024) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024));
  if (b >= 1024.0) return fmt::format("{:.1f} KiB", b / 1024.0);
  return fmt::format("{:.0f} B", b);
}

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

/// A bar redrawn at most 10 times a second on a terminal; a plain line every 5 seconds otherwise.
class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool terminal) : terminal_(terminal) {}

  void operator()(const bulkinsert::CsvProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const auto every = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
    if (!p.done && now - last_ < every) return;
    if (!p.done && !terminal_ && p.elapsed < every) return;  // a short load prints nothing but its result
    last_ = now;
    const double secs = std::chrono::duration<double>(p.elapsed).count();
    const double rate = secs > 0 ? static_cast<double>(p.rows_read) / secs : 0;
    std::optional<double> fraction;
    if (p.total_bytes && *p.total_bytes > 0)
      fraction = std::min(1.0, static_cast<double>(p.bytes_read) / static_cast<double>(*p.total_bytes));
    std::string left;
    if (fraction && *fraction > 0 && !p.done) left = clock_text(secs * (1 - *fraction) / *fraction);
    if (terminal_) {
      std::string line;
      if (fraction) {
        constexpr int width = 30;
        const int filled = static_cast<int>(*fraction * width);
        line = fmt::format("[{}{}] {:3.0f}% ", std::string(static_cast<std::size_t>(filled), '#'),
                           std::string(static_cast<std::size_t>(width - filled), '-'), *fraction * 100);
      }
      line += fmt::format("{} rows, {:.0f} rows/s", p.rows_read, rate);
      if (p.rows_rejected) line += fmt::format(", {} rejected", p.rows_rejected);
      line += !left.empty() ? fmt::format(", {} left", left) : fmt::format(", {} elapsed", clock_text(secs));
      fmt::print(stderr, "\r{}\033[K{}", line, p.done ? "\n" : "");
      drawn_ = !p.done;
    } else if (!p.done) {
      std::string line = fmt::format("bulkinsert-load: {} rows read, {:.0f} rows/s", p.rows_read, rate);
      if (p.rows_rejected) line += fmt::format(", {} rejected", p.rows_rejected);
      if (fraction) line += fmt::format(", {:.0f}% of {}", *fraction * 100, human_bytes(static_cast<double>(*p.total_bytes)));
      if (!left.empty()) line += fmt::format(", about {} left", left);
      fmt::print(stderr, "{}\n", line);
    }
    std::fflush(stderr);
  }

  /// Ends a bar left half-drawn by a failure, so the error starts on its own line.
  void interrupt() {
    if (drawn_) fmt::print(stderr, "\n");
    drawn_ = false;
  }

 private:
  bool terminal_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

/// The reject file: a CSV of line, column, code, reason and the record itself.
class RejectFile {
 public:
  RejectFile(const std::string& path, bool append) : path_(path) {
    const bool fresh = !append || !std::filesystem::exists(path) || std::filesystem::file_size(path) == 0;
    file_ = std::fopen(path.c_str(), append ? "ab" : "wb");
    if (file_ == nullptr) throw bulkinsert::InputError(fmt::format("cannot write the reject file {}: {}", path, std::strerror(errno)));
    if (fresh) write_line("line,column,code,reason,record\n");
  }
  RejectFile(const RejectFile&) = delete;
  RejectFile& operator=(const RejectFile&) = delete;
  ~RejectFile() {
    if (file_ != nullptr) std::fclose(file_);
  }

  void add(const bulkinsert::CsvReject& r) {
    std::string line = fmt::format("{},", r.line);
    bulkinsert::CsvReader::append_field(line, r.column, false);
    line += ',';
    bulkinsert::CsvReader::append_field(line, r.code, false);
    line += ',';
    bulkinsert::CsvReader::append_field(line, r.reason, false);
    line += ',';
    bulkinsert::CsvReader::append_field(line, r.record, true);
    line += '\n';
    write_line(line);
  }

  void close() {
    const bool ok = std::fflush(file_) == 0 && std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok) throw bulkinsert::Error(fmt::format("writing the reject file {} failed: {}", path_, std::strerror(errno)));
  }

 private:
  void write_line(std::string_view s) {
    if (std::fwrite(s.data(), 1, s.size(), file_) != s.size())
      throw bulkinsert::Error(fmt::format("writing the reject file {} failed: {}", path_, std::strerror(errno)));
  }
  std::string path_;
  std::FILE* file_ = nullptr;
};

/// `load(csv, options)` runs the load on one backend or several.
template <class Load>
int run(const Args& a, Load load) {
  bulkinsert::CsvReader csv{a.file, bulkinsert::CsvOptions{.delimiter = a.delimiter}};
  std::optional<RejectFile> rejects;
  if (!a.rejects.empty()) rejects.emplace(a.rejects, a.resume);

  ProgressDisplay progress{::isatty(STDERR_FILENO) != 0};
  bulkinsert::CsvLoadOptions o;
  o.table = a.table;
  o.schema = a.schema;
  o.map = a.map;
  o.ignore_unmapped = a.ignore_unmapped;
  o.null_text = a.null_text;
  o.strategy = a.strategy;
  o.chunk_rows = a.chunk_rows;
  o.checkpoint_every_chunks = a.checkpoint_every;
  if (a.resume) {
    o.import_id = !a.import_id.empty() ? a.import_id
                  : a.file == "-"      ? fmt::format("bulkinsert-load:{}.{}:stdin", a.schema, a.table)
                                       : fmt::format("bulkinsert-load:{}.{}:{}", a.schema, a.table,
                                                     std::filesystem::absolute(a.file).lexically_normal().string());
  }
  o.max_rejects = a.max_rejects;
  if (rejects) o.on_reject = [&](const bulkinsert::CsvReject& r) { rejects->add(r); };
  if (!a.quiet) o.on_progress = [&](const bulkinsert::CsvProgress& p) { progress(p); };

  bulkinsert::CsvLoadResult r;
  try {
    r = load(csv, o);
  } catch (...) {
    progress.interrupt();
    if (rejects) {
      try {
        rejects->close();
      } catch (...) {
      }
    }
    throw;
  }
  if (rejects) rejects->close();
  const double secs = std::chrono::duration<double>(r.report.elapsed).count();
  fmt::print("{} rows read, {} loaded, {} rejected in {:.3f} s ({:.0f} rows/s via {})\n", r.rows_read, r.rows_loaded,
             r.rows_rejected, secs, secs > 0 ? static_cast<double>(r.rows_read) / secs : 0.0, r.report.strategy);
  if (r.rows_skipped != 0) fmt::print("{} of the loaded rows were committed by an earlier run (resumed)\n", r.rows_skipped);
  if (r.blank_lines != 0) fmt::print("{} empty lines skipped\n", r.blank_lines);
  if (r.rows_rejected != 0) fmt::print("rejected rows are in {}\n", a.rejects);
  return 0;
}

/// The load over connections to a server that `connect()` opens: `workers` of them through
/// ParallelInserter, or one. A failure to connect is an Error naming `server`.
template <class Backend, class Open>
int run_on_server(const Args& a, std::string_view server, Open open) {
  auto connect = [&]() -> std::unique_ptr<Backend> {
    try {
      return open();
    } catch (const bulkinsert::DatabaseError& e) {
      throw bulkinsert::Error(fmt::format("cannot connect to {}: {}", server, e.message()));
    }
  };
  if (a.workers > 1) {
    return run(a, [&](bulkinsert::CsvReader& csv, const bulkinsert::CsvLoadOptions& o) {
      return bulkinsert::load_csv_parallel<Backend>(connect, a.workers, csv, o);
    });
  }
  const auto db = connect();
  return run(a, [&](bulkinsert::CsvReader& csv, const bulkinsert::CsvLoadOptions& o) { return bulkinsert::load_csv(*db, csv, o); });
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  try {
    a = parse(argc, argv);
  } catch (const UsageError& e) {
    fmt::print(stderr, "bulkinsert-load: {} (see --help)\n", e.what());
    return 2;
  }
  try {
    if (a.db.starts_with("sqlite:")) {
      std::string path = a.db.substr(7);
      if (path.starts_with("//")) path.erase(0, 2);  // sqlite:///abs/path, as SQLAlchemy writes it
      if (path.empty()) throw UsageError("--db sqlite: needs a path (sqlite:PATH)");
      if (a.workers > 1) throw UsageError("--workers needs PostgreSQL or MariaDB: SQLite has a single writer");
      // READWRITE without CREATE: loading into a missing file would leave an empty database behind.
      // NOMUTEX: one thread uses the connection (see SqliteBackend's constructor).
      std::optional<bulkinsert::SqliteBackend> db;
      try {
        db.emplace(path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX);
      } catch (const bulkinsert::DatabaseError& e) {
        throw bulkinsert::Error(fmt::format("cannot open SQLite database {}: {}", path, e.message()));
      }
      return run(a, [&](bulkinsert::CsvReader& csv, const bulkinsert::CsvLoadOptions& o) { return bulkinsert::load_csv(*db, csv, o); });
    }
    if (a.db.starts_with("postgresql://") || a.db.starts_with("postgres://"))
      return run_on_server<bulkinsert::PostgresBackend>(a, "PostgreSQL", [&] { return std::make_unique<bulkinsert::PostgresBackend>(a.db); });
#if BULKINSERT_LOAD_MARIADB
    if (bulkinsert::is_mariadb_url(a.db)) {
      const bulkinsert::MariadbOptions options = bulkinsert::parse_mariadb_url(a.db);
      return run_on_server<bulkinsert::MariadbBackend>(a, "MariaDB", [&] { return std::make_unique<bulkinsert::MariadbBackend>(options); });
    }
    throw UsageError(fmt::format("--db must be sqlite:PATH, postgresql://... or mariadb://..., not \"{}\"", a.db));
#else
    throw UsageError(fmt::format("--db must be sqlite:PATH or postgresql://..., not \"{}\"", a.db));
#endif
  } catch (const UsageError& e) {
    fmt::print(stderr, "bulkinsert-load: {} (see --help)\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bulkinsert-load: {}\n", one_line(e.what()));
    return 1;
  }
}
