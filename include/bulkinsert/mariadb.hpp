#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <mysql.h>

#include "bulkinsert.hpp"
#include "detail/byte_buffer.hpp"
#include "detail/result_rows.hpp"
#include "detail/statement_bytes.hpp"
#include "detail/statement_cache.hpp"
#include "detail/text_format.hpp"
#include "mariadb/dialect.hpp"
#include "mariadb/errors.hpp"
#include "mariadb/url.hpp"

namespace bulkinsert {

/// MariaDB (and MySQL) through MariaDB Connector/C; the only place that calls it.
///
/// Every connection runs in a strict sql_mode (a too-long string, a zero or invalid date, an
/// out-of-range number are errors, never truncated or clipped), speaks utf8mb4 and reads and writes
/// timestamps in UTC. Strategies: per_row and multi_values as everywhere; execute_many binds a whole
/// batch as arrays and sends it in one COM_STMT_BULK_EXECUTE (MariaDB 10.2+; against a server without
/// it, such as MySQL, one execution per row); copy is LOAD DATA LOCAL INFILE fed from memory, checked
/// against the rows sent and the warnings it leaves, since LOAD DATA turns a refused row into a warning.
/// Every statement and every array batch stays within max_allowed_packet, read from the server.
class MariadbBackend {
 public:
  using dialect_type = MariadbDialect;
  using default_strategy = MultiValues;
  static constexpr std::string_view name = "mariadb";

  /// The sql_mode of every connection: the strict modes, and no value silently replaced.
  static constexpr std::string_view sql_mode =
      "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,"
      "NO_AUTO_VALUE_ON_ZERO";
  /// Bind parameters per statement: the protocol counts them in 16 bits (error 1390 beyond).
  static constexpr std::size_t max_placeholders = 65535;

  /// A statement prepared on this connection, closed with it.
  class Statement {
   public:
    Statement(MYSQL_STMT* s, std::string sql)
        : stmt_(s), sql_(std::move(sql)), updates_(detail::mariadb::updates_on_duplicate(sql_)) {}
    [[nodiscard]] MYSQL_STMT* get() const noexcept { return stmt_.get(); }
    [[nodiscard]] const std::string& sql() const noexcept { return sql_; }
    /// An upsert that updates (ON DUPLICATE KEY UPDATE ... VALUES): its counts need reading apart.
    [[nodiscard]] bool updates() const noexcept { return updates_; }

   private:
    struct Close {
      void operator()(MYSQL_STMT* s) const noexcept { mysql_stmt_close(s); }
    };
    std::unique_ptr<MYSQL_STMT, Close> stmt_;
    std::string sql_;
    bool updates_;
  };
  using statement_type = Statement;

  /// Connects to mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH] (or mysql://...).
  explicit MariadbBackend(std::string_view url) : MariadbBackend(parse_mariadb_url(url)) {}

