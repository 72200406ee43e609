#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "bulkinsert.hpp"
#include "detail/sql_builder.hpp"
#include "postgres/encoding.hpp"
#include "postgres/pqxx_session.hpp"

namespace bulkinsert {

/// PostgreSQL through libpqxx, and libpq underneath for the hot paths. Owns or borrows a pqxx::connection.
///
/// libpqxx (in detail::PqxxSession) opens the connection and runs the transaction; inside it, rows
/// travel through libpq directly: COPY BINARY, pipelined prepared statements and parameter arrays are
/// what make the strategies as fast as hand-written libpq, and libpqxx 6.4 has none of them.
class PostgresBackend {
 public:
  using dialect_type = PostgresDialect;
  using default_strategy = Copy;
  static constexpr std::string_view name = "postgres";

  /// A statement prepared on this connection under a name of ours.
  struct Statement {
    std::string name;
  };
  using statement_type = Statement;

  /// Connects with a libpq connection string ("host=/tmp dbname=app" or "postgresql://...").
  explicit PostgresBackend(const std::string& conninfo) : session_(conninfo) {}
  /// Borrows a connection the caller opened; it must outlive the backend and have no transaction open
  /// while an insert runs.
  explicit PostgresBackend(detail::PqxxConnection& connection) : session_(connection) {}

  PostgresBackend(const PostgresBackend&) = delete;
  PostgresBackend& operator=(const PostgresBackend&) = delete;

  [[nodiscard]] detail::PqxxConnection& connection() noexcept { return session_.connection(); }

  /// The Bind message counts parameters in 16 bits: 65,535 per statement, enforced by libpq itself.
  [[nodiscard]] Limits limits() const noexcept { return {65535, 0}; }

  void begin() {
    session_.begin();
    column_types_.clear();  // a table may have changed since the last transaction
  }
  void commit() { session_.commit(); }
  void rollback() noexcept { session_.rollback(); }

  /// Bounds how long a statement waits for a lock (SET lock_timeout, for the session); ParallelInserter
  /// uses it so that workers blocked on each other's uncommitted rows fail instead of waiting forever.
  void set_lock_timeout(std::chrono::milliseconds wait) { execute(fmt::format("SET lock_timeout = {}", wait.count())); }

  /// Runs SQL that takes no parameters (inside the open transaction, if any).
  void execute(std::string_view sql) { session_.execute(sql); }

  const Statement& prepare(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    PGconn* c = session_.raw();
    if (statements_.size() >= 32) deallocate_all(c);
    Statement stmt{fmt::format("bulkinsert_{}", ++statement_counter_)};
    const std::string text{sql};
    check(c, Result{PQprepare(c, stmt.name.c_str(), text.c_str(), 0, nullptr)}, PGRES_COMMAND_OK);
    return statements_.emplace(text, std::move(stmt)).first->second;
  }

  SendStats run(const Statement& stmt, const Chunk& chunk, const RowSink* sink = nullptr) {
    PGconn* c = session_.raw();
    params_.encode(chunk, &column_types(chunk.table()), 0, chunk.size());
    Result r{PQexecPrepared(c, stmt.name.c_str(), params_.count(), params_.values(), params_.lengths(),
                            params_.formats(), 0)};
    check_done(c, r);
    deliver(r, sink, chunk.input_rows().first);
    return {1, params_.bytes(), affected(r)};
  }

  SendStats run_once(std::string_view sql, const Chunk& chunk, const RowSink* sink = nullptr) {
    PGconn* c = session_.raw();
    const std::string text{sql};
    // Unprepared statements are the naive path (per_row) and the library's own queries: text parameters.
    params_.encode(chunk, nullptr, 0, chunk.size());
    Result r{PQexecParams(c, text.c_str(), params_.count(), nullptr, params_.values(), params_.lengths(),
                          params_.formats(), 0)};
    check_done(c, r, chunk.size() == 1 ? chunk.input_rows().first : static_cast<std::size_t>(-1));
    deliver(r, sink, chunk.input_rows().first);
    return {1, params_.bytes(), affected(r)};
  }

