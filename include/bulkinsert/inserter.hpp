#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "chunk.hpp"
#include "detail/load_session.hpp"
#include "detail/progress.hpp"
#include "detail/scoped_transaction.hpp"
#include "error.hpp"
#include "options.hpp"
#include "report.hpp"
#include "strategy.hpp"
#include "strategy_registry.hpp"
#include "table.hpp"

namespace bulkinsert {

/// What insert_returning gives back: the report, and for input row i, `rows[i]` holding the values of
/// the requested columns (empty where the row returned nothing: an ON CONFLICT DO NOTHING skip, a reject).
struct Returned {
  Report report;
  std::vector<DynamicRow> rows;
};

/// What insert_linked did: both reports, and the parents' generated ids by natural key.
struct LinkedReport {
  Report parents;
  Report children;
  std::unordered_map<std::string, std::int64_t> ids;
};

namespace detail {
/// A natural key's text, to look up parents by: text as it is, integers in decimal.
inline std::string key_text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  throw InputError("a natural key must be text or an integer");
}
}  // namespace detail

/// A range whose rows an insert call can read as `Row`.
template <class Rows, class Row>
concept rows_of = std::ranges::input_range<Rows> && std::convertible_to<std::ranges::range_reference_t<Rows>, Row>;

/// The input rows that earlier runs of the resumable import `import_id` committed, as sorted, merged
/// [first, last) ranges (none for a new import). Creates the progress table if it does not exist.
template <backend Backend>
[[nodiscard]] std::vector<RowRange> committed_rows(Backend& backend, const std::string& import_id) {
  return detail::load_progress(backend, import_id).ranges();
}

/// Sends rows to one backend, in chunks sized to its limits, through a strategy of the caller's choice.
/// It borrows the backend, which must outlive it; one call at a time per backend.
template <backend Backend>
class BulkInserter {
 public:
  explicit BulkInserter(Backend& backend, InsertOptions options = {}) : backend_(backend), options_(std::move(options)) {}

  /// Inserts every row of `rows` (any input range, read once) into `table` with `strategy`
  /// (the backend's default if none is named). Returns what was done; throws ChunkError when the
  /// database refuses a chunk and InputError when a row cannot be sent, after rolling back the open transaction.
  template <class Row, rows_of<Row> Rows, strategy_for<Backend> Strategy = typename Backend::default_strategy>
  [[nodiscard]] Report insert(const Table<Row>& table, Rows&& rows, Strategy strategy = {}) {
    return run(table, std::forward<Rows>(rows), strategy, nullptr, true);
  }

  /// The same with the strategy chosen by name at run time ("per_row", "multi_values", "execute_many",
  /// "copy"); throws UnsupportedStrategy, listing the backend's strategies, for a name it cannot run.
  template <class Row, rows_of<Row> Rows>
  [[nodiscard]] Report insert(const Table<Row>& table, Rows&& rows, std::string_view strategy) {
    return with_strategy<Backend>(strategy,
                                  [&](auto s) { return run(table, std::forward<Rows>(rows), s, nullptr, true); });
  }

  /// Inserts like insert() and returns `columns` of every inserted row (generated ids, defaults), in
  /// input order. Order is guaranteed by construction, not assumed: each row is its own statement
  /// (pipelined on PostgreSQL), because neither database promises RETURNING order for a multi-row INSERT.
  /// Only returning_strategy strategies (execute_many, per_row) are accepted; COPY returns nothing.
  template <class Row, rows_of<Row> Rows, strategy_for<Backend> Strategy = ExecuteMany>
    requires returning_strategy<Strategy>
  [[nodiscard]] Returned insert_returning(const Table<Row>& table, Rows&& rows, std::vector<std::string> columns,
                                          Strategy strategy = {}) {
    return returning(table, std::forward<Rows>(rows), std::move(columns), strategy);
  }

  /// insert_returning with the strategy chosen by name; a strategy that cannot return rows in input
  /// order (copy, multi_values) is refused with UnsupportedStrategy before anything is sent.
  template <class Row, rows_of<Row> Rows>
  [[nodiscard]] Returned insert_returning(const Table<Row>& table, Rows&& rows, std::vector<std::string> columns,
                                          std::string_view strategy) {
    return with_strategy<Backend>(strategy, [&](auto s) -> Returned {
      if constexpr (returning_strategy<decltype(s)>) {
        return returning(table, std::forward<Rows>(rows), std::move(columns), s);
      } else {
        throw UnsupportedStrategy(fmt::format(
            "strategy \"{}\" cannot return rows in input order; use execute_many or per_row", decltype(s)::name));
      }
    });
  }