  /// Connects as `options` say. Throws DatabaseError if the server cannot be reached or refuses.
  explicit MariadbBackend(const MariadbOptions& options) : db_((library_init(), mysql_init(nullptr))) {
    if (db_ == nullptr) throw DatabaseError("2008", "mysql_init: out of memory", ErrorKind::statement);
    mysql_optionsv(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const unsigned int local_infile = 1;
    mysql_optionsv(db_, MYSQL_OPT_LOCAL_INFILE, &local_infile);
    const char* socket = options.socket.empty() ? nullptr : options.socket.c_str();
    if (mysql_real_connect(db_, socket != nullptr ? nullptr : options.host.c_str(), options.user.c_str(),
                           options.password.empty() ? nullptr : options.password.c_str(),
                           options.database.empty() ? nullptr : options.database.c_str(), options.port, socket,
                           CLIENT_LOCAL_FILES) == nullptr) {
      const DatabaseError e = error(mysql_errno(db_), mysql_error(db_));
      mysql_close(db_);
      throw e;
    }
    setup();
    bulk_ = bulk_ && options.array_binding;
    if (options.max_packet != 0) max_packet_ = std::min(max_packet_, options.max_packet);
  }

  MariadbBackend(const MariadbBackend&) = delete;
  MariadbBackend& operator=(const MariadbBackend&) = delete;
  ~MariadbBackend() {
    statements_.clear();  // close them before the connection
    mysql_close(db_);
  }

  /// The Connector/C handle, for what bulkinsert does not do.
  [[nodiscard]] MYSQL* handle() noexcept { return db_; }
  /// Whether execute_many sends a batch in one COM_STMT_BULK_EXECUTE (MariaDB) or a row per execution.
  [[nodiscard]] bool array_binding() const noexcept { return bulk_; }
  /// The server's max_allowed_packet in bytes (or MariadbOptions::max_packet, when smaller).
  [[nodiscard]] std::size_t max_packet() const noexcept { return max_packet_; }

  /// 65,535 placeholders per statement, and the parameters of one statement within max_allowed_packet.
  [[nodiscard]] Limits limits() const noexcept { return {max_placeholders, 0, statement_budget(), bytes_per_param}; }

  void begin() { query("START TRANSACTION"); }
  /// A COMMIT whose connection broke before the answer is in doubt (ErrorKind::commit_in_doubt).
  void commit() {
    if (mysql_real_query(db_, "COMMIT", 6) == 0) return;
    const unsigned code = mysql_errno(db_);
    DatabaseError e = error(code, mysql_error(db_));
    if (e.kind() == ErrorKind::connection_lost)
      throw DatabaseError(std::to_string(code), fmt::format("{} (during COMMIT)", e.message()), ErrorKind::commit_in_doubt);
    throw e;
  }
  void rollback() noexcept { (void)mysql_real_query(db_, "ROLLBACK", 8); }

  /// Bounds lock waits (innodb_lock_wait_timeout, whole seconds, at least 1): a lock_wait_bounder.
  void set_lock_timeout(std::chrono::milliseconds wait) {
    const auto seconds = std::max<std::int64_t>(1, (wait.count() + 999) / 1000);
    query(fmt::format("SET SESSION innodb_lock_wait_timeout = {}", seconds));
  }

  /// Runs SQL that takes no parameters; any rows it returns are dropped.
  void execute(std::string_view sql) { query(sql); }

  const Statement& prepare(std::string_view sql) {
    return statements_.get(
        sql,
        [&](std::string_view text) {
          MYSQL_STMT* s = mysql_stmt_init(db_);
          if (s == nullptr) fail();
          Statement stmt{s, std::string{text}};
          if (mysql_stmt_prepare(s, text.data(), text.size()) != 0) fail_stmt(s);
          return stmt;
        },
        [](const Statement&) noexcept {});
  }

  /// One execution with the chunk's values as parameters, in row order (a statement may take fewer).
  SendStats run(const Statement& stmt, const Chunk& chunk, const RowSink* sink = nullptr) {
    if (sink != nullptr || mysql_stmt_field_count(stmt.get()) != 0) return run_once(stmt.sql(), chunk, sink);
    read_checked(chunk);
    const std::size_t params = mysql_stmt_param_count(stmt.get());
    return execute_flat(stmt.get(), chunk, 0, chunk.size(), params, chunk.size() == 1, stmt.updates());
  }

  /// One execution per row: a whole batch as arrays in one COM_STMT_BULK_EXECUTE on MariaDB, bounded
  /// by max_allowed_packet; one execution per row where the server has no bulk command, or the table
  /// asks for RETURNING (whose rows must be matched to their input rows).
  SendStats run_each(const Statement& stmt, const Chunk& chunk, const RowSink* sink = nullptr) {
    read_checked(chunk);  // every value of the chunk is checked before its first row is sent
    if (sink != nullptr || !bulk_ || chunk.size() < 2) return execute_each(stmt, chunk, sink);
    return naming_refused_row(chunk, [&](const Chunk& rows) {
      read_checked(rows);
      return execute_each(stmt, rows, nullptr);
    });
  }

 private:
  /// run_each's work, values_ holding the chunk's checked values.
  SendStats execute_each(const Statement& stmt, const Chunk& chunk, const RowSink* sink) {
    SendStats stats;
    if (sink != nullptr || mysql_stmt_field_count(stmt.get()) != 0) {
      for (std::size_t r = 0; r < chunk.size(); ++r) stats += run_once(stmt.sql(), chunk.slice(r, 1), sink);
      return stats;
    }
    const std::size_t params = std::min<std::size_t>(mysql_stmt_param_count(stmt.get()), chunk.columns());
    if (!bulk_ || !columns_of_one_kind(chunk.size())) {
      for (std::size_t r = 0; r < chunk.size(); ++r) stats += execute_flat(stmt.get(), chunk, r, 1, params, true, stmt.updates());
      return stats;
    }
    std::size_t first = 0;
    while (first < chunk.size()) {
      std::size_t bytes = batch_overhead;
      std::size_t n = 0;
      while (first + n < chunk.size()) {
        const std::size_t row = row_bytes_[first + n] + params;  // an indicator byte per value
        if (n != 0 && bytes + row > statement_budget()) break;
        bytes += row;
        ++n;
      }
      stats += execute_array(stmt.get(), chunk, first, n, params, stmt.updates());
      first += n;
    }
    return stats;
  }

 public:
  /// Parsed and executed once with the chunk's values written into the SQL as literals (the text
  /// protocol), waiting for the reply; the rows it returns go to `sink`.
  SendStats run_once(std::string_view sql, const Chunk& chunk, const RowSink* sink = nullptr) {
    read_checked(chunk);
    std::string text = with_literals(sql, chunk);
    const bool one_row = chunk.size() == 1;
    if (text.size() > max_packet_) {
      if (!one_row) throw InputError(fmt::format("a statement of {} bytes exceeds max_allowed_packet ({} bytes)", text.size(), max_packet_));
      throw InputError(fmt::format("row {} of table \"{}\" makes a statement of {} bytes, more than the server's "
                                   "max_allowed_packet of {} bytes",
                                   chunk.input_rows().first, chunk.table().name, text.size(), max_packet_));
    }
    if (mysql_real_query(db_, text.data(), text.size()) != 0) fail(one_row ? std::optional{chunk.input_rows().first} : std::nullopt);
    SendStats stats{1, text.size(), 0};
    for (;;) {
      if (MYSQL_RES* res = mysql_store_result(db_)) {
        deliver(res, sink, chunk.input_rows().first);
        mysql_free_result(res);
      } else if (mysql_field_count(db_) != 0) {
        fail(one_row ? std::optional{chunk.input_rows().first} : std::nullopt);
      } else {
        stats += counted(chunk.size(), affected(mysql_affected_rows(db_)), detail::mariadb::updates_on_duplicate(sql));
        stats.statements = 1;
        stats.bytes = text.size();
      }
      const int next = mysql_next_result(db_);
      if (next > 0) fail(one_row ? std::optional{chunk.input_rows().first} : std::nullopt);
      if (next != 0) break;
    }
    return stats;
  }

  /// Throws InputError, naming row and column, for a value MariaDB cannot store exactly (NaN and the
  /// infinities in a DOUBLE, a date outside years 1 to 9999), and, naming the row, its size and the
  /// limit, for a row larger than max_allowed_packet.
  void check_values(const Chunk& chunk) { read_checked(chunk); }

  /// LOAD DATA LOCAL INFILE into `into`, fed from memory through mysql_set_local_infile_handler: the
  /// chunk is encoded (and every value checked) before the command is sent, then streamed to the server.
  /// LOAD DATA reports a refused row (a duplicate key, a foreign key, a bad value) as a warning and
  /// goes on; here any warning, or fewer rows written than sent, is an error naming the input row where
  /// the server names its line.
  SendStats copy_in(const Chunk& chunk, const TableSpec& into) {
    read_checked(chunk);
    if (chunk.size() < 2) return load(chunk, into);
    return naming_refused_row(chunk, [&](const Chunk& rows) {
      read_checked(rows);
      return load(rows, into);
    });
  }

 private:
  /// One LOAD DATA of the chunk (values_ holding its checked values).
  SendStats load(const Chunk& chunk, const TableSpec& into) {
    encode_lines(chunk);
    std::string sql = "LOAD DATA LOCAL INFILE 'bulkinsert' INTO TABLE ";
    detail::append_table_name<dialect_type>(sql, into);
    sql += " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
           "STARTING BY '' (";
    std::string set;
    for (std::size_t c = 0; c < into.columns.size(); ++c) {
      if (c != 0) sql += ", ";
      if (hex_column_[c]) {
        fmt::format_to(std::back_inserter(sql), "@bulkinsert_{}", c);
        set += set.empty() ? " SET " : ", ";
        dialect_type::quote(set, into.columns[c], "column");
        fmt::format_to(std::back_inserter(set), " = UNHEX(@bulkinsert_{})", c);
      } else {
        dialect_type::quote(sql, into.columns[c], "column");
      }
    }
    sql += ')';
    sql += set;
    infile_at_ = 0;
    mysql_set_local_infile_handler(db_, &infile_init, &infile_read, &infile_end, &infile_error, this);
    const int rc = mysql_real_query(db_, sql.data(), sql.size());
    mysql_set_local_infile_default(db_);
    if (rc != 0) fail();
    const std::size_t written = affected(mysql_affected_rows(db_));
    if (mysql_warning_count(db_) != 0 || written != chunk.size()) refused_in_load(chunk, written);
    return {1, lines_.size(), written};
  }

  /// Sends `chunk` with `send(rows)` under a savepoint. When the database refuses a row's values without
  /// naming the row (an array-bound batch; LOAD DATA's duplicate-key and foreign-key warnings name no
  /// line), rolls back to it and sends halves the same way, keeping what succeeds (its rows precede),
  /// until one refused row remains; then rolls back all of it and throws the refusal naming that row.
  /// Earlier chunks of the transaction stay in place, so a row repeating one of theirs is found too.
  template <class Send>
  SendStats naming_refused_row(const Chunk& chunk, Send&& send) {
    static constexpr std::string_view mark = "bulkinsert_row";
    execute(dialect_type::savepoint(mark));
    try {
      SendStats stats = send(chunk);
      execute(dialect_type::release_savepoint(mark));
      return stats;
    } catch (const DatabaseError& e) {
      if (e.kind() != ErrorKind::row_values || e.input_row()) throw;
      std::optional<DatabaseError> found;
      try {
        execute(dialect_type::rollback_to_savepoint(mark));
        found = first_refused(chunk, send, e.code());
        execute(dialect_type::rollback_to_savepoint(mark));
        execute(dialect_type::release_savepoint(mark));
      } catch (const Error&) {
        throw e;  // the search itself failed: the first answer stands
      }
      if (found) throw *found;
      throw;
    }
  }
  template <class Send>
  std::optional<DatabaseError> first_refused(const Chunk& chunk, Send& send, const std::string& code) {
    static constexpr std::string_view mark = "bulkinsert_half";
    execute(dialect_type::savepoint(mark));
    try {
      (void)send(chunk);
      execute(dialect_type::release_savepoint(mark));
      return std::nullopt;
    } catch (const DatabaseError& e) {
      if (e.kind() != ErrorKind::row_values) throw;
      execute(dialect_type::rollback_to_savepoint(mark));
      execute(dialect_type::release_savepoint(mark));
      if (e.input_row()) return e.code() == code ? std::optional{e} : std::nullopt;
      if (chunk.size() == 1) return e.code() == code ? std::optional{e.at_input_row(chunk.input_rows().first)} : std::nullopt;
    }
    const std::size_t half = chunk.size() / 2;
    if (auto found = first_refused(chunk.slice(0, half), send, code)) return found;
    return first_refused(chunk.slice(half, chunk.size() - half), send, code);
  }

 public:
  /// The table's columns from information_schema.columns, in table order. Throws DatabaseError 1146
  /// if there is no such table.
  std::vector<ColumnInfo> describe(const TableSpec& table) {
    std::string sql =
        "SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT IS NOT NULL AND COLUMN_DEFAULT <> 'NULL' "
        "OR EXTRA <> '' FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ";
    if (table.schema.empty()) sql += "DATABASE()";
    else append_string_literal(sql, table.schema);
    sql += " AND TABLE_NAME = ";
    append_string_literal(sql, table.name);
    sql += " ORDER BY ORDINAL_POSITION";
    std::vector<ColumnInfo> columns;
    query(sql, [&](MYSQL_ROW row, const unsigned long* lengths) {
      ColumnInfo c;
      c.name.assign(row[0], lengths[0]);
      c.type.assign(row[1], lengths[1]);
      add_type_facts(c, std::string_view{row[2], lengths[2]});
      c.not_null = std::string_view{row[3], lengths[3]} == "NO";
      c.has_default = row[4] != nullptr && std::string_view{row[4], lengths[4]} == "1";
      columns.push_back(std::move(c));
    });
    if (columns.empty()) {
      std::string qualified;
      detail::append_table_name<dialect_type>(qualified, table);
      throw DatabaseError("1146", fmt::format("Table {} doesn't exist", qualified), ErrorKind::statement);
    }
    return columns;
  }

 private:
  /// What a statement's parameters are counted with beyond their values (type bytes, a length prefix).
  static constexpr std::size_t bytes_per_param = 11;
  /// Room in max_allowed_packet for the packet's header and the statement's own bytes.
  static constexpr std::size_t packet_margin = 4096;
  static constexpr std::size_t batch_overhead = 64;

  /// Connector/C's global set-up, once and thread-safely: mysql_init would do it unguarded on first
  /// use, and ParallelInserter's workers connect from threads of their own.
  static void library_init() {
    static const int done = mysql_library_init(0, nullptr, nullptr);
    (void)done;
  }

  /// The bytes one statement's parameters may use: max_allowed_packet less room for the packet's own.
  [[nodiscard]] std::size_t statement_budget() const noexcept {
    return max_packet_ > 2 * packet_margin ? max_packet_ - packet_margin : max_packet_ / 2;
  }

  void setup() {
    query(fmt::format("SET SESSION sql_mode = '{}', time_zone = '+00:00', NAMES utf8mb4", sql_mode));
    query("SELECT @@max_allowed_packet", [&](MYSQL_ROW row, const unsigned long*) {
      max_packet_ = static_cast<std::size_t>(std::strtoull(row[0], nullptr, 10));
    });
    unsigned long server = 0;
    unsigned long extended = 0;
    mariadb_get_infov(db_, MARIADB_CONNECTION_SERVER_CAPABILITIES, &server);
    mariadb_get_infov(db_, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended);
    bulk_ = (server & CLIENT_MYSQL) == 0 && (extended & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
  }

  // --- errors ------------------------------------------------------------------------------------

  [[nodiscard]] static DatabaseError error(unsigned code, std::string_view message) {
    return DatabaseError(std::to_string(code), message, detail::mariadb::error_kind(code));
  }
  [[noreturn]] void fail(std::optional<std::size_t> input_row = std::nullopt) const {
    const DatabaseError e = error(mysql_errno(db_), mysql_error(db_));
    if (input_row) throw e.at_input_row(*input_row);
    throw e;
  }
  static constexpr std::size_t no_row = static_cast<std::size_t>(-1);
  [[noreturn]] static void fail_stmt(MYSQL_STMT* s, std::size_t input_row = no_row) {
    const DatabaseError e = error(mysql_stmt_errno(s), mysql_stmt_error(s));
    if (input_row != no_row) throw e.at_input_row(input_row);
    throw e;
  }

  static std::size_t affected(my_ulonglong n) noexcept {
    return n == static_cast<my_ulonglong>(-1) ? 0 : static_cast<std::size_t>(n);
  }

  /// Runs `sql` through the text protocol, handing each row of what it returns to `row(values, lengths)`.
  template <class F>
  void query(std::string_view sql, F&& row) {
    if (mysql_real_query(db_, sql.data(), sql.size()) != 0) fail();
    MYSQL_RES* res = mysql_store_result(db_);
    if (res == nullptr) {
      if (mysql_field_count(db_) != 0) fail();
      return;
    }
    const std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> owned{res, &mysql_free_result};
    while (MYSQL_ROW r = mysql_fetch_row(res)) row(r, mysql_fetch_lengths(res));
  }
  void query(std::string_view sql) {
    query(sql, [](MYSQL_ROW, const unsigned long*) {});
  }

  /// LOAD DATA left warnings, or wrote fewer rows than it was sent: the first warning becomes the
  /// error, with the input row of the line it names ("... at row 3").
  [[noreturn]] void refused_in_load(const Chunk& chunk, std::size_t written) {
    std::optional<DatabaseError> first;
    query("SHOW WARNINGS LIMIT 1", [&](MYSQL_ROW row, const unsigned long* lengths) {
      const unsigned code = static_cast<unsigned>(std::strtoul(row[1], nullptr, 10));
      const std::string_view message{row[2], lengths[2]};
      DatabaseError e = error(code, fmt::format("{} (LOAD DATA reported it as a warning)", message));
      // The error a statement would have raised is the row's: a warning of LOAD DATA is its refusal.
      if (e.kind() == ErrorKind::statement) e = DatabaseError(e.code(), e.message(), ErrorKind::row_values);
      if (const std::size_t at = message.rfind(" at row "); at != std::string_view::npos) {
        const std::size_t line = static_cast<std::size_t>(std::strtoull(message.data() + at + 8, nullptr, 10));
        if (line >= 1 && line <= chunk.size()) e = e.at_input_row(chunk.input_rows().first + line - 1);
      }
      first = e;
    });
    if (first) throw *first;
    throw DatabaseError("1062", fmt::format("LOAD DATA wrote {} of the {} rows it was sent, without a warning", written,
                                            chunk.size()),
                        ErrorKind::row_values);
  }

  // --- values ------------------------------------------------------------------------------------

  /// Reads every value of `chunk` into values_ (row-major), refusing what MariaDB cannot store exactly,
  /// and each row's size into row_bytes_; throws InputError before anything is sent.
  void read_checked(const Chunk& chunk) {
    const std::size_t cols = chunk.columns();
    values_.resize(chunk.size() * cols);
    row_bytes_.resize(chunk.size());
    if (chunk.size() != 0) chunk.read_rows(0, chunk.size(), values_);
    for (std::size_t r = 0; r < chunk.size(); ++r) {
      std::size_t bytes = 0;
      for (std::size_t c = 0; c < cols; ++c) {
        const ValueRef& v = values_[r * cols + c];
        check_value(chunk, r, c, v);
        bytes += detail::value_bytes(v) + bytes_per_param;
      }
      row_bytes_[r] = bytes;
      if (bytes > statement_budget())
        throw InputError(fmt::format("row {} of table \"{}\" is about {} bytes, more than the server's max_allowed_packet "
                                     "of {} bytes allows in one statement ({} bytes, less the packet's own)",
                                     chunk.input_rows().first + r, chunk.table().name, bytes, max_packet_,
                                     statement_budget()));
    }
  }

  static void check_value(const Chunk& chunk, std::size_t r, std::size_t c, const ValueRef& v) {
    switch (kind_of(v)) {
      case Kind::real:
        if (!std::isfinite(std::get<double>(v)))
          throw InputError(chunk.describe(r, c, fmt::format("{} cannot be stored in MariaDB (a DOUBLE holds finite values only)",
                                                            std::get<double>(v))));
        break;
      case Kind::timestamp: {
        const auto day = detail::split_day(std::get<Timestamp>(v)).day;
        check_year(chunk, r, c, detail::civil_from_days(day).year);
        break;
      }
      case Kind::date: check_year(chunk, r, c, static_cast<int>(std::get<Date>(v).year())); break;
      default: break;
    }
  }
  static void check_year(const Chunk& chunk, std::size_t r, std::size_t c, std::int64_t year) {
    if (year < 1 || year > 9999)
      throw InputError(chunk.describe(r, c, fmt::format("year {} is outside what MariaDB dates hold (1 to 9999)", year)));
  }

  /// Whether each column's non-NULL values in values_ share one kind, which array binding needs.
  bool columns_of_one_kind(std::size_t rows) {
    const std::size_t cols = rows == 0 ? 0 : values_.size() / rows;
    kinds_.assign(cols, Kind::null_value);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) {
        const Kind k = kind_of(values_[r * cols + c]);
        if (k == Kind::null_value) continue;
        if (kinds_[c] == Kind::null_value) kinds_[c] = k;
        else if (kinds_[c] != k) return false;
      }
    return true;
  }

  /// Text for a timestamp or date parameter, kept in text_ until the statement has run.
  std::string_view temporal_text(const ValueRef& v, detail::DateTimeText& slot) {
    return kind_of(v) == Kind::date ? slot.date(std::get<Date>(v)) : slot.timestamp(std::get<Timestamp>(v), false);
  }

  static enum_field_types field_type(Kind k) noexcept {
    switch (k) {
      case Kind::boolean: return MYSQL_TYPE_TINY;
      case Kind::integer: return MYSQL_TYPE_LONGLONG;
      case Kind::real: return MYSQL_TYPE_DOUBLE;
      case Kind::bytes: return MYSQL_TYPE_BLOB;
      case Kind::null_value: return MYSQL_TYPE_NULL;
      default: return MYSQL_TYPE_STRING;  // text, and timestamps and dates as their text, which the server parses
    }
  }

  /// One execution of `s` with the values of rows [first, first + rows) of values_, one parameter each
  /// (the first `params`).
  SendStats execute_flat(MYSQL_STMT* s, const Chunk& chunk, std::size_t first, std::size_t rows, std::size_t params,
                         bool one_row, bool updates) {
    const std::size_t cols = chunk.columns();
    params = std::min(params, rows * cols);
    binds_.assign(params, MYSQL_BIND{});
    lengths_.resize(params);
    scalars_.resize(params);
    if (text_.size() < params) text_.resize(params);
    std::size_t bytes = 0;
    for (std::size_t p = 0; p < params; ++p) {
      const ValueRef& v = values_[first * cols + p];
      MYSQL_BIND& b = binds_[p];
      b.buffer_type = field_type(kind_of(v));
      b.length = &lengths_[p];
      switch (kind_of(v)) {
        case Kind::null_value: break;
        case Kind::boolean: scalars_[p].b = std::get<bool>(v) ? 1 : 0; b.buffer = &scalars_[p].b; bytes += 1; break;
        case Kind::integer: scalars_[p].i = std::get<std::int64_t>(v); b.buffer = &scalars_[p].i; bytes += 8; break;
        case Kind::real: scalars_[p].d = std::get<double>(v); b.buffer = &scalars_[p].d; bytes += 8; break;
        case Kind::text: set_bytes(b, lengths_[p], std::get<std::string_view>(v)); break;
        case Kind::bytes: {
          const BytesView bv = std::get<BytesView>(v);
          set_bytes(b, lengths_[p], {reinterpret_cast<const char*>(bv.data()), bv.size()});
          break;
        }
        case Kind::timestamp:
        case Kind::date: set_bytes(b, lengths_[p], temporal_text(v, text_[p])); break;
      }
      bytes += lengths_[p];
    }
    return execute_bound(s, 0, one_row ? chunk.input_rows().first + first : no_row, rows, bytes, updates);
  }

  /// Binds binds_ to `s` (as arrays of `array_size` rows, or single values for 0) and executes it once;
  /// `row` is the input row to name in an error, or no_row.
  SendStats execute_bound(MYSQL_STMT* s, unsigned int array_size, std::size_t row, std::size_t rows, std::size_t bytes,
                          bool updates) {
    mysql_stmt_attr_set(s, STMT_ATTR_ARRAY_SIZE, &array_size);
    if (mysql_stmt_bind_param(s, binds_.data()) != 0) fail_stmt(s, row);
    if (mysql_stmt_execute(s) != 0) fail_stmt(s, row);
    SendStats stats = counted(rows, affected(mysql_stmt_affected_rows(s)), updates);
    stats.statements = 1;
    stats.bytes = bytes;
    return stats;
  }

  /// What an INSERT of `sent` rows wrote, from the rows affected and, for an upsert that updates, the
  /// server's "Records: R  Duplicates: D" (D: rows updated to new values). MariaDB counts an updated
  /// row twice and one updated to the values it had not at all; here each row written counts once, as
  /// on the other backends, and rows_updated holds those the upsert updated (changed or not).
  [[nodiscard]] SendStats counted(std::size_t sent, std::size_t rows_affected, bool updates) const {
    SendStats stats{0, 0, rows_affected};
    if (!updates) return stats;
    const char* info = mysql_info(db_);
    unsigned long long records = 0, duplicates = 0;
    if (info != nullptr && std::sscanf(info, "Records: %llu Duplicates: %llu", &records, &duplicates) == 2) {
      const auto inserted = static_cast<std::size_t>(rows_affected - 2 * duplicates);
      stats.rows = static_cast<std::size_t>(records);
      stats.rows_updated = static_cast<std::size_t>(records) - inserted;
    } else {  // one row: 1 inserted, 2 updated, 0 updated to what it held
      stats.rows = sent;
      stats.rows_updated = rows_affected == 1 ? 0 : sent;
    }
    return stats;
  }

  /// Where an empty value points: a null buffer would be sent as NULL.
  static char* nonnull(const void* p) noexcept {
    static char empty = 0;
    return p != nullptr ? const_cast<char*>(static_cast<const char*>(p)) : &empty;
  }
  static void set_bytes(MYSQL_BIND& b, unsigned long& length, std::string_view data) noexcept {
    b.buffer = nonnull(data.data());
    b.buffer_length = static_cast<unsigned long>(data.size());
    length = static_cast<unsigned long>(data.size());
  }

  /// One COM_STMT_BULK_EXECUTE of `s` for rows [first, first + rows) of values_: each column bound as
  /// an array (column-wise binding: values, or pointers to text, with lengths and NULL indicators).
  SendStats execute_array(MYSQL_STMT* s, const Chunk& chunk, std::size_t first, std::size_t rows, std::size_t params,
                          bool updates) {
    const std::size_t cols = chunk.columns();
    binds_.assign(params, MYSQL_BIND{});
    columns_.resize(params);
    if (text_.size() < rows) text_.resize(rows);
    temporal_.clear();
    std::size_t bytes = 0;
    for (std::size_t c = 0; c < params; ++c) {
      Column& col = columns_[c];
      const Kind kind = kinds_[c];
      col.indicators.assign(rows, STMT_INDICATOR_NONE);
      col.lengths.assign(rows, 0);
      col.pointers.assign(rows, nullptr);
      col.scalars.resize(rows);
      for (std::size_t r = 0; r < rows; ++r) {
        const ValueRef& v = values_[(first + r) * cols + c];
        switch (kind_of(v)) {
          case Kind::null_value: col.indicators[r] = STMT_INDICATOR_NULL; break;
          case Kind::boolean: col.scalars[r].b = std::get<bool>(v) ? 1 : 0; bytes += 1; break;
          case Kind::integer: col.scalars[r].i = std::get<std::int64_t>(v); bytes += 8; break;
          case Kind::real: col.scalars[r].d = std::get<double>(v); bytes += 8; break;
          case Kind::text: {
            const auto t = std::get<std::string_view>(v);
            col.pointers[r] = nonnull(t.data());
            col.lengths[r] = static_cast<unsigned long>(t.size());
            break;
          }
          case Kind::bytes: {
            const BytesView bv = std::get<BytesView>(v);
            col.pointers[r] = nonnull(bv.data());
            col.lengths[r] = static_cast<unsigned long>(bv.size());
            break;
          }
          case Kind::timestamp:
          case Kind::date: {
            const std::string_view t = temporal_text(v, text_[r]);
            col.lengths[r] = static_cast<unsigned long>(t.size());
            col.offsets_into_temporal(r, temporal_.size());
            temporal_.append(t);
            break;
          }
        }
        bytes += col.lengths[r];
      }
      MYSQL_BIND& b = binds_[c];
      b.buffer_type = field_type(kind);
      b.u.indicator = col.indicators.data();
      b.length = col.lengths.data();
      switch (kind) {
        case Kind::boolean: b.buffer = &col.scalars[0].b; break;
        case Kind::integer: b.buffer = &col.scalars[0].i; break;
        case Kind::real: b.buffer = &col.scalars[0].d; break;
        default: b.buffer = col.pointers.data(); break;
      }
      if (kind == Kind::boolean || kind == Kind::integer || kind == Kind::real) {
        // Column-wise arrays of fixed-size values are packed: copy them out of the union.
        col.pack(kind, rows);
        b.buffer = col.packed.data();
      }
    }
    // Temporal texts live in one buffer that may have moved while it grew: point at them now.
    for (std::size_t c = 0; c < params; ++c)
      if (kinds_[c] == Kind::timestamp || kinds_[c] == Kind::date)
        for (std::size_t r = 0; r < rows; ++r)
          if (columns_[c].indicators[r] == STMT_INDICATOR_NONE)
            columns_[c].pointers[r] = const_cast<char*>(temporal_.data()) + columns_[c].offsets[r];
    return execute_bound(s, static_cast<unsigned int>(rows), rows == 1 ? chunk.input_rows().first + first : no_row, rows,
                         bytes, updates);
  }

  // --- the text protocol ---------------------------------------------------------------------------

  /// Writes `n` bytes from `data` as lower-case hex at `out`; returns the end.
  static char* write_hex(char* out, const void* data, std::size_t n) noexcept {
    static constexpr char hex[] = "0123456789abcdef";
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      *out++ = hex[p[i] >> 4];
      *out++ = hex[p[i] & 15];
    }
    return out;
  }