  /// One execution per row, pipelined (libpq 14+): every row is sent before the first reply is read,
  /// so the chunk costs one round trip instead of one per row.
  SendStats run_each(const Statement& stmt, const Chunk& chunk, const RowSink* sink = nullptr) {
    PGconn* c = session_.raw();
    // The whole chunk is encoded before the first row is sent, so a value that cannot be sent is
    // refused before anything of the chunk reaches the server.
    params_.encode(chunk, &column_types(chunk.table()), 0, chunk.size());
    const std::size_t cols = chunk.columns();
    const int n = static_cast<int>(cols);
    SendStats stats{0, params_.bytes(), 0};
    auto row_params = [&](std::size_t r, auto send) {
      return send(params_.values() + r * cols, params_.lengths() + r * cols, params_.formats() + r * cols);
    };
#ifdef LIBPQ_HAS_PIPELINING
    if (PQenterPipelineMode(c) != 1) fail(c, nullptr);
    std::size_t sent = 0;
    try {
      for (; sent < chunk.size(); ++sent) {
        const int ok = row_params(sent, [&](const char* const* v, const int* l, const int* f) {
          return PQsendQueryPrepared(c, stmt.name.c_str(), n, v, l, f, 0);
        });
        if (ok != 1) fail(c, nullptr);
      }
    } catch (...) {
      // Leave the connection usable (out of pipeline mode) before the error travels on.
      finish_pipeline(c, sent, chunk, nullptr, false);
      throw;
    }
    stats.rows = finish_pipeline(c, sent, chunk, sink, true);
    stats.statements = sent;
#else
    for (std::size_t r = 0; r < chunk.size(); ++r) {
      Result res{row_params(r, [&](const char* const* v, const int* l, const int* f) {
        return PQexecPrepared(c, stmt.name.c_str(), n, v, l, f, 0);
      })};
      check_done(c, res, chunk.input_rows().first + r);
      deliver(res, sink, chunk.input_rows().first + r);
      stats.rows += affected(res);
      ++stats.statements;
    }
#endif
    return stats;
  }

  /// Throws InputError, naming the row and column, if any value of the chunk cannot be sent as a
  /// parameter (a NUL byte in text). PerRow calls it so that a bad row stops the chunk before its
  /// first row is sent, as every other strategy does.
  void check_values(const Chunk& chunk) { params_.encode(chunk, nullptr, 0, chunk.size()); }

  /// COPY ... FROM STDIN: binary when every target column's type and every value allow it, text otherwise.
  /// With ON CONFLICT, rows are copied into a temporary staging table and moved with one
  /// INSERT ... SELECT ... ON CONFLICT, which is upsert at COPY speed.
  SendStats copy_in(const Chunk& chunk) {
    PGconn* c = session_.raw();
    const TableSpec& target = chunk.table();
    const std::vector<unsigned>& types = column_types(target);
    if (!target.on_conflict) return copy_rows(c, chunk, target, types);

    TableSpec stage;
    stage.name = "bulkinsert_stage";
    stage.columns = target.columns;
    std::string columns;
    detail::append_column_list<dialect_type>(columns, target);
    std::string table;
    detail::append_table_name<dialect_type>(table, target);
    // Only the inserted columns and their types: no constraints, defaults or indexes to slow the copy.
    // A temporary table lives in this session's own schema and goes with the transaction if it fails.
    exec(c, fmt::format("CREATE TEMP TABLE bulkinsert_stage AS SELECT {} FROM {} WITH NO DATA",
                        columns.substr(1, columns.size() - 2), table));
    SendStats stats = copy_rows(c, chunk, stage, types);
    std::string move = "INSERT INTO " + table + ' ' + columns + " SELECT " + columns.substr(1, columns.size() - 2) +
                       " FROM bulkinsert_stage";
    detail::append_insert_tail<dialect_type>(move, target);
    const Result moved = exec(c, move);
    exec(c, "DROP TABLE bulkinsert_stage");
    stats.statements += 3;
    stats.rows = affected(moved);
    return stats;
  }

  /// Whether the database refused a row for its own values: SQLSTATE class 22 (data exception) or
  /// 23 (integrity constraint violation). Connection, resource and server errors are not.
  static bool is_row_error(const DatabaseError& e) noexcept {
    return e.code().size() == 5 && e.code()[0] == '2' && (e.code()[1] == '2' || e.code()[1] == '3');
  }

