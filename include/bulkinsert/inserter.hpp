#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <memory>
#include <optional>
#include <ranges>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "chunk.hpp"
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
  std::string code;           ///< SQLSTATE or SQLite extended code
  std::string message;        ///< the database's message
};

/// How an inserter commits.
struct InsertOptions {
  /// 0: one transaction for the whole call, so a failure leaves nothing behind. N: commit after every
  /// N chunks (a checkpoint); a failure then keeps the committed chunks and says how many rows they hold.
  std::size_t checkpoint_every_chunks = 0;
  /// Non-empty: an exactly-once, resumable import. Each checkpoint records this id and the number of
  /// input rows committed in the table `bulkinsert_progress`, in the same transaction as the rows;
  /// calling insert again with the same id and the same input skips exactly the committed rows.
  std::string import_id;
  /// Rows the database may refuse before the call fails. Above 0, a refused chunk is rolled back to a
  /// savepoint and split until the refused rows are isolated; each goes to `on_reject` and the rest load.
  std::size_t max_rejects = 0;
  /// Told about every row the database refused (only with max_rejects > 0).
  std::function<void(const RejectedRow&)> on_reject;
};

/// A range whose rows an insert call can read as `Row`.
template <class Rows, class Row>
concept rows_of = std::ranges::input_range<Rows> && std::convertible_to<std::ranges::range_reference_t<Rows>, Row>;

/// Sends rows to one backend, in chunks sized to its limits, through a strategy of the caller's choice.
/// It borrows the backend, which must outlive it; one call at a time per backend.
template <backend Backend>
class BulkInserter {
 public:
  explicit BulkInserter(Backend& backend, InsertOptions options = {}) noexcept
      : backend_(backend), options_(options) {}

  /// Inserts every row of `rows` (any input range, read once) into `table` with `strategy`
  /// (the backend's default if none is named). Returns what was done; throws ChunkError when the
  /// database refuses a chunk and InputError when a row cannot be sent, after rolling back the open transaction.
  template <class Row, rows_of<Row> Rows, strategy_for<Backend> Strategy = typename Backend::default_strategy>
  [[nodiscard]] Report insert(const Table<Row>& table, Rows&& rows, Strategy strategy = {}) {
    return run(table, std::forward<Rows>(rows), strategy);
  }

  /// The same with the strategy chosen by name at run time ("per_row", "multi_values", "execute_many",
  /// "copy"); throws UnsupportedStrategy, listing the backend's strategies, for a name it cannot run.
  template <class Row, rows_of<Row> Rows>
  [[nodiscard]] Report insert(const Table<Row>& table, Rows&& rows, std::string_view strategy) {
    return with_strategy<Backend>(strategy, [&](auto s) { return run(table, std::forward<Rows>(rows), s); });
  }

  [[nodiscard]] Backend& backend() noexcept { return backend_; }

 private:
  template <class Row>
  static ValueRef read_erased(const void* table, const void* row, std::size_t column, detail::ValueArena& arena) {
    return static_cast<const Table<Row>*>(table)->read(*static_cast<const Row*>(row), column, arena);
  }

  template <class Row, class Rows, class Strategy>
  Report run(const Table<Row>& table, Rows&& rows, const Strategy& strategy) {
    using Reference = std::ranges::range_reference_t<Rows>;
    // Rows that live in the caller's range are sent from where they are; anything else (an input
    // iterator, a view yielding temporaries) is buffered one chunk at a time, so memory is bounded by the chunk.
    constexpr bool borrow = std::ranges::forward_range<Rows> && std::is_lvalue_reference_v<Reference> &&
                            std::is_same_v<std::remove_cvref_t<Reference>, Row>;

    detail::check_names<typename Backend::dialect_type>(table.spec());
    const std::size_t chunk_rows = strategy.chunk_rows(backend_.limits(), table.column_count());

    const auto started = std::chrono::steady_clock::now();
    Report report;
    report.strategy = Strategy::name;

    std::vector<const void*> pointers;
    std::vector<Row> buffer;
    const std::size_t reserve = std::min<std::size_t>(chunk_rows, 1 << 16);
    pointers.reserve(reserve);
    if constexpr (!borrow) buffer.reserve(reserve);
    detail::ValueArena arena;

    std::optional<detail::ScopedTransaction<Backend>> tx;
    std::size_t chunks_since_commit = 0;
    std::size_t input_row = 0;

    auto commit = [&] {
      try {
        tx->commit();
      } catch (const DatabaseError& e) {
        std::throw_with_nested(ChunkError(e, Strategy::name, report.chunks == 0 ? 0 : report.chunks - 1,
                                          {report.rows_committed, input_row}, report.rows_committed));
      }
      tx.reset();
      report.rows_committed = input_row;
      chunks_since_commit = 0;
    };

    auto send_chunk = [&] {
      if constexpr (!borrow)
        for (const Row& r : buffer) pointers.push_back(&r);
      const Chunk chunk{table.spec(), &table, &read_erased<Row>, pointers.data(), pointers.size(),
                        report.chunks, input_row - pointers.size(), arena};
      if (!tx) tx.emplace(backend_);
      SendStats stats;
      try {
        stats = strategy.send(backend_, chunk);
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
      pointers.clear();
      if constexpr (!borrow) buffer.clear();
      arena.clear();
      if (options_.checkpoint_every_chunks != 0 && ++chunks_since_commit == options_.checkpoint_every_chunks)
        commit();
    };

    for (auto&& row : rows) {
      if constexpr (borrow) {
        table.check_row(row, input_row);
        pointers.push_back(std::addressof(row));
      } else {
        const Row& kept = buffer.emplace_back(std::forward<decltype(row)>(row));
        table.check_row(kept, input_row);
      }
      ++input_row;
      if ((borrow ? pointers.size() : buffer.size()) == chunk_rows) send_chunk();
    }
    if (borrow ? !pointers.empty() : !buffer.empty()) send_chunk();
    if (tx) commit();

    report.elapsed = std::chrono::steady_clock::now() - started;
    return report;
  }

  Backend& backend_;
  InsertOptions options_;
};

}  // namespace bulkinsert