  void append_string_literal(std::string& out, std::string_view s) {
    out += '\'';
    const std::size_t at = out.size();
    out.resize(at + 2 * s.size() + 1);
    const unsigned long n = mysql_real_escape_string(db_, out.data() + at, s.data(), static_cast<unsigned long>(s.size()));
    out.resize(at + n);
    out += '\'';
  }

  void append_literal(std::string& out, const ValueRef& v, detail::DateTimeText& slot) {
    char buf[detail::text_buffer_size];
    switch (kind_of(v)) {
      case Kind::null_value: out += "NULL"; break;
      case Kind::boolean: out += std::get<bool>(v) ? "TRUE" : "FALSE"; break;
      case Kind::integer: out.append(buf, detail::format_int(buf, std::get<std::int64_t>(v))); break;
      case Kind::real: {
        const std::string_view t{buf, detail::format_double(buf, std::get<double>(v))};
        out += t;
        if (t.find_first_of("eE") == std::string_view::npos) out += "e0";  // a DOUBLE literal, not a DECIMAL
        break;
      }
      case Kind::text: append_string_literal(out, std::get<std::string_view>(v)); break;
      case Kind::bytes: {
        const BytesView b = std::get<BytesView>(v);
        out += "X'";
        const std::size_t at = out.size();
        out.resize(at + 2 * b.size());
        write_hex(out.data() + at, b.data(), b.size());
        out += '\'';
        break;
      }
      case Kind::timestamp:
      case Kind::date:
        out += '\'';
        out += temporal_text(v, slot);
        out += '\'';
        break;
    }
  }

