#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "bulkinsert.hpp"
#include "detail/result_rows.hpp"
#include "detail/sql_builder.hpp"
#include "detail/statement_cache.hpp"
#include "postgres/dialect.hpp"
#include "postgres/encoding.hpp"
#include "postgres/errors.hpp"
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

  /// Connects with a libpq connection string ("host=/tmp dbname=app" or "postgresql://..."). The session
  /// speaks UTF-8 whatever the string or PGCLIENTENCODING asked for: text values are sent as UTF-8.
  explicit PostgresBackend(const std::string& conninfo) : session_(conninfo) {
    session_.execute("SET client_encoding = 'UTF8'");
  }
  /// Borrows a connection the caller opened; it must outlive the backend and have no transaction open
  /// while an insert runs. Text values are sent in its client_encoding, as they are given; a load on it
  /// is refused (InputError) while that is an encoding whose characters can hold ASCII bytes (SJIS, BIG5, ...).
  explicit PostgresBackend(detail::PqxxConnection& connection) : session_(connection) {}

  PostgresBackend(const PostgresBackend&) = delete;
  PostgresBackend& operator=(const PostgresBackend&) = delete;

  [[nodiscard]] detail::PqxxConnection& connection() noexcept { return session_.connection(); }

  /// The Bind message counts parameters in 16 bits: 65,535 per statement, enforced by libpq itself.
  [[nodiscard]] Limits limits() const noexcept { return {65535, 0}; }

  void begin() {
    session_.begin();
    column_types_.clear();  // a table may have changed since the last transaction
    refuse_ascii_embedding_encoding();
  }
  void commit() { session_.commit(); }
  void rollback() noexcept { session_.rollback(); }

  /// Bounds how long a statement waits for a lock (SET lock_timeout, for the session): a lock_wait_bounder.
  void set_lock_timeout(std::chrono::milliseconds wait) { execute(fmt::format("SET lock_timeout = {}", wait.count())); }

  /// Runs SQL that takes no parameters (inside the open transaction, if any).
  void execute(std::string_view sql) { session_.execute(sql); }

  const Statement& prepare(std::string_view sql) {
    PGconn* c = session_.raw();
    return statements_.get(
        sql,
        [&](std::string_view text) {
          Statement stmt{fmt::format("bulkinsert_{}", ++statement_counter_)};
          check(c, Result{PQprepare(c, stmt.name.c_str(), std::string{text}.c_str(), 0, nullptr)}, PGRES_COMMAND_OK);
          return stmt;
        },
        [&](const Statement& stmt) noexcept {
          const std::string dealloc = fmt::format("DEALLOCATE {}", stmt.name);
          Result{PQexec(c, dealloc.c_str())};
        });
  }

  SendStats run(const Statement& stmt, const Chunk& chunk, const RowSink* sink = nullptr) {
    PGconn* c = session_.raw();
    params_.encode(chunk, &column_types(chunk.table()), 0, chunk.size());
    Result r{PQexecPrepared(c, stmt.name.c_str(), params_.count(), params_.values(), params_.lengths(),
                            params_.formats(), 0)};
    check_done(c, r, {chunk.size() == 1 ? chunk.input_rows().first : static_cast<std::size_t>(-1), {}});
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
    check_done(c, r, {chunk.size() == 1 ? chunk.input_rows().first : static_cast<std::size_t>(-1), {}});
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
      check_done(c, res, {chunk.input_rows().first + r, {}});
      deliver(res, sink, chunk.input_rows().first + r);
      stats.rows += affected(res);
      ++stats.statements;
    }
