#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "chunk.hpp"
#include "detail/progress.hpp"
#include "detail/scoped_transaction.hpp"
#include "detail/sql_builder.hpp"
#include "error.hpp"
#include "report.hpp"
#include "strategy.hpp"
#include "table.hpp"

namespace bulkinsert {

/// A row the database refused, when rejects are allowed.
struct RejectedRow {
  std::size_t input_row = 0;  ///< 0-based position in the input
  std::string code;           ///< SQLSTATE, SQLite extended code, or "input" for a value that could not be sent
  std::string message;        ///< the database's message
};

/// How an inserter commits.
struct InsertOptions {
  /// 0: one transaction for the whole call, so a failure leaves nothing behind. N: commit after every
  /// N chunks (a checkpoint); a failure then keeps the committed chunks and says how many rows they hold.
  std::size_t checkpoint_every_chunks = 0;
  /// Non-empty: an exactly-once, resumable import. Each commit records this id and the input rows it
  /// covers in the table `bulkinsert_progress`, in the same transaction as the rows; calling insert
  /// again with the same id and the same input skips exactly the committed rows.
  std::string import_id{};
  /// Rows the database may refuse before the call fails. Above 0, every chunk runs under a savepoint;
  /// a refused chunk is rolled back to it and split until the refused rows are isolated, each goes to
  /// `on_reject`, and the rest load.
  std::size_t max_rejects = 0;
  /// Told about every row the database refused (only with max_rejects > 0).
  std::function<void(const RejectedRow&)> on_reject{};
};

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

/// A range whose rows an insert call can read as `Row`.
template <class Rows, class Row>
concept rows_of = std::ranges::input_range<Rows> && std::convertible_to<std::ranges::range_reference_t<Rows>, Row>;

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
  template <class Row>
  static ValueRef read_erased(const void* table, const void* row, std::size_t column, detail::ValueArena& arena) {
    return static_cast<const Table<Row>*>(table)->read(*static_cast<const Row*>(row), column, arena);
  }

  template <class Row, class Rows, class Strategy>
  Returned returning(const Table<Row>& table, Rows&& rows, std::vector<std::string> columns, const Strategy& strategy) {
    if (columns.empty()) throw InputError("insert_returning needs at least one column to return");
    Returned out;
    const RowSink sink = [&out](std::size_t input_row, DynamicRow&& values) {
      if (out.rows.size() <= input_row) out.rows.resize(input_row + 1);
      out.rows[input_row] = std::move(values);
    };
    out.report = run(table.returning(std::move(columns)), std::forward<Rows>(rows), strategy, &sink, true);
    out.rows.resize(out.report.rows + out.report.rows_skipped);
    return out;
  }

  static bool is_row_error(const DatabaseError& e) noexcept {
    if constexpr (requires { Backend::is_row_error(e); }) return Backend::is_row_error(e);
    else return false;
  }