  /// `sql` with each ? placeholder (outside quotes and `names`) replaced by the next value of values_.
  std::string with_literals(std::string_view sql, const Chunk& chunk) {
    std::string out;
    out.reserve(sql.size() + 16 * values_.size());
    std::size_t next = 0;
    char quote = 0;
    detail::DateTimeText slot;
    for (const char c : sql) {
      if (quote != 0) {
        out += c;
        if (c == quote) quote = 0;  // a doubled quote closes and reopens: the same
        continue;
      }
      if (c == '`' || c == '\'' || c == '"') {
        quote = c;
        out += c;
        continue;
      }
      if (c != '?') {
        out += c;
        continue;
      }
      if (next >= values_.size())
        throw InputError(fmt::format("the statement takes more parameters than the chunk's {} values: {}", values_.size(), sql));
      append_literal(out, values_[next++], slot);
    }
    (void)chunk;
    return out;
  }

  /// Hands the rows of `res` to `sink`: integers and floating-point values decoded, binary strings as
  /// Bytes, the rest (DECIMAL, dates and times among them) as their text.
  static void deliver(MYSQL_RES* res, const RowSink* sink, std::size_t input_row) {
    if (sink == nullptr) return;
    const unsigned fields = mysql_num_fields(res);
    const MYSQL_FIELD* meta = mysql_fetch_fields(res);
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
      const unsigned long* lengths = mysql_fetch_lengths(res);
      detail::deliver_rows(*sink, input_row, 1, fields, [&](std::size_t, std::size_t c) -> Value {
        if (row[c] == nullptr) return Null{};
        const std::string_view text{row[c], lengths[c]};
        switch (meta[c].type) {
          case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_INT24: case MYSQL_TYPE_LONG:
          case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_YEAR: {
            std::int64_t i = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
            if (ec == std::errc{} && end == text.data() + text.size()) return i;
            return std::string{text};  // an unsigned BIGINT above INT64_MAX
          }
          case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE: return std::strtod(std::string{text}.c_str(), nullptr);
          case MYSQL_TYPE_TINY_BLOB: case MYSQL_TYPE_MEDIUM_BLOB: case MYSQL_TYPE_LONG_BLOB: case MYSQL_TYPE_BLOB:
          case MYSQL_TYPE_STRING: case MYSQL_TYPE_VAR_STRING: case MYSQL_TYPE_VARCHAR:
            if (meta[c].charsetnr == 63) {  // binary
              const auto* p = reinterpret_cast<const std::byte*>(text.data());
              return Bytes(p, p + text.size());
            }
            return std::string{text};
          default: return std::string{text};
        }
      });
    }
  }