  /// Runs insert() on a thread of its own and returns its future. Until the future is ready, the
  /// backend's connection belongs to that work: make no other call on it. The table is copied into the
  /// task; `rows`, if passed as an lvalue, must outlive the future, and an rvalue range is moved into it.
  template <class Row, rows_of<Row> Rows, strategy_for<Backend> Strategy = typename Backend::default_strategy>
  [[nodiscard]] std::future<Report> insert_async(const Table<Row>& table, Rows&& rows, Strategy strategy = {}) {
    if constexpr (std::is_lvalue_reference_v<Rows>) {
      return std::async(std::launch::async, [this, table, &rows, strategy] { return run(table, rows, strategy, nullptr, true); });
    } else {
      return std::async(std::launch::async, [this, table, held = std::move(rows), strategy]() mutable {
        return run(table, held, strategy, nullptr, true);
      });
    }
  }

  /// insert_async with the strategy chosen by name; a name the backend cannot run throws
  /// UnsupportedStrategy here, before any work starts, rather than through the future.
  template <class Row, rows_of<Row> Rows>
  [[nodiscard]] std::future<Report> insert_async(const Table<Row>& table, Rows&& rows, std::string_view strategy) {
    return with_strategy<Backend>(strategy, [&](auto s) { return insert_async(table, std::forward<Rows>(rows), s); });
  }

  /// Parents, then children, in one transaction: inserts `parent_rows` returning their `parent_id`,
  /// maps each parent's natural key (column `parent_key`, e.g. the role name) to its id, and inserts
  /// `child_rows` with column `child_fk` filled from that map by `child_key(child)`. A child whose key
  /// names no parent is an InputError naming the row. To get the ids of parents that already exist,
  /// give the parent table `.on_conflict_update({key}, {key})`.
  template <class Parent, rows_of<Parent> ParentRows, class Child, rows_of<Child> ChildRows, class ChildKey,
            strategy_for<Backend> ChildStrategy = typename Backend::default_strategy>
    requires std::convertible_to<std::invoke_result_t<const ChildKey&, const Child&>, std::string_view>
  [[nodiscard]] LinkedReport insert_linked(const Table<Parent>& parents, ParentRows&& parent_rows,
                                           std::string_view parent_key, std::string_view parent_id,
                                           const Table<Child>& children, ChildRows&& child_rows, std::string child_fk,
                                           ChildKey child_key, ChildStrategy child_strategy = {}) {
    if (parents.column_index(parent_key) == parents.column_count())
      throw InputError(fmt::format("table \"{}\" has no column \"{}\" to use as the natural key", parents.name(), parent_key));
    LinkedReport out;
    const RowSink collect = [&](std::size_t input_row, DynamicRow&& v) {
      if (v.size() != 2 || !std::holds_alternative<std::int64_t>(v[0]))
        throw InputError(fmt::format("parent row {}: \"{}\" did not come back as an integer id", input_row, parent_id));
      out.ids[detail::key_text(v[1])] = std::get<std::int64_t>(v[0]);
    };
    Table<Child> linked = children;
    const auto& ids = out.ids;
    linked.column(std::move(child_fk), [&ids, child_key](const Child& c) -> std::int64_t {
      const std::string_view key = std::invoke(child_key, c);
      const auto it = ids.find(std::string{key});
      if (it == ids.end()) throw ValueError(fmt::format("no parent row has the key \"{}\"", key));
      return it->second;
    });
    detail::ScopedTransaction<Backend> tx{backend_};
    out.parents = run(parents.returning({std::string{parent_id}, std::string{parent_key}}),
                      std::forward<ParentRows>(parent_rows), ExecuteMany{}, &collect, false);
    out.children = run(linked, std::forward<ChildRows>(child_rows), child_strategy, nullptr, false);
    tx.commit();
    out.parents.rows_committed = out.parents.rows;
    out.children.rows_committed = out.children.rows;
    return out;
  }

  [[nodiscard]] Backend& backend() noexcept { return backend_; }
  [[nodiscard]] const InsertOptions& options() const noexcept { return options_; }

 private:
  template <class Row, class Rows, class Strategy>
  Returned returning(const Table<Row>& table, Rows&& rows, std::vector<std::string> columns, const Strategy& strategy) {
    if (columns.empty()) throw InputError("insert_returning needs at least one column to return");
    Returned out;
    const RowSink sink = [&out](std::size_t input_row, DynamicRow&& values) {
      if (out.rows.size() <= input_row) out.rows.resize(input_row + 1);
      out.rows[input_row] = std::move(values);
    };
    out.report = run(table.returning(std::move(columns)), std::forward<Rows>(rows), strategy, &sink, true);
    out.rows.resize(out.report.rows + out.report.rows_rejected + out.report.rows_skipped);  // one per input row
    return out;
  }

  /// One call: the load engine over this connection.
  template <class Row, class Rows, class Strategy>
  Report run(const Table<Row>& table, Rows&& rows, const Strategy& strategy, const RowSink* sink, bool own_transaction) {
    return detail::load_range(backend_, table, std::forward<Rows>(rows), strategy, options_, sink, own_transaction);
  }

  Backend& backend_;
  InsertOptions options_;
};

}  // namespace bulkinsert
