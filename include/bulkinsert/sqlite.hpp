#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include "bulkinsert.hpp"
#include "detail/driver_errors.hpp"
#include "detail/result_rows.hpp"
#include "detail/statement_cache.hpp"
#include "detail/text_format.hpp"
#include "sqlite/dialect.hpp"

namespace bulkinsert {

/// How SqliteBackend opens a database file: `SqliteBackend db{"app.db", {.busy_timeout = std::chrono::seconds{30}}}`.
struct SqliteOptions {
  /// SQLiteCpp open flags. OPEN_NOMUTEX: see SqliteBackend's constructor.
  int open_flags = SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX;
  /// How long a statement waits for another connection's lock before it fails with SQLITE_BUSY
  /// (sqlite3_busy_timeout); 0 fails at once, as SQLite does by default. Whole milliseconds, up to INT_MAX.
  std::chrono::milliseconds busy_timeout{5000};
};

/// SQLite through SQLiteCpp. Owns or borrows a SQLite::Database; the only place that calls SQLite.
///
/// SQLiteCpp opens the database and runs transactions. Statements are prepared and bound through the
/// sqlite3 C API on the same handle: SQLiteCpp's bind copies every text value (SQLITE_TRANSIENT) and
/// has no no-copy bind for string_view, which costs a measurable share of a bulk load.
class SqliteBackend {
 public:
  using dialect_type = SqliteDialect;
  using default_strategy = MultiValues;
  static constexpr std::string_view name = "sqlite";

  /// A prepared statement, finalized when the backend is destroyed.
  class Statement {
   public:
    explicit Statement(sqlite3_stmt* s) noexcept : stmt_(s) {}
    [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_.get(); }

   private:
    struct Finalize {
      void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
    };
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
  };
  using statement_type = Statement;

  /// Opens (creating if needed) the database file at `path`; ":memory:" for an in-memory database.
  /// The connection is opened in SQLite's multi-thread mode (SQLITE_OPEN_NOMUTEX): no lock around
  /// every sqlite3 call, which made light-schema loads about 9% (execute_many) to 13% (multi_values)
  /// faster here. Like the backend itself, it is then used by one thread at a time; pass flags without
  /// OPEN_NOMUTEX, or a SQLite::Database you opened, if other threads share the connection.
  /// Waits up to SqliteOptions{}.busy_timeout (5 s) for other connections' locks.
  explicit SqliteBackend(const std::string& path, int flags = SqliteOptions{}.open_flags)
      : SqliteBackend(path, SqliteOptions{.open_flags = flags}) {}

  /// Opens the database file at `path` with `options`. Throws DatabaseError naming the path if it
  /// cannot be opened, InputError for a busy timeout out of range.
  SqliteBackend(const std::string& path, const SqliteOptions& options)
      : owned_(std::make_unique<SQLite::Database>(open(path, options))), db_(owned_.get()), busy_timeout_(options.busy_timeout) {}

  /// Borrows a database the caller opened, with the busy timeout the caller gave it; it must outlive the backend.
  explicit SqliteBackend(SQLite::Database& database) noexcept : db_(&database) {}

  SqliteBackend(const SqliteBackend&) = delete;
  SqliteBackend& operator=(const SqliteBackend&) = delete;
  ~SqliteBackend() {
    statements_.clear();  // finalize before SQLite::Database closes the handle
  }

  [[nodiscard]] SQLite::Database& database() noexcept { return *db_; }

  /// The live connection's SQLITE_LIMIT_VARIABLE_NUMBER (250,000 in Debian's build, 32,766 upstream).
  [[nodiscard]] Limits limits() const {
    return {static_cast<std::size_t>(sqlite3_limit(db_->getHandle(), SQLITE_LIMIT_VARIABLE_NUMBER, -1)), 0};
  }