  // --- LOAD DATA -----------------------------------------------------------------------------------

  /// values_ as LOAD DATA's text lines into lines_: tab-separated, \N for NULL, backslash escapes. A
  /// column that may hold bytes goes as hex, decoded by UNHEX in the statement (no charset applies to it).
  void encode_lines(const Chunk& chunk) {
    const std::size_t cols = chunk.columns();
    hex_column_.assign(cols, false);
    for (std::size_t c = 0; c < cols; ++c) hex_column_[c] = chunk.domain(c).kinds.contains(Kind::bytes);
    lines_.clear();
    detail::DateTimeText slot;
    for (std::size_t r = 0; r < chunk.size(); ++r) {
      for (std::size_t c = 0; c < cols; ++c) {
        if (c != 0) lines_ += '\t';
        const ValueRef& v = values_[r * cols + c];
        char buf[detail::text_buffer_size];
        std::string_view t;
        switch (kind_of(v)) {
          case Kind::null_value: lines_ += "\\N"; continue;
          case Kind::boolean: t = std::get<bool>(v) ? "1" : "0"; break;
          case Kind::integer: t = {buf, detail::format_int(buf, std::get<std::int64_t>(v))}; break;
          case Kind::real: t = {buf, detail::format_double(buf, std::get<double>(v))}; break;
          case Kind::text: t = std::get<std::string_view>(v); break;
          case Kind::bytes: {
            const BytesView b = std::get<BytesView>(v);
            lines_.commit(write_hex(lines_.room(2 * b.size()), b.data(), b.size()));
            continue;
          }
          case Kind::timestamp: case Kind::date: t = temporal_text(v, slot); break;
        }
        if (hex_column_[c]) {
          lines_.commit(write_hex(lines_.room(2 * t.size()), t.data(), t.size()));
          continue;
        }
        char* p = lines_.room(2 * t.size());
        for (const char x : t) {
          switch (x) {
            case '\\': *p++ = '\\'; *p++ = '\\'; break;
            case '\t': *p++ = '\\'; *p++ = 't'; break;
            case '\n': *p++ = '\\'; *p++ = 'n'; break;
            case '\r': *p++ = '\\'; *p++ = 'r'; break;
            case '\0': *p++ = '\\'; *p++ = '0'; break;
            default: *p++ = x;
          }
        }
        lines_.commit(p);
      }
      lines_ += '\n';
    }
  }