  /// The table's columns from pg_catalog, in table order. Throws DatabaseError 42P01 if there is no such table.
  std::vector<ColumnInfo> describe(const TableSpec& table) {
    std::string qualified;
    detail::append_table_name<dialect_type>(qualified, table);
    const auto rows = session_.query(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid, a.attnotnull, "
        "a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '' "
        "FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        qualified);
    std::vector<ColumnInfo> columns;
    for (const auto& row : rows) {
      ColumnInfo c;
      c.name = *row[0];
      c.type = *row[1];
      c.type_id = static_cast<std::uint32_t>(std::stoul(*row[2]));
      c.kind = detail::pg::kind_of_type(c.type_id);
      c.not_null = *row[3] == "t";
      c.has_default = *row[4] == "t";
      columns.push_back(std::move(c));
    }
    return columns;
  }

 private:
  struct Clear {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
  };
  using Result = std::unique_ptr<PGresult, Clear>;

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  static std::size_t affected(const Result& r) {
    const char* n = PQcmdTuples(r.get());
    return n != nullptr && *n != '\0' ? static_cast<std::size_t>(std::strtoull(n, nullptr, 10)) : 0;
  }

  /// Throws DatabaseError with the SQLSTATE; `input_row`, when known, is the input row the statement carried.
  [[noreturn]] static void fail(PGconn* c, const PGresult* r, std::size_t input_row = static_cast<std::size_t>(-1)) {
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string message;
    if (r != nullptr && PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) != nullptr) {
      message = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      if (const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)) message += fmt::format(" ({})", detail);
    } else {
      message = PQerrorMessage(c);
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    }
    if (input_row != static_cast<std::size_t>(-1)) message += fmt::format(" [input row {}]", input_row);
    // Without a SQLSTATE the connection itself failed: 08006, connection_failure.
    throw DatabaseError(state != nullptr ? state : (PQstatus(c) == CONNECTION_BAD ? "08006" : "XX000"), message);
  }

  static void check(PGconn* c, const Result& r, ExecStatusType expected,
                    std::size_t input_row = static_cast<std::size_t>(-1)) {
    if (!r || PQresultStatus(r.get()) != expected) fail(c, r.get(), input_row);
  }

  /// A statement succeeded if it completed, with or without rows (RETURNING).
  static void check_done(PGconn* c, const Result& r, std::size_t input_row = static_cast<std::size_t>(-1)) {
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(c, r.get(), input_row);
  }

  /// Hands the rows of `r` to `sink`, decoding integers, reals, booleans and bytea; other types arrive as
  /// their text form.
  static void deliver(const Result& r, const RowSink* sink, std::size_t input_row) {
    if (sink == nullptr || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return;
    const int rows = PQntuples(r.get());
    const int cols = PQnfields(r.get());
    for (int i = 0; i < rows; ++i) {
      DynamicRow row;
      row.reserve(static_cast<std::size_t>(cols));
      for (int j = 0; j < cols; ++j) {
        if (PQgetisnull(r.get(), i, j)) {
          row.emplace_back(Null{});
          continue;
        }
        const std::string_view text{PQgetvalue(r.get(), i, j), static_cast<std::size_t>(PQgetlength(r.get(), i, j))};
        row.push_back(detail::pg::decode_text(text, static_cast<unsigned>(PQftype(r.get(), j))));
      }
      (*sink)(input_row, std::move(row));
    }
  }

  /// Runs one parameterless statement through libpq, inside the open transaction.
  static Result exec(PGconn* c, const std::string& sql) {
    Result r{PQexec(c, sql.c_str())};
    check_done(c, r);
    return r;
  }

  /// One COPY of the chunk into `into`. The chunk is encoded whole before the COPY starts: in binary
  /// when every column's type allows it, and again as text if some value has no binary form for its
  /// column, so that COPY accepts exactly what the other strategies accept. Memory is bounded by the chunk.
  SendStats copy_rows(PGconn* c, const Chunk& chunk, const TableSpec& into, const std::vector<unsigned>& types) {
    bool binary = types.size() == chunk.columns();
    for (const unsigned t : types) binary = binary && detail::pg::binary_encodable(t);
    detail::ByteBuffer& buf = copy_buffer_;
    buf.clear();
    if (binary) {
      detail::pg::copy_binary_header(buf);
      chunk.for_each_row(0, chunk.size(), copy_rows_, [&](std::size_t r, std::span<const ValueRef> row) {
        binary = binary && detail::pg::copy_binary_row(buf, chunk, r, row, types);
      });
      if (binary) detail::pg::copy_binary_trailer(buf);
      else buf.clear();
    }
    if (!binary)
      chunk.for_each_row(0, chunk.size(), copy_rows_, [&](std::size_t r, std::span<const ValueRef> row) {
        detail::pg::copy_text_row(buf, chunk, r, row);
      });

    std::string sql = "COPY ";
    detail::append_table_name<dialect_type>(sql, into);
    sql += ' ';
    detail::append_column_list<dialect_type>(sql, into);
    sql += binary ? " FROM STDIN (FORMAT binary)" : " FROM STDIN";
    check(c, Result{PQexec(c, sql.c_str())}, PGRES_COPY_IN);
    // libpq copies what it is given into its own buffer; a MiB per call keeps that copy small.
    constexpr std::size_t slice = 1024 * 1024;
    for (std::size_t at = 0; at < buf.size(); at += slice) {
      const std::size_t n = std::min(slice, buf.size() - at);
      if (PQputCopyData(c, buf.data() + at, static_cast<int>(n)) != 1) {
        PQputCopyEnd(c, "bulkinsert: sending failed");
        fail(c, nullptr);
      }
    }
    if (PQputCopyEnd(c, nullptr) != 1) fail(c, nullptr);
    Result r{PQgetResult(c)};
    check(c, r, PGRES_COMMAND_OK);
    drain(c);
    return {1, buf.size(), affected(r)};
  }

  /// Reads and drops results until libpq has none left for the current command.
  static void drain(PGconn* c) {
    while (PGresult* r = PQgetResult(c)) PQclear(r);
  }

#ifdef LIBPQ_HAS_PIPELINING
  /// Syncs the pipeline, reads one result per sent row, and leaves pipeline mode. Throws the first
  /// error (naming its input row) once the connection is back to normal; with `stats` null, only cleans up.
  std::size_t finish_pipeline(PGconn* c, std::size_t sent, const Chunk& chunk, const RowSink* sink, bool report) {
    std::size_t rows = 0;
    std::optional<DatabaseError> first_error;
    if (PQpipelineSync(c) != 1) fail(c, nullptr);
    for (std::size_t i = 0; i < sent; ++i) {
      Result r{PQgetResult(c)};
      if (!r) {
        if (!first_error) first_error = capture(c, nullptr, chunk.input_rows().first + i);
        break;
      }
      const auto status = PQresultStatus(r.get());
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        rows += affected(r);
        if (!first_error) deliver(r, sink, chunk.input_rows().first + i);
      } else if (status != PGRES_PIPELINE_ABORTED && !first_error) first_error = capture(c, r.get(), chunk.input_rows().first + i);
      drain(c);  // the NULL that ends each query's results
    }
    // Up to and including the sync's own result.
    for (;;) {
      Result r{PQgetResult(c)};
      if (!r) {
        if (PQstatus(c) == CONNECTION_BAD) break;
        continue;
      }
      if (PQresultStatus(r.get()) == PGRES_PIPELINE_SYNC) break;
    }
    PQexitPipelineMode(c);
    if (first_error && report) throw *first_error;
    return rows;
  }