  /// BEGIN IMMEDIATE: the write lock is taken (waiting up to the busy timeout) before the first statement,
  /// so a load never fails half-way on upgrading a read lock, which SQLite refuses at once, without
  /// waiting, when another connection wrote in between (SQLITE_BUSY_SNAPSHOT in WAL mode) or when waiting
  /// could deadlock (rollback-journal mode).
  void begin() {
    guard([&] { tx_.emplace(*db_, SQLite::TransactionBehavior::IMMEDIATE); });
  }
  void commit() {
    guard([&] { tx_->commit(); });
    tx_.reset();
  }
  void rollback() noexcept { tx_.reset(); }  // SQLite::Transaction rolls back in its destructor and swallows errors

  /// Runs SQL that takes no parameters and returns no rows.
  void execute(std::string_view sql) {
    guard([&] { db_->exec(std::string{sql}); });
  }

  const Statement& prepare(std::string_view sql) {
    return statements_.get(
        sql,
        [&](std::string_view text) {
          sqlite3_stmt* raw = nullptr;
          check(sqlite3_prepare_v3(db_->getHandle(), text.data(), static_cast<int>(text.size()),
                                   SQLITE_PREPARE_PERSISTENT, &raw, nullptr));
          return Statement{raw};
        },
        [](const Statement&) noexcept {});  // finalized when dropped
  }

  SendStats run(const Statement& stmt, const Chunk& chunk, const RowSink* sink = nullptr) {
    sqlite3_stmt* s = stmt.get();
    sqlite3_reset(s);
    SendStats stats;
    // A statement may take fewer parameters than the chunk has values (a query keyed by one of them).
    const int params = sqlite3_bind_parameter_count(s);
    reserve_text_slots(params);
    int param = 1;
    chunk.for_each_row(0, chunk.size(), values_, [&](std::size_t r, std::span<const ValueRef> row) {
      for (std::size_t c = 0; c < row.size() && param <= params; ++c) {
        if (is_nan(row[c])) throw InputError(chunk.describe(r, c, nan_refused));
        stats.bytes += bind(s, param++, row[c]);
      }
    });
    // A statement of one row names it in its error, as execute_many does; one of many rows cannot.
    step(s, sink, chunk.input_rows().first, chunk.size() == 1);
    stats.statements = 1;
    stats.rows = changes(db_->getHandle());
    return stats;
  }

  SendStats run_each(const Statement& stmt, const Chunk& chunk, const RowSink* sink = nullptr) {
    check_values(chunk);  // which also refuses NaN, so that bind() meets none
    sqlite3_stmt* s = stmt.get();
    SendStats stats;
    const int params = sqlite3_bind_parameter_count(s);
    const std::size_t bound = std::min(chunk.columns(), static_cast<std::size_t>(params));
    reserve_text_slots(params);
    sqlite3* const db = db_->getHandle();
    const std::size_t first = chunk.input_rows().first;
    std::size_t bytes = 0;
    std::size_t changed = 0;
    chunk.for_each_row(0, chunk.size(), values_, [&](std::size_t r, std::span<const ValueRef> row) {
      sqlite3_reset(s);
      for (std::size_t c = 0; c < bound; ++c) bytes += bind(s, static_cast<int>(c) + 1, row[c]);
      step(s, sink, first + r, true);
      changed += changes(db);
    });
    stats.bytes = bytes;
    stats.rows = changed;
    stats.statements = chunk.size();
    return stats;
  }