  static int infile_init(void** ptr, const char* /*filename*/, void* self) {
    *ptr = self;
    return 0;
  }
  static int infile_read(void* ptr, char* buf, unsigned int length) {
    auto* self = static_cast<MariadbBackend*>(ptr);
    const std::size_t n = std::min<std::size_t>(length, self->lines_.size() - self->infile_at_);
    if (n != 0) std::memcpy(buf, self->lines_.data() + self->infile_at_, n);
    self->infile_at_ += n;
    return static_cast<int>(n);
  }
  static void infile_end(void* /*ptr*/) {}
  static int infile_error(void* /*ptr*/, char* message, unsigned int length) {
    if (length != 0) std::snprintf(message, length, "%s", "bulkinsert: reading the rows failed");
    return 2000;
  }

  /// The kind a column of information_schema's DATA_TYPE holds, and the range of its type.
  static void add_type_facts(ColumnInfo& c, std::string_view data_type) {
    const bool is_unsigned = c.type.find("unsigned") != std::string::npos;
    c.stores_nan = false;
    auto integer = [&](std::int64_t min, std::int64_t max, std::int64_t umax) {
      c.kind = Kind::integer;
      c.integer_min = is_unsigned ? 0 : min;
      c.integer_max = is_unsigned ? umax : max;
    };
    if (data_type == "tinyint") {
      if (c.type == "tinyint(1)") c.kind = Kind::boolean;  // BOOL and BOOLEAN are TINYINT(1)
      else integer(-128, 127, 255);
    } else if (data_type == "smallint") integer(-32768, 32767, 65535);
    else if (data_type == "mediumint") integer(-8388608, 8388607, 16777215);
    else if (data_type == "int") integer(INT32_MIN, INT32_MAX, UINT32_MAX);
    else if (data_type == "bigint") integer(INT64_MIN, INT64_MAX, INT64_MAX);
    else if (data_type == "double") c.kind = Kind::real;
    else if (data_type == "float") {
      c.kind = Kind::real;
      c.real_max = 3.40282346638528859811704183484516925e+38;  // FLT_MAX
    } else if (data_type == "datetime" || data_type == "timestamp") c.kind = Kind::timestamp;
    else if (data_type == "date") c.kind = Kind::date;
    else if (data_type == "binary" || data_type == "varbinary" || data_type.ends_with("blob")) c.kind = Kind::bytes;
    else c.kind = Kind::text;  // character types, and what the server parses from text itself (decimal, json, ...)
  }

