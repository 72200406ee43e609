#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "chunk.hpp"
#include "detail/query.hpp"
#include "detail/repeated_keys.hpp"
#include "detail/sql_builder.hpp"
#include "detail/statement_bytes.hpp"
#include "error.hpp"
#include "planner.hpp"

namespace bulkinsert {

/// A way to send chunks through backend B. A strategy names itself, says how many rows it takes per
/// chunk given the backend's limits, and sends one chunk. Your own strategy plugs in by meeting this.
template <class S, class B>
concept strategy_for = backend<B> && requires(const S& s, B& b, const Chunk& chunk, const Limits& limits,
                                              std::size_t columns) {
  { S::name } -> std::convertible_to<std::string_view>;
  { s.chunk_rows(limits, columns) } -> std::convertible_to<std::size_t>;
  { s.send(b, chunk) } -> std::same_as<SendStats>;
};

/// One INSERT per row, each parsed, executed and waited for on its own: the article's session.add()
/// loop. The baseline the others are measured against; use it only for a handful of rows.
struct PerRow {
  static constexpr std::string_view name = "per_row";
  /// One statement per row: whatever an INSERT returns belongs to that row.
  static constexpr bool returns_in_input_order = true;
  /// Rows held in memory and reported as one chunk; each is still its own statement.
  std::size_t rows_per_chunk = 1000;

  [[nodiscard]] std::size_t chunk_rows(const Limits& limits, std::size_t columns) const {
    (void)plan_rows_per_statement(limits, columns, 1);  // a row wider than the parameter limit is refused here
    return rows_per_chunk == 0 ? 1000 : rows_per_chunk;
  }
  template <backend B>
  SendStats send(B& b, const Chunk& chunk) const {
    // A value the backend cannot send stops the chunk before its first row goes, where it can tell.
    if constexpr (value_checker<B>) b.check_values(chunk);
    const std::string sql = detail::insert_values_sql<typename B::dialect_type>(chunk.table(), 1);
    SendStats stats;
    for (std::size_t r = 0; r < chunk.size(); ++r) stats += b.run_once(sql, chunk.slice(r, 1), chunk.returning_sink());
    return stats;
  }
};
inline constexpr PerRow per_row{};

/// INSERT ... VALUES (...), (...), ... with as many rows per statement as the hint and the backend's
/// parameter limit allow; each statement shape is prepared once and reused. The article's
/// insert().values(), and the fastest portable way.
struct MultiValues {
  static constexpr std::string_view name = "multi_values";
  /// Rows per statement; 0 means as many as the parameter limit allows. The limit always wins.
  /// The default was chosen by measurement (see the README's benchmark): larger statements were not faster.
  std::size_t rows_per_statement = 1000;

  [[nodiscard]] std::size_t chunk_rows(const Limits& limits, std::size_t columns) const {
    return plan_rows_per_statement(limits, columns, rows_per_statement);
  }
  template <backend B>
  SendStats send(B& b, const Chunk& chunk) const {
    if (!detail::splits_at_repeated_keys(chunk.table())) return send_within_bytes(b, chunk);
    SendStats stats;
    std::size_t first = 0;
    for (const std::size_t rows : detail::runs_without_repeated_keys(chunk)) {
      stats += send_within_bytes(b, chunk.slice(first, rows));
      first += rows;
    }
    return stats;
  }

  mutable detail::InsertSqlCache sql_{};  ///< not an option: the statement text last built

 private:
  /// Statements within the backend's byte limit, where it has one (MariaDB's max_allowed_packet).
  template <backend B>
  SendStats send_within_bytes(B& b, const Chunk& chunk) const {
    const Limits limits = b.limits();
    if (limits.max_statement_bytes == 0) return send_statement(b, chunk);
    std::vector<ValueRef> buffer;
    const std::vector<std::size_t> runs = detail::runs_within_bytes(chunk, limits, buffer);
    if (runs.size() == 1) return send_statement(b, chunk);
    SendStats stats;
    std::size_t first = 0;
    for (const std::size_t rows : runs) {
      stats += send_statement(b, chunk.slice(first, rows));
      first += rows;
    }
    return stats;
  }