  /// The chunk loop: reads `rows` once, forms chunks of contiguous input rows, sends each through the
  /// strategy, commits at checkpoints and at the end (unless the caller owns the transaction).
  template <class Row, class Rows, class Strategy>
  Report run(const Table<Row>& table, Rows&& rows, const Strategy& strategy, const RowSink* sink, bool own_transaction) {
    using Reference = std::ranges::range_reference_t<Rows>;
    // Rows that live in the caller's range are sent from where they are; anything else (an input
    // iterator, a view yielding temporaries) is buffered one chunk at a time, so memory is bounded by the chunk.
    constexpr bool borrow = std::ranges::forward_range<Rows> && std::is_lvalue_reference_v<Reference> &&
                            std::is_same_v<std::remove_cvref_t<Reference>, Row>;
    using Dialect = typename Backend::dialect_type;

    detail::check_names<Dialect>(table.spec());
    const std::size_t chunk_rows = strategy.chunk_rows(backend_.limits(), table.column_count());
    const bool resumable = !options_.import_id.empty();
    if (resumable && !own_transaction)
      throw InputError("a resumable import commits its own transactions; it cannot run inside another call's");

    const auto started = std::chrono::steady_clock::now();
    Report report;
    report.strategy = Strategy::name;

    detail::CommittedRows done;
    if (resumable) done = detail::load_progress(backend_, options_.import_id);

    std::vector<const void*> pointers;
    std::vector<Row> buffer;
    const std::size_t reserve = std::min<std::size_t>(chunk_rows, 1 << 16);
    pointers.reserve(reserve);
    if constexpr (!borrow) buffer.reserve(reserve);
    detail::ValueArena arena;

    std::optional<detail::ScopedTransaction<Backend>> tx;
    std::size_t chunks_since_commit = 0;
    std::size_t chunk_first = 0;        // input row of the pending chunk's first row
    std::size_t uncommitted_first = 0;  // input row of the first chunk sent since the last commit
    std::size_t sent_end = 0;           // one past the last input row sent

    auto pending = [&] { return borrow ? pointers.size() : buffer.size(); };

    auto commit = [&] {
      try {
        if (resumable) detail::record_progress(backend_, options_.import_id, {uncommitted_first, sent_end});
        tx->commit();
      } catch (const DatabaseError& e) {
        std::throw_with_nested(ChunkError(e, Strategy::name, report.chunks == 0 ? 0 : report.chunks - 1,
                                          {uncommitted_first, sent_end}, report.rows_committed));
      }
      tx.reset();
      report.rows_committed = report.rows;
      chunks_since_commit = 0;
    };

    auto send_chunk = [&] {
      if (pending() == 0) return;
      if constexpr (!borrow)
        for (const Row& r : buffer) pointers.push_back(&r);
      const Chunk chunk = Chunk{table.spec(), &table, &read_erased<Row>, pointers.data(), pointers.size(),
                                report.chunks, chunk_first, arena}
                              .with_sink(sink);
      if (own_transaction && !tx) {
        tx.emplace(backend_);
        uncommitted_first = chunk_first;
      }
      SendStats stats;
      try {
        stats = options_.max_rejects == 0 ? strategy.send(backend_, chunk) : send_isolating(strategy, chunk, report);
      } catch (const ChunkError&) {
        throw;
      } catch (const DatabaseError& e) {
        std::throw_with_nested(
            ChunkError(e, Strategy::name, chunk.index(), chunk.input_rows(), report.rows_committed));
      } catch (const InputError& e) {
        if (report.rows_committed == 0) throw;
        std::throw_with_nested(InputError(fmt::format("{}; {} input rows committed", e.what(), report.rows_committed)));
      }
      report.rows += chunk.size();
      report.chunks += 1;
      report.statements += stats.statements;
      report.bytes += stats.bytes;
      report.rows_affected += stats.rows;
      sent_end = chunk_first + chunk.size();
      pointers.clear();
      if constexpr (!borrow) buffer.clear();
      arena.clear();
      if (own_transaction && options_.checkpoint_every_chunks != 0 &&
          ++chunks_since_commit == options_.checkpoint_every_chunks)
        commit();
    };

    std::size_t input_row = 0;
    for (auto&& row : rows) {
      const std::size_t i = input_row++;
      if (resumable && done.contains(i)) {
        ++report.rows_skipped;
        send_chunk();  // a chunk covers contiguous input rows only
        continue;
      }
      if (pending() != 0 && chunk_first + pending() != i) send_chunk();
      if (pending() == 0) chunk_first = i;
      if constexpr (borrow) {
        table.check_row(row, i);
        pointers.push_back(std::addressof(row));
      } else {
        const Row& kept = buffer.emplace_back(std::forward<decltype(row)>(row));
        table.check_row(kept, i);
      }
      if (pending() == chunk_rows) send_chunk();
    }
    send_chunk();
    if (tx) commit();
    if (!own_transaction) report.rows_committed = 0;  // the caller's transaction decides

    report.elapsed = std::chrono::steady_clock::now() - started;
    return report;
  }

  /// Sends `chunk` under a savepoint; if the database refuses it for its rows' values, rolls back to the
  /// savepoint and sends each half the same way, until single refused rows remain. Those are rejected.
  template <class Strategy>
  SendStats send_isolating(const Strategy& strategy, const Chunk& chunk, Report& report) {
    backend_.execute("SAVEPOINT bulkinsert_chunk");
    auto undo = [&] {
      backend_.execute("ROLLBACK TO SAVEPOINT bulkinsert_chunk");
      backend_.execute("RELEASE SAVEPOINT bulkinsert_chunk");
    };
    try {
      SendStats stats = strategy.send(backend_, chunk);
      backend_.execute("RELEASE SAVEPOINT bulkinsert_chunk");
      return stats;
    } catch (const DatabaseError& e) {
      if (!is_row_error(e)) throw;
      undo();
      if (chunk.size() == 1) {
        reject(chunk, e.code(), e.message(), report);
        return {};
      }
    } catch (const InputError& e) {
      undo();
      if (chunk.size() == 1) {
        reject(chunk, "input", e.what(), report);
        return {};
      }
    }
    const std::size_t half = chunk.size() / 2;
    SendStats stats = send_isolating(strategy, chunk.slice(0, half), report);
    stats += send_isolating(strategy, chunk.slice(half, chunk.size() - half), report);
    return stats;
  }

  void reject(const Chunk& chunk, const std::string& code, const std::string& message, Report& report) {
    const std::size_t row = chunk.input_rows().first;
    if (++report.rows_rejected > options_.max_rejects)
      throw DatabaseError(code, fmt::format("{} [input row {}]; more than {} rows refused", message, row, options_.max_rejects));
    if (const RowSink* sink = chunk.returning_sink()) (*sink)(row, DynamicRow{});
    if (options_.on_reject) options_.on_reject(RejectedRow{row, code, message});
  }

  Backend& backend_;
  InsertOptions options_;
};

}  // namespace bulkinsert
