#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <ranges>
#include <span>
#include <type_traits>
#include <utility>

#include "../backend.hpp"
#include "../error.hpp"
#include "../options.hpp"
#include "../report.hpp"
#include "../table.hpp"
#include "chunk_assembler.hpp"
#include "chunk_sender.hpp"
#include "committed_rows.hpp"
#include "progress.hpp"
#include "sql_builder.hpp"

namespace bulkinsert::detail {

/// What every load decides once, before its first row is read: that the table's names can be quoted,
/// where its chunks end (the strategy's row count from the live limits, and the byte budget), and, for a
/// resumable import, which input rows earlier runs committed (read once per load). Also the load's
/// clock and its final report. Shared by the single-connection session and the parallel dealer.
template <backend Backend, class Strategy>
class LoadPlan {
 public:
  LoadPlan(Backend& backend, const TableSpec& table, const Strategy& strategy, const InsertOptions& options,
           bool own_transaction)
      : started_(std::chrono::steady_clock::now()) {
    check_names<typename Backend::dialect_type>(table);
    bounds_.rows = strategy.chunk_rows(backend.limits(), table.columns.size());
    bounds_.bytes = options.max_chunk_bytes;
    if (!options.import_id.empty()) {
      if (!own_transaction)
        throw InputError("a resumable import commits its own transactions; it cannot run inside another call's");
      done_.emplace(load_progress(backend, options.import_id));
      if (options.on_resume) options.on_resume(done_->ranges());
    }
  }

  [[nodiscard]] ChunkBounds bounds() const noexcept { return bounds_; }
  /// The rows earlier runs committed, or null when the load is not a resumable import.
  [[nodiscard]] CommittedRows* done() noexcept { return done_ ? &*done_ : nullptr; }

  /// The load's report: the connections' reports summed, with the rows skipped and the time since the plan.
  [[nodiscard]] Report report(std::span<const Report> connections, std::size_t skipped) const {
    Report total;
    total.strategy = Strategy::name;
    for (const Report& r : connections) total += r;
    total.rows_skipped = skipped;
    total.elapsed = std::chrono::steady_clock::now() - started_;
    return total;
  }

 private:
  std::chrono::steady_clock::time_point started_;
  ChunkBounds bounds_;
  std::optional<CommittedRows> done_;
};

/// One load over one connection: rows are added one at a time (from an input range, or pushed by an
/// Appender), cut into chunks by a ChunkAssembler and sent by a ChunkSender, which owns the commit and
/// reject policy. `Borrow`: rows are referenced until their chunk is sent (an input range of stable
/// lvalues) instead of held. After a failure, abandon() rolls back what is open; the session is then done.
template <backend Backend, class Row, class Strategy, bool Borrow>
class LoadSession {
 public:
  LoadSession(Backend& backend, const Table<Row>& table, const Strategy& strategy, const InsertOptions& options,
              const RowSink* sink, bool own_transaction)
      : table_(table),
        plan_(backend, table.spec(), strategy, options, own_transaction),
        assembler_(table, plan_.bounds(), plan_.done()),
        sender_(backend, options, strategy, sink, own_transaction) {}

  /// Adds the next input row; sends a chunk when one is complete.
  template <class R>
  void add(R&& row) {
    assembler_.add(std::forward<R>(row), [this](ChunkRows<Row>& c) { send(c); });
  }

  /// Sends the rows held, if any, as a chunk (committing only where the policy says so).
  void flush() {
    assembler_.flush([this](ChunkRows<Row>& c) { send(c); });
  }

  /// Sends what is held, commits what is open and returns the load's report.
  [[nodiscard]] Report finish() {
    flush();
    sender_.finish();
    const Report sent = sender_.report();
    return plan_.report(std::span<const Report>{&sent, 1}, assembler_.skipped());
  }

  /// Rolls back what is open and drops the rows held; never throws.
  void abandon() noexcept {
    assembler_.discard();
    sender_.abandon();
  }

  /// Rows held and not yet sent.
  [[nodiscard]] std::size_t pending() const noexcept { return assembler_.pending(); }

 private:
  void send(ChunkRows<Row>& c) {
    sender_.send(c.view(table_, arena_));
    arena_.clear();
  }

  const Table<Row>& table_;
  LoadPlan<Backend, Strategy> plan_;
  ChunkAssembler<Row, Borrow> assembler_;
  ChunkSender<Backend, Strategy> sender_;
  ValueArena arena_;
};

/// Inserts every row of `rows` through one connection: a LoadSession over an input range. Rows are
/// borrowed when the range yields stable lvalues of Row, and moved from it otherwise.
template <backend Backend, class Row, class Rows, class Strategy>
Report load_range(Backend& backend, const Table<Row>& table, Rows&& rows, const Strategy& strategy,
                  const InsertOptions& options, const RowSink* sink, bool own_transaction) {
  LoadSession<Backend, Row, Strategy, borrows_rows<Rows, Row>> session{backend, table, strategy, options, sink, own_transaction};
  try {
    for (auto&& row : rows) session.add(std::forward<decltype(row)>(row));
    return session.finish();
  } catch (...) {
    session.abandon();
    throw;
  }
}

}  // namespace bulkinsert::detail