  SendStats run_once(std::string_view sql, const Chunk& chunk, const RowSink* sink = nullptr) {
    sqlite3_stmt* raw = nullptr;
    check(sqlite3_prepare_v2(db_->getHandle(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr));
    const Statement stmt{raw};
    return run(stmt, chunk, sink);
  }

  /// Throws InputError, naming the row and column, if any value of the chunk cannot be read or stored
  /// exactly (NaN, which SQLite turns into NULL), so that a one-statement-per-row strategy refuses a bad
  /// chunk before its first row is written, as multi_values does. Reads only the columns whose C++ type
  /// allows such a value: for most tables, none.
  void check_values(const Chunk& chunk) const {
    std::vector<std::size_t> columns;
    for (std::size_t c = 0; c < chunk.columns(); ++c)
      if (const ValueDomain& d = chunk.domain(c); d.may_throw || d.kinds.contains(Kind::real)) columns.push_back(c);
    if (columns.empty()) return;
    for (std::size_t r = 0; r < chunk.size(); ++r)  // row by row: the first bad row is the one named
      for (const std::size_t c : columns)
        if (is_nan(chunk.value(r, c))) throw InputError(chunk.describe(r, c, nan_refused));
  }

  /// The table's columns from PRAGMA table_info; the kind follows SQLite's type-affinity rules, with
  /// DATE, DATETIME / TIMESTAMP and BOOL(EAN) read as the conventions bulkinsert writes.
  std::vector<ColumnInfo> describe(const TableSpec& table) {
    std::string sql = "SELECT name, type, \"notnull\", dflt_value IS NOT NULL OR pk = 1 FROM ";
    if (!table.schema.empty()) {
      dialect_type::quote(sql, table.schema, "schema");
      sql += '.';
    }
    sql += "pragma_table_info(?)";
    sqlite3_stmt* raw = nullptr;
    check(sqlite3_prepare_v2(db_->getHandle(), sql.c_str(), -1, &raw, nullptr));
    const Statement stmt{raw};
    sqlite3_bind_text64(raw, 1, table.name.data(), table.name.size(), SQLITE_STATIC, SQLITE_UTF8);
    std::vector<ColumnInfo> columns;
    int rc;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      ColumnInfo c;
      c.name = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
      const unsigned char* type = sqlite3_column_text(raw, 1);
      c.type = type != nullptr ? reinterpret_cast<const char*>(type) : "";
      c.kind = affinity(c.type);
      c.stores_nan = false;  // a REAL NaN is stored as NULL
      c.not_null = sqlite3_column_int(raw, 2) != 0;
      c.has_default = sqlite3_column_int(raw, 3) != 0;  // an INTEGER PRIMARY KEY is the rowid, filled in when omitted
      columns.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) fail();
    if (columns.empty()) throw error(SQLITE_ERROR, fmt::format("no such table: {}", table.name));
    return columns;
  }

 private:
  /// SQLite's affinity rules (https://sqlite.org/datatype3.html, section 3.1), plus the date and
  /// boolean conventions this backend writes.
  static Kind affinity(std::string type) {
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    auto has = [&](std::string_view part) { return type.find(part) != std::string::npos; };
    if (has("INT")) return Kind::integer;
    if (has("CHAR") || has("CLOB") || has("TEXT")) return Kind::text;
    if (has("BLOB")) return Kind::bytes;
    if (has("REAL") || has("FLOA") || has("DOUB")) return Kind::real;
    if (has("DATETIME") || has("TIMESTAMP")) return Kind::timestamp;
    if (type == "DATE") return Kind::date;
    if (has("BOOL")) return Kind::boolean;
    return Kind::text;  // no affinity, or NUMERIC: let SQLite apply its own conversion to the text
  }

  /// What an extended result code means for a load (https://sqlite.org/rescode.html): a constraint, a
  /// type mismatch or a value too big is the row's own; SQLITE_BUSY after the busy timeout is a lock
  /// wait that ran out.
  static ErrorKind error_kind(int extended_code) noexcept {
    switch (extended_code & 0xff) {
      case SQLITE_CONSTRAINT: case SQLITE_MISMATCH: case SQLITE_TOOBIG: return ErrorKind::row_values;
      case SQLITE_BUSY: case SQLITE_LOCKED: return ErrorKind::lock_timeout;
      default: return ErrorKind::statement;
    }
  }

