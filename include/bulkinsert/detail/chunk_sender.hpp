#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "../backend.hpp"
#include "../chunk.hpp"
#include "../error.hpp"
#include "../options.hpp"
#include "../report.hpp"
#include "sql_builder.hpp"
#include "progress.hpp"
#include "scoped_transaction.hpp"

namespace bulkinsert::detail {

/// Sends chunks through one connection and owns its commit and reject policy: begins lazily, commits at
/// checkpoints and at finish() (recording progress for a resumable import in the same transaction),
/// isolates refused rows under savepoints when rejects are allowed, wraps database errors in ChunkError,
/// and keeps the connection's Report. One per connection of a load.
template <backend Backend, class Strategy>
class ChunkSender {
 public:
  /// `shared_rejects`, when given, counts rejects across all senders of one load (parallel workers), so
  /// that max_rejects limits the load, not each connection.
  ChunkSender(Backend& backend, const InsertOptions& options, const Strategy& strategy, const RowSink* sink,
              bool own_transaction, std::atomic<std::size_t>* shared_rejects = nullptr)
      : backend_(backend),
        options_(options),
        strategy_(strategy),
        sink_(sink),
        own_transaction_(own_transaction),
        shared_rejects_(shared_rejects) {
    report_.strategy = Strategy::name;
  }
  ChunkSender(const ChunkSender&) = delete;  // flag_counter_ points at this sender
  ChunkSender& operator=(const ChunkSender&) = delete;

  /// Sends one chunk; throws ChunkError or InputError, after which the sender must be abandon()ed.
  void send(const Chunk& plain) {
    const bool counts_flags = returns_updated_flag<Dialect>(plain.table());
    const Chunk chunk = plain.with_sink(counts_flags ? &flag_counter_ : sink_);
    const std::size_t rejected_before = report_.rows_rejected;
    const std::size_t flagged_before = rows_flagged_updated_;
    SendStats stats;
    try {
      // Inside the try: a connection that dies between a checkpoint and the next BEGIN is reported with
      // this chunk and the rows committed so far, like any other failure.
      if (own_transaction_ && !tx_) tx_.emplace(backend_);
      stats = options_.max_rejects == 0 ? strategy_.send(backend_, chunk) : send_isolating(chunk);
    } catch (const ChunkError&) {
      throw;
    } catch (const DatabaseError& e) {
      const std::optional<DatabaseError> located = e.kind() == ErrorKind::row_values ? locate(chunk, e) : std::nullopt;
      std::throw_with_nested(
          ChunkError(located ? *located : e, Strategy::name, chunk.index(), chunk.input_rows(), report_.rows_committed));
    } catch (const InputError& e) {
      if (report_.rows_committed == 0) throw;
      std::throw_with_nested(InputError(fmt::format("{}; {} input rows committed", e.what(), report_.rows_committed)));
    }
    // Rows counts what is in the database: a rejected row is counted apart, as rows_rejected.
    report_.rows += chunk.size() - (report_.rows_rejected - rejected_before);
    report_.chunks += 1;
    report_.statements += stats.statements;
    report_.bytes += stats.bytes;
    report_.rows_affected += stats.rows;
    // Unknown for this chunk is unknown for the report: see Report::rows_updated.
    const std::optional<std::size_t> updated = !updates_on_conflict(chunk.table()) ? std::optional<std::size_t>{0}
                                               : counts_flags ? std::optional{rows_flagged_updated_ - flagged_before}
                                                              : stats.rows_updated;
    report_.rows_updated = report_.rows_updated && updated ? std::optional{*report_.rows_updated + *updated} : std::nullopt;
    last_chunk_ = chunk.index();
    // A resumed import must skip rejected rows too: the progress record covers the whole chunk.
    if (!uncommitted_.empty() && uncommitted_.back().last == chunk.input_rows().first)
      uncommitted_.back().last = chunk.input_rows().last;
    else
      uncommitted_.push_back(chunk.input_rows());
    if (own_transaction_ && options_.checkpoint_every_chunks != 0 &&
        ++chunks_since_commit_ == options_.checkpoint_every_chunks)
      commit();
  }

  /// Commits what is open. With the caller owning the transaction, only closes the books.
  void finish() {
    if (tx_) commit();
    if (!own_transaction_) report_.rows_committed = 0;  // the caller's transaction decides
  }

  /// Rolls back what is open; never throws.
  void abandon() noexcept { tx_.reset(); }

  [[nodiscard]] Report& report() noexcept { return report_; }
  [[nodiscard]] const Report& report() const noexcept { return report_; }

 private:
  using Dialect = typename Backend::dialect_type;
  static constexpr std::string_view savepoint_name = "bulkinsert_chunk";

  void commit() {
    const RowRange span = uncommitted_.empty() ? RowRange{} : RowRange{uncommitted_.front().first, uncommitted_.back().last};
    try {
      if (!options_.import_id.empty())
        for (const RowRange& r : uncommitted_) record_progress(backend_, options_.import_id, r);
      tx_->commit();
    } catch (const DatabaseError& e) {
      // Without the server's answer to COMMIT, the rows since the last commit are neither committed nor
      // rolled back as far as anyone here knows: say so rather than count them either way.
      const std::size_t in_doubt = e.kind() == ErrorKind::commit_in_doubt ? report_.rows - report_.rows_committed : 0;
      std::throw_with_nested(ChunkError(e, Strategy::name, last_chunk_, span, report_.rows_committed, in_doubt));
    }
    tx_.reset();
    uncommitted_.clear();
    report_.rows_committed = report_.rows;
    chunks_since_commit_ = 0;
  }