  /// The arrays one column is bound with for a COM_STMT_BULK_EXECUTE.
  union Scalar {
    signed char b;
    std::int64_t i;
    double d;
  };
  struct Column {
    std::vector<char> indicators;
    std::vector<unsigned long> lengths;
    std::vector<char*> pointers;
    std::vector<Scalar> scalars;
    std::vector<std::size_t> offsets;
    std::vector<unsigned char> packed;
    void offsets_into_temporal(std::size_t r, std::size_t at) {
      if (offsets.size() < pointers.size()) offsets.resize(pointers.size());
      offsets[r] = at;
    }
    void pack(Kind kind, std::size_t rows) {
      const std::size_t width = kind == Kind::boolean ? 1 : 8;
      packed.resize(rows * width);
      for (std::size_t r = 0; r < rows; ++r) {
        if (kind == Kind::boolean) packed[r] = static_cast<unsigned char>(scalars[r].b);
        else if (kind == Kind::integer) std::memcpy(&packed[r * 8], &scalars[r].i, 8);
        else std::memcpy(&packed[r * 8], &scalars[r].d, 8);
      }
    }
  };

  MYSQL* db_;
  std::size_t max_packet_ = 16 * 1024 * 1024;
  bool bulk_ = false;
  detail::StatementCache<Statement> statements_{32};
  std::vector<ValueRef> values_;       // the chunk's values, row-major, read and checked once
  std::vector<std::size_t> row_bytes_;  // each row's size as counted against max_allowed_packet
  std::vector<Kind> kinds_;             // each column's kind, for array binding
  std::vector<MYSQL_BIND> binds_;
  std::vector<unsigned long> lengths_;
  std::vector<Scalar> scalars_;
  std::vector<detail::DateTimeText> text_;
  std::vector<Column> columns_;
  detail::ByteBuffer temporal_;
  detail::ByteBuffer lines_;            // LOAD DATA's input
  std::size_t infile_at_ = 0;
  std::vector<bool> hex_column_;
};

static_assert(backend<MariadbBackend>);
static_assert(catalog_reader<MariadbBackend>);
static_assert(value_checker<MariadbBackend>);
static_assert(lock_wait_bounder<MariadbBackend>);
static_assert(copy_capable<MariadbBackend>);

}  // namespace bulkinsert