#endif
    return stats;
  }

  /// Throws InputError, naming the row and column, if any value of the chunk cannot be sent as a
  /// parameter (a NUL byte in text, an integer beyond its smallint or integer column). PerRow calls it so that a bad row stops the chunk before its
  /// first row is sent, as every other strategy does.
  void check_values(const Chunk& chunk) { params_.encode(chunk, &column_types(chunk.table()), 0, chunk.size()); }

  /// COPY ... FROM STDIN into `into` (the chunk's table, or a staging table shaped like it): binary when
  /// every column's type and every value allow it, text otherwise. Types are the chunk's own table's.
  SendStats copy_in(const Chunk& chunk, const TableSpec& into) {
    return copy_rows(session_.raw(), chunk, into, column_types(chunk.table()));
  }

  /// The table's columns from pg_catalog, in table order, with what their types say of their values.
  /// Throws DatabaseError 42P01 if there is no such table.
  std::vector<ColumnInfo> describe(const TableSpec& table) {
    std::string qualified;
    detail::append_table_name<dialect_type>(qualified, table);
    const auto rows = session_.query(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid, a.attnotnull, "
        "a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '' "
        "FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        qualified);
    std::vector<ColumnInfo> columns;
    for (const auto& row : rows) {
      ColumnInfo c;
      c.name = *row[0];
      c.type = *row[1];
      c.type_id = static_cast<std::uint32_t>(std::stoul(*row[2]));
      c.kind = detail::pg::kind_of_type(c.type_id);
      detail::pg::add_value_facts(c);
      c.not_null = *row[3] == "t";
      c.has_default = *row[4] == "t";
      columns.push_back(std::move(c));
    }
    // to_regclass gives NULL, hence no rows, for a missing table: the error names the table, not our query.
    if (columns.empty())
      throw DatabaseError("42P01", fmt::format("relation {} does not exist", qualified), ErrorKind::statement);
    return columns;
  }

 private:
  struct Clear {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
  };
  using Result = std::unique_ptr<PGresult, Clear>;

  /// Our COPY text escaping works byte by byte, which is right only in encodings whose multibyte characters
  /// never contain an ASCII byte. In these client-only encodings a character's second byte can be 0x5C, a
  /// backslash (libpqxx's stream_to picks its scanner by encoding group for this reason). Read from libpq's
  /// copy of the server's ParameterStatus: no round trip, and a later SET client_encoding is seen.
  void refuse_ascii_embedding_encoding() {
    const char* found = PQparameterStatus(session_.raw(), "client_encoding");
    const std::string_view encoding = found != nullptr ? found : "";
    for (const std::string_view unsafe : {"SJIS", "SHIFT_JIS_2004", "BIG5", "GBK", "GB18030", "UHC", "JOHAB"}) {
      if (encoding != unsafe) continue;
      session_.rollback();  // nothing but BEGIN was sent
      throw InputError(fmt::format(
          "the connection's client_encoding is {}, whose multibyte characters can contain ASCII bytes such as a "
          "backslash, which bulkinsert's COPY text escaping would misread; run SET client_encoding = 'UTF8' on the "
          "connection and send UTF-8 text, or let PostgresBackend open its own connection (always UTF-8)",
          encoding));
    }
  }

  static std::size_t affected(const Result& r) {
    const char* n = PQcmdTuples(r.get());
    return n != nullptr && *n != '\0' ? static_cast<std::size_t>(std::strtoull(n, nullptr, 10)) : 0;
  }

  /// Throws DatabaseError with the SQLSTATE; `input_row`, when known, is the input row the statement carried.
  /// Throws DatabaseError with the SQLSTATE, the server's message, DETAIL and HINT, and the input row
  /// (and column) the statement carried, when known. The server's CONTEXT is kept, except where it
  /// shows one of our own internal parameters, or a COPY line, which `copy_failure` turns into an input row.
  [[noreturn]] static void fail(PGconn* c, const PGresult* r, detail::pg::FailedAt at = {}) {
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string message;
    if (r != nullptr && PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) != nullptr) {
      message = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      if (const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)) message += fmt::format(" ({})", detail);
      if (const char* hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT)) message += fmt::format(" (HINT: {})", hint);
      if (const char* context = PQresultErrorField(r, PG_DIAG_CONTEXT);
          context != nullptr && !std::string_view{context}.starts_with("unnamed portal parameter") &&
          !std::string_view{context}.starts_with("COPY "))
        message += fmt::format(" (CONTEXT: {})", context);
    } else {
      message = PQerrorMessage(c);
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    }
    // Without a SQLSTATE the connection itself failed, or libpq did. libpq may not know yet which: a
    // write to a server that has gone fails before any read has seen the connection close. Reading
    // what is left on the socket lets libpq see the close and mark the connection bad.
    if (state == nullptr && PQstatus(c) != CONNECTION_BAD) (void)PQconsumeInput(c);
    const std::string_view code = state != nullptr                   ? std::string_view{state}
                                  : PQstatus(c) == CONNECTION_BAD ? detail::pg::connection_failure
                                                                  : detail::pg::unknown_failure;
    DatabaseError e(std::string{code}, message, detail::pg::error_kind(code));
    // A lost connection is no row's fault: name none.
    if (at.input_row != static_cast<std::size_t>(-1) && e.kind() != ErrorKind::connection_lost)
      throw e.at_input_row(at.input_row, at.column);
    throw e;
  }

  /// The input row and column of a COPY's failure, from the server's CONTEXT
  /// ("COPY users, line 3, column email: ..."): line N of the COPY is row N - 1 of the chunk.
  static detail::pg::FailedAt copy_failure(const PGresult* r, const Chunk& chunk) {
    const char* context = r != nullptr ? PQresultErrorField(r, PG_DIAG_CONTEXT) : nullptr;
    if (context == nullptr) return {};
    const std::string_view text{context};
    const std::size_t at = text.find(", line ");
    if (!text.starts_with("COPY ") || at == std::string_view::npos) return {};
    std::size_t line = 0;
    const char* digits = text.data() + at + 7;
    const auto [end, ec] = std::from_chars(digits, text.data() + text.size(), line);
    if (ec != std::errc{} || line == 0 || line > chunk.size()) return {};
    detail::pg::FailedAt failed{chunk.input_rows().first + line - 1, {}};
    std::string_view rest{end, static_cast<std::size_t>(text.data() + text.size() - end)};
    if (rest.starts_with(", column ")) {
      rest.remove_prefix(9);
      failed.column = std::string{rest.substr(0, rest.find(':'))};
    }
    return failed;
  }


  static void check(PGconn* c, const Result& r, ExecStatusType expected, detail::pg::FailedAt at = {}) {
    if (!r || PQresultStatus(r.get()) != expected) fail(c, r.get(), std::move(at));
  }

  /// A statement succeeded if it completed, with or without rows (RETURNING).
  static void check_done(PGconn* c, const Result& r, detail::pg::FailedAt at = {}) {
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(c, r.get(), std::move(at));
  }

  /// Hands the rows of `r` to `sink`, decoding integers, reals, booleans and bytea; other types arrive as
  /// their text form.
  static void deliver(const Result& r, const RowSink* sink, std::size_t input_row) {
    if (sink == nullptr || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return;
    PGresult* res = r.get();
    detail::deliver_rows(*sink, input_row, static_cast<std::size_t>(PQntuples(res)), static_cast<std::size_t>(PQnfields(res)),
                         [res](std::size_t row, std::size_t column) -> Value {
                           const int i = static_cast<int>(row);
                           const int j = static_cast<int>(column);
                           if (PQgetisnull(res, i, j)) return Null{};
                           const std::string_view text{PQgetvalue(res, i, j), static_cast<std::size_t>(PQgetlength(res, i, j))};
                           return detail::pg::decode_text(text, static_cast<unsigned>(PQftype(res, j)));
                         });
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
    check(c, r, PGRES_COMMAND_OK, copy_failure(r.get(), chunk));
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
    // The first failure, raised once the pipeline is drained and the connection out of pipeline mode.
    bool failed = false;
    Result failure;
    std::size_t failed_row = 0;
    if (PQpipelineSync(c) != 1) fail(c, nullptr);
    for (std::size_t i = 0; i < sent; ++i) {
      Result r{PQgetResult(c)};
      if (!r) {
        if (!failed) {
          failed = true;
          failed_row = chunk.input_rows().first + i;
        }
        break;
      }
      const auto status = PQresultStatus(r.get());
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        rows += affected(r);
        if (!failed) deliver(r, sink, chunk.input_rows().first + i);
      } else if (status != PGRES_PIPELINE_ABORTED && !failed) {
        failed = true;
        failed_row = chunk.input_rows().first + i;
        failure = std::move(r);
      }
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
    if (failed && report) fail(c, failure.get(), {failed_row, {}});
    return rows;
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

  detail::PqxxSession session_;
  // Prepared statements are named per connection; 32 covers the shapes of several tables at once.
  detail::StatementCache<Statement> statements_{32};
  std::unordered_map<std::string, std::pair<std::vector<std::string>, std::vector<unsigned>>> column_types_;
  std::size_t statement_counter_ = 0;
  detail::pg::Params params_;
  detail::ByteBuffer copy_buffer_;
  std::vector<ValueRef> copy_rows_;  // a batch of the chunk's rows, read to be encoded for COPY
};

static_assert(backend<PostgresBackend>);
static_assert(copy_capable<PostgresBackend>);

}  // namespace bulkinsert