  template <backend B>
  SendStats send_statement(B& b, const Chunk& rows) const {
    // Building a 1,000-row statement's text costs more than encoding its values; build it once per shape.
    const auto& stmt = b.prepare(sql_.template get<typename B::dialect_type>(rows.table(), rows.size()));
    // Its rows come back in no promised order: only an upsert's updated flags, counted (see upsert_outcome_dialect).
    return b.run(stmt, rows, rows.returning_sink());
  }
};
inline const MultiValues multi_values{};

/// One single-row INSERT, prepared once and executed for every row: the article's executemany.
/// On PostgreSQL the executions are pipelined, so rows do not each wait for a round trip.
struct ExecuteMany {
  static constexpr std::string_view name = "execute_many";
  static constexpr bool returns_in_input_order = true;
  /// Rows per chunk: the unit of buffering, of pipelining and of error reports.
  std::size_t rows_per_chunk = 10000;

  [[nodiscard]] std::size_t chunk_rows(const Limits& limits, std::size_t columns) const {
    (void)plan_rows_per_statement(limits, columns, 1);
    return rows_per_chunk == 0 ? 10000 : rows_per_chunk;
  }
  template <backend B>
  SendStats send(B& b, const Chunk& chunk) const {
    const auto& stmt = b.prepare(sql_.template get<typename B::dialect_type>(chunk.table(), 1));
    return b.run_each(stmt, chunk, chunk.returning_sink());
  }

  mutable detail::InsertSqlCache sql_{};  ///< not an option: the statement text last built
};
inline const ExecuteMany execute_many{};

/// The database's bulk path (COPY ... FROM STDIN on PostgreSQL): the fastest way in. Only backends that
/// are copy_capable accept it; naming it for SQLite does not compile. An upsert (a table with
/// on_conflict) copies into a temporary staging table and moves the rows with one INSERT ... SELECT
/// that carries the upsert clause: upsert at COPY speed, where the dialect can stage.
struct Copy {
  static constexpr std::string_view name = "copy";
  /// Rows per COPY command: bounds memory and names the rows of a failure. There is no parameter limit.
  std::size_t rows_per_chunk = 50000;

  [[nodiscard]] std::size_t chunk_rows(const Limits& /*limits*/, std::size_t columns) const {
    if (columns == 0) throw InputError("a table needs at least one column");
    return rows_per_chunk == 0 ? 50000 : rows_per_chunk;
  }
  template <copy_capable B>
  SendStats send(B& b, const Chunk& chunk) const {
    const TableSpec& target = chunk.table();
    if (!target.on_conflict) return b.copy_in(chunk, target);
    using D = typename B::dialect_type;
    static_assert(staging_dialect<D>, "an upsert through copy needs a dialect that can stage rows");
    TableSpec stage;
    stage.name = std::string{staging_table};
    stage.columns = target.columns;
    std::string stage_name, target_name, columns;
    detail::append_table_name<D>(stage_name, stage);
    detail::append_table_name<D>(target_name, target);
    detail::append_column_list<D>(columns, target);
    const std::string create = D::create_staging_table(stage_name, target_name, std::string_view{columns}.substr(1, columns.size() - 2));
    const std::string move = detail::insert_select_sql<D>(target, stage_name);
    const std::vector<std::size_t> runs =
        detail::splits_at_repeated_keys(target) ? detail::runs_without_repeated_keys(chunk) : std::vector<std::size_t>{chunk.size()};
    SendStats stats;
    std::size_t first = 0;
    for (const std::size_t rows : runs) {
      b.execute(create);
      const SendStats copied = b.copy_in(chunk.slice(first, rows), stage);
      // The move's rows (an upsert's updated flags, see upsert_outcome_dialect) go to the chunk's sink.
      const SendStats moved = detail::run_statement(b, move, {}, chunk.returning_sink());
      b.execute(D::drop_staging_table(stage_name));
      // Rows count what the move wrote into the target, not what the stage took.
      stats += SendStats{copied.statements + moved.statements + 2, copied.bytes, moved.rows, moved.rows_updated};
      first += rows;
    }
    return stats;
  }

  /// The staging table of an upsert, temporary and private to the connection.
  static constexpr std::string_view staging_table = "bulkinsert_stage";
};
inline constexpr Copy copy{};

/// A strategy whose RETURNING rows can be matched to input rows: one statement per row. Neither
/// PostgreSQL nor SQLite promises the order of RETURNING rows from a multi-row INSERT, and COPY returns none.
template <class S>
concept returning_strategy = requires {
  requires S::returns_in_input_order;
};

}  // namespace bulkinsert