  static DatabaseError capture(PGconn* c, const PGresult* r, std::size_t input_row) {
    try {
      fail(c, r, input_row);
    } catch (const DatabaseError& e) {
      return e;
    }
  }
#endif

  /// The target columns' type OIDs, in the chunk's column order; shorter than the column list when the
  /// catalog lacks one of them (COPY then goes as text, and the server names the column).
  const std::vector<unsigned>& column_types(const TableSpec& table) {
    std::string qualified;
    detail::append_table_name<dialect_type>(qualified, table);
    if (auto it = column_types_.find(qualified); it != column_types_.end() && it->second.first == table.columns)
      return it->second.second;
    const std::vector<ColumnInfo> described = describe(table);
    std::vector<unsigned> types;
    for (const std::string& column : table.columns) {
      const auto found = std::find_if(described.begin(), described.end(), [&](const ColumnInfo& c) { return c.name == column; });
      if (found == described.end()) break;
      types.push_back(found->type_id);
    }
    auto& entry = column_types_[qualified];
    entry = {table.columns, std::move(types)};
    return entry.second;
  }

  void deallocate_all(PGconn* c) {
    for (const auto& [sql, stmt] : statements_) {
      const std::string dealloc = fmt::format("DEALLOCATE {}", stmt.name);
      Result{PQexec(c, dealloc.c_str())};
    }
    statements_.clear();
  }

  detail::PqxxSession session_;
  std::unordered_map<std::string, Statement, Hash, std::equal_to<>> statements_;
  std::unordered_map<std::string, std::pair<std::vector<std::string>, std::vector<unsigned>>> column_types_;
  std::size_t statement_counter_ = 0;
  detail::pg::Params params_;
  detail::ByteBuffer copy_buffer_;
  std::vector<ValueRef> copy_rows_;  // a batch of the chunk's rows, read to be encoded for COPY
};

static_assert(backend<PostgresBackend>);
static_assert(copy_capable<PostgresBackend>);

}  // namespace bulkinsert