  /// Sends `chunk` under a savepoint; if the database refuses it for its rows' values, rolls back to the
  /// savepoint and sends each half the same way, until single refused rows remain. Those are rejected.
  SendStats send_isolating(const Chunk& chunk) {
    backend_.execute(Dialect::savepoint(savepoint_name));
    const std::size_t flagged_before = rows_flagged_updated_;
    auto undo = [&] {
      rows_flagged_updated_ = flagged_before;  // the rows that said so are rolled back
      backend_.execute(Dialect::rollback_to_savepoint(savepoint_name));
      backend_.execute(Dialect::release_savepoint(savepoint_name));
    };
    try {
      SendStats stats = strategy_.send(backend_, chunk);
      backend_.execute(Dialect::release_savepoint(savepoint_name));
      return stats;
    } catch (const DatabaseError& e) {
      if (e.kind() != ErrorKind::row_values) throw;
      undo();
      if (chunk.size() == 1) return reject(chunk, e);
    } catch (const InputError& e) {
      undo();
      if (chunk.size() == 1) return reject(chunk, DatabaseError("input", e.what(), ErrorKind::row_values));
    }
    const std::size_t half = chunk.size() / 2;
    SendStats stats = send_isolating(chunk.slice(0, half));
    stats += send_isolating(chunk.slice(half, chunk.size() - half));
    return stats;
  }

  /// The refused row of a chunk whose statement carried many rows, so that the error names it: the
  /// chunk's transaction is rolled back, and the chunk is sent again, halves under savepoints, in a
  /// transaction of its own that is rolled back too (the database ends as it was, as without this).
  /// Only where the load owns its transactions, allows no rejects, and the database did not name the row. Should
  /// the second try not fail the same way, or fail otherwise, the first error stands.
  std::optional<DatabaseError> locate(const Chunk& chunk, const DatabaseError& first) noexcept {
    // With rejects allowed, isolating the refused rows has named them already.
    if (first.input_row() || chunk.size() < 2 || !own_transaction_ || options_.max_rejects != 0) return std::nullopt;
    try {
      tx_.reset();
      ScopedTransaction<Backend> diagnosis{backend_};
      std::optional<DatabaseError> found = first_refused(chunk.with_sink(nullptr));  // returned rows were delivered by the first try
      if (found && found->code() != first.code()) found.reset();
      return found;
    } catch (...) {
      return std::nullopt;
    }
  }

  /// Sends `chunk` under a savepoint; if its rows' values are refused, rolls back and looks in its first
  /// half, then (the first half kept, as its rows precede) in its second, down to one row.
  std::optional<DatabaseError> first_refused(const Chunk& chunk) {
    backend_.execute(Dialect::savepoint(savepoint_name));
    try {
      strategy_.send(backend_, chunk);
      backend_.execute(Dialect::release_savepoint(savepoint_name));
      return std::nullopt;
    } catch (const DatabaseError& e) {
      if (e.kind() != ErrorKind::row_values) throw;
      backend_.execute(Dialect::rollback_to_savepoint(savepoint_name));
      backend_.execute(Dialect::release_savepoint(savepoint_name));
      if (chunk.size() == 1) return e.at_input_row(chunk.input_rows().first);
    }
    const std::size_t half = chunk.size() / 2;
    if (auto found = first_refused(chunk.slice(0, half))) return found;
    return first_refused(chunk.slice(half, chunk.size() - half));
  }

  SendStats reject(const Chunk& chunk, const DatabaseError& e) {
    const std::size_t row = chunk.input_rows().first;
    ++report_.rows_rejected;
    const std::size_t total = shared_rejects_ != nullptr ? ++*shared_rejects_ : report_.rows_rejected;
    if (total > options_.max_rejects)
      throw DatabaseError(e.code(), fmt::format("{}; more than {} rows refused", e.at_input_row(row).message(), options_.max_rejects),
                          e.kind());
    if (const RowSink* sink = chunk.returning_sink()) (*sink)(row, DynamicRow{});
    if (options_.on_reject) options_.on_reject(RejectedRow{row, e.code(), e.message()});
    return {};
  }

  Backend& backend_;
  const InsertOptions& options_;
  Strategy strategy_;  // a copy per connection: strategies may cache per-connection state
  const RowSink* sink_;
  // Where a do-update upsert's rows go when its dialect flags updated rows: counts the flag (each row's
  // last value) and hands the rest to the caller's sink. An empty row is a rejected row's mark.
  std::size_t rows_flagged_updated_ = 0;
  const RowSink flag_counter_ = [this](std::size_t input_row, DynamicRow&& values) {
    if (!values.empty()) {
      if (const bool* updated = std::get_if<bool>(&values.back()); updated != nullptr && *updated) ++rows_flagged_updated_;
      values.pop_back();
    }
    if (sink_ != nullptr) (*sink_)(input_row, std::move(values));
  };
  bool own_transaction_;
  std::atomic<std::size_t>* shared_rejects_;
  Report report_;
  std::optional<ScopedTransaction<Backend>> tx_;
  std::vector<RowRange> uncommitted_;  // input rows sent since the last commit, merged where contiguous
  std::size_t chunks_since_commit_ = 0;
  std::size_t last_chunk_ = 0;
};

}  // namespace bulkinsert::detail