  static SQLite::Database open(const std::string& path, const SqliteOptions& options) {
    const auto timeout = options.busy_timeout.count();
    if (timeout < 0 || timeout > INT_MAX)
      throw InputError(fmt::format("SqliteOptions::busy_timeout of {} ms is out of range (0 to {} ms)", timeout, INT_MAX));
    return detail::translate_driver_errors<SQLite::Exception>(
        [&] { return SQLite::Database(path, options.open_flags, static_cast<int>(timeout)); },
        [&](const SQLite::Exception& e) {
          // SQLite's "unable to open database file" does not say which file.
          const int code = e.getExtendedErrorCode();
          return DatabaseError(std::to_string(code), fmt::format("{}: \"{}\"", e.what(), path), error_kind(code));
        });
  }

  template <class F>
  void guard(F&& f) const {
    detail::translate_driver_errors<SQLite::Exception>(
        std::forward<F>(f), [this](const SQLite::Exception& e) { return error(e.getExtendedErrorCode(), e.what()); });
  }

  void check(int rc) const {
    if (rc != SQLITE_OK) fail();
  }
  /// Throws the handle's error; `input_row`, when given, is the one row the failed statement carried.
  [[noreturn]] void fail(std::optional<std::size_t> input_row = std::nullopt) const {
    sqlite3* h = db_->getHandle();
    const DatabaseError e = error(sqlite3_extended_errcode(h), sqlite3_errmsg(h));
    if (input_row) throw e.at_input_row(*input_row);
    throw e;
  }
  /// A DatabaseError with SQLite's extended result code and what it means for the load; a lock that
  /// outlasted the busy timeout says so, and what sets it.
  [[nodiscard]] DatabaseError error(int code, std::string_view message) const {
    const ErrorKind kind = error_kind(code);
    if ((code & 0xff) != SQLITE_BUSY) return DatabaseError(std::to_string(code), message, kind);
    return DatabaseError(std::to_string(code),
                         busy_timeout_ ? fmt::format("{} (another connection held the lock for longer than the busy "
                                                     "timeout of {} ms: SqliteOptions::busy_timeout)",
                                                     message, busy_timeout_->count())
                                       : fmt::format("{} (another connection held the lock for longer than this "
                                                     "connection's busy timeout: sqlite3_busy_timeout)",
                                                     message),
                         kind);
  }
  /// Runs `s` to completion, handing any rows it returns to `sink`.
  void step(sqlite3_stmt* s, const RowSink* sink, std::size_t input_row, bool one_row) const {
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) step_rows(s, rc, sink, input_row, one_row);  // an INSERT without RETURNING is done here
  }
  /// The rest of step() after the first sqlite3_step returned `rc`: returned rows for `sink`, or an error.
  void step_rows(sqlite3_stmt* s, int rc, const RowSink* sink, std::size_t input_row, bool one_row) const {
    for (; rc == SQLITE_ROW; rc = sqlite3_step(s)) {
      if (sink == nullptr) continue;
      detail::deliver_rows(*sink, input_row, 1, static_cast<std::size_t>(sqlite3_column_count(s)),
                           [s](std::size_t, std::size_t column) -> Value {
                             const int i = static_cast<int>(column);
                             switch (sqlite3_column_type(s, i)) {
                               case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(s, i));
                               case SQLITE_FLOAT: return sqlite3_column_double(s, i);
                               case SQLITE_TEXT:
                                 return std::string{reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                                                    static_cast<std::size_t>(sqlite3_column_bytes(s, i))};
                               case SQLITE_BLOB: {
                                 const auto* p = static_cast<const std::byte*>(sqlite3_column_blob(s, i));
                                 return Bytes(p, p + sqlite3_column_bytes(s, i));
                               }
                               default: return Null{};
                             }
                           });
    }
    if (rc == SQLITE_DONE) return;
    // sqlite3_reset releases the statement's locks and leaves the error readable on the handle.
    sqlite3_reset(s);
    fail(one_row ? std::optional<std::size_t>{input_row} : std::nullopt);
  }

  /// Rows the last statement inserted (0 for a row an ON CONFLICT IGNORE clause skipped).
  static std::size_t changes(sqlite3* db) noexcept {
#if SQLITE_VERSION_NUMBER >= 3037000
    return static_cast<std::size_t>(sqlite3_changes64(db));  // sqlite3_changes without its wrapper call
#else
    return static_cast<std::size_t>(sqlite3_changes(db));
#endif
  }

  /// One text slot per parameter for values formatted here (timestamps, dates); sized before binding
  /// starts, never during, so that bound pointers stay valid until the statement has run.
  void reserve_text_slots(int params) {
    if (text_slots_.size() < static_cast<std::size_t>(params)) text_slots_.resize(static_cast<std::size_t>(params));
  }

  /// SQLite stores NaN as NULL; refusing it keeps "nothing silently converted". Callers check before bind().
  static constexpr std::string_view nan_refused = "NaN cannot be stored in SQLite (it becomes NULL)";
  static bool is_nan(const ValueRef& v) noexcept { return kind_of(v) == Kind::real && std::isnan(std::get<double>(v)); }

  /// Binds one value, not NaN; returns its payload bytes. Text and blobs are bound without copying: they
  /// live in the rows (or the chunk's arena) until the statement has run.
  std::size_t bind(sqlite3_stmt* s, int param, const ValueRef& v) {
    int rc = SQLITE_OK;
    std::size_t bytes = 0;
    switch (kind_of(v)) {
      case Kind::null_value: rc = sqlite3_bind_null(s, param); break;
      case Kind::boolean: rc = sqlite3_bind_int(s, param, std::get<bool>(v) ? 1 : 0); bytes = 1; break;
      case Kind::integer: rc = sqlite3_bind_int64(s, param, std::get<std::int64_t>(v)); bytes = 8; break;
      case Kind::real: rc = sqlite3_bind_double(s, param, std::get<double>(v)); bytes = 8; break;
      case Kind::text: {
        const auto t = std::get<std::string_view>(v);
        rc = sqlite3_bind_text64(s, param, t.data(), t.size(), SQLITE_STATIC, SQLITE_UTF8);
        bytes = t.size();
        break;
      }
      case Kind::bytes: {
        const auto b = std::get<BytesView>(v);
        // A null pointer would bind NULL, not an empty blob.
        static constexpr std::byte empty{};
        rc = sqlite3_bind_blob64(s, param, b.empty() ? &empty : b.data(), b.size(), SQLITE_STATIC);
        bytes = b.size();
        break;
      }
      case Kind::timestamp:
      case Kind::date: {
        // ISO 8601 text, which SQLite's date and time functions read; UTC, as system_clock is. Written
        // into this parameter's own slot, which outlives the step, so it binds without a copy.
        detail::DateTimeText& slot = text_slots_[static_cast<std::size_t>(param - 1)];
        const std::string_view t = kind_of(v) == Kind::date ? slot.date(std::get<Date>(v))
                                                            : slot.timestamp(std::get<Timestamp>(v), false);
        rc = sqlite3_bind_text64(s, param, t.data(), t.size(), SQLITE_STATIC, SQLITE_UTF8);
        bytes = t.size();
        break;
      }
    }
    if (rc != SQLITE_OK) fail();
    return bytes;
  }

  std::unique_ptr<SQLite::Database> owned_;
  SQLite::Database* db_;
  std::optional<std::chrono::milliseconds> busy_timeout_;  // set when the backend opened the database itself
  std::optional<SQLite::Transaction> tx_;
  std::vector<detail::DateTimeText> text_slots_;
  std::vector<ValueRef> values_;  // a batch of the chunk's rows, read to be bound
  detail::StatementCache<Statement> statements_{16};
};

static_assert(backend<SqliteBackend>);
static_assert(!copy_capable<SqliteBackend>);

}  // namespace bulkinsert
