#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "backend.hpp"
#include "chunk.hpp"
#include "detail/sql_builder.hpp"
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
    if constexpr (requires { b.check_values(chunk); }) b.check_values(chunk);
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
    // Building a 1,000-row statement's text costs more than encoding its values; build it once per shape.
    const auto& stmt = b.prepare(sql_.template get<typename B::dialect_type>(chunk.table(), chunk.size()));
    return b.run(stmt, chunk);
  }

  mutable detail::InsertSqlCache sql_{};  ///< not an option: the statement text last built
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

/// COPY ... FROM STDIN, binary when every column's type allows it: the fastest path into PostgreSQL.
/// Only backends that are copy_capable accept it; naming it for SQLite does not compile.
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
    return b.copy_in(chunk);
  }
};
inline constexpr Copy copy{};

/// A strategy whose RETURNING rows can be matched to input rows: one statement per row. Neither
/// PostgreSQL nor SQLite promises the order of RETURNING rows from a multi-row INSERT, and COPY returns none.
template <class S>
concept returning_strategy = requires {
  requires S::returns_in_input_order;
};

/// The built-in strategies B can run, by name.
template <backend B>
[[nodiscard]] std::string available_strategies() {
  std::string out;
  auto add = [&]<class S>(S) {
    if constexpr (strategy_for<S, B>) {
      if (!out.empty()) out += ", ";
      out += S::name;
    }
  };
  add(PerRow{});
  add(MultiValues{});
  add(ExecuteMany{});
  add(Copy{});
  return out;
}

/// Calls `f(S{})` for the built-in strategy called `name`. Throws UnsupportedStrategy, listing what
/// B has, if there is no such strategy or B cannot run it.
template <backend B, class F>
decltype(auto) with_strategy(std::string_view name, F&& f) {
  using Result = decltype(f(MultiValues{}));
  auto try_one = [&]<class S>(S s, Result* out) -> bool {
    if (name != S::name) return false;
    if constexpr (strategy_for<S, B>) {
      *out = f(s);
      return true;
    } else {
      throw UnsupportedStrategy(fmt::format("strategy \"{}\" is not available on {}; it has: {}", name, B::name,
                                            available_strategies<B>()));
    }
  };
  Result result{};
  if (try_one(PerRow{}, &result) || try_one(MultiValues{}, &result) || try_one(ExecuteMany{}, &result) ||
      try_one(Copy{}, &result))
    return result;
  throw UnsupportedStrategy(
      fmt::format("unknown strategy \"{}\"; {} has: {}", name, B::name, available_strategies<B>()));
}

}  // namespace bulkinsert
