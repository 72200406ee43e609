#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "../backend.hpp"
#include "../chunk.hpp"
#include "../error.hpp"
#include "../options.hpp"
#include "../report.hpp"
#include "../table.hpp"
#include "progress.hpp"
#include "scoped_transaction.hpp"

namespace bulkinsert::detail {

/// The rows of one chunk, held until it is sent: pointers into the caller's range when its rows are
/// stable lvalues, otherwise the rows themselves (moved from a single-pass range).
template <class Row>
struct ChunkRows {
  std::vector<Row> owned;
  std::vector<const void*> pointers;
  std::size_t first = 0;  ///< input row of the first row
  std::size_t index = 0;  ///< chunk index in the call

  [[nodiscard]] std::size_t size() const noexcept { return pointers.size(); }

  /// A Chunk over these rows, read through `table`; valid while this object and `arena` are unchanged.
  [[nodiscard]] Chunk view(const Table<Row>& table, ValueArena& arena) const {
    return Chunk{table, pointers.data(), pointers.size(), index, first, arena};
  }
};

/// Reads `rows` once and calls `on_chunk(ChunkRows<Row>&)` for every run of up to `chunk_rows` contiguous
/// input rows, skipping rows `done` holds (a resumed import). `on_chunk` may move the rows away.
/// Memory is bounded by one chunk (plus whatever on_chunk keeps). Returns the input rows skipped.
template <class Row, class Rows, class OnChunk>
std::size_t for_each_chunk(const Table<Row>& table, Rows&& rows, std::size_t chunk_rows, CommittedRows* done,
                           OnChunk&& on_chunk) {
  using Reference = std::ranges::range_reference_t<Rows>;
  constexpr bool borrow = std::ranges::forward_range<Rows> && std::is_lvalue_reference_v<Reference> &&
                          std::is_same_v<std::remove_cvref_t<Reference>, Row>;
  const std::size_t reserve = std::min<std::size_t>(chunk_rows, 1 << 16);
  ChunkRows<Row> chunk;
  auto prepare = [&] {
    chunk.pointers.clear();
    chunk.pointers.reserve(reserve);
    if constexpr (!borrow) {
      chunk.owned.clear();
      chunk.owned.reserve(reserve);
    }
  };
  auto pending = [&] { return borrow ? chunk.pointers.size() : chunk.owned.size(); };
  auto flush = [&] {
    if (pending() == 0) return;
    if constexpr (!borrow)
      for (const Row& r : chunk.owned) chunk.pointers.push_back(&r);
    on_chunk(chunk);
    ++chunk.index;
    prepare();
  };
  prepare();
  std::size_t skipped = 0;
  std::size_t input_row = 0;
  for (auto&& row : rows) {
    const std::size_t i = input_row++;
    if (done != nullptr && done->contains(i)) {
      ++skipped;
      flush();  // a chunk covers contiguous input rows only
      continue;
    }
    if (pending() != 0 && chunk.first + pending() != i) flush();
    if (pending() == 0) chunk.first = i;
    if constexpr (borrow) {
      table.check_row(row, i);
      chunk.pointers.push_back(std::addressof(row));
    } else {
      const Row& kept = chunk.owned.emplace_back(std::forward<decltype(row)>(row));
      table.check_row(kept, i);
    }
    if (pending() == chunk_rows) flush();
  }
  flush();
  return skipped;
}

/// Sends chunks through one backend and owns that backend's transaction policy: begins lazily, commits
/// at checkpoints and at finish() (recording progress for a resumable import in the same transaction),
/// isolates refused rows under savepoints when rejects are allowed, wraps database errors in ChunkError,
/// and keeps the Report. One per connection.
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

  /// Sends one chunk; throws ChunkError or InputError after which the sender must be abandon()ed.
  void send(const Chunk& plain) {
    const Chunk chunk = plain.with_sink(sink_);
    SendStats stats;
    try {
      // Inside the try: a connection that dies between a checkpoint and the next BEGIN is reported with
      // this chunk and the rows committed so far, like any other failure.
      if (own_transaction_ && !tx_) tx_.emplace(backend_);
      stats = options_.max_rejects == 0 ? strategy_.send(backend_, chunk) : send_isolating(chunk);
    } catch (const ChunkError&) {
      throw;
    } catch (const DatabaseError& e) {
      std::throw_with_nested(ChunkError(e, Strategy::name, chunk.index(), chunk.input_rows(), report_.rows_committed));
    } catch (const InputError& e) {
      if (report_.rows_committed == 0) throw;
      std::throw_with_nested(InputError(fmt::format("{}; {} input rows committed", e.what(), report_.rows_committed)));
    }
    report_.rows += chunk.size();
    report_.chunks += 1;
    report_.statements += stats.statements;
    report_.bytes += stats.bytes;
    report_.rows_affected += stats.rows;
    last_chunk_ = chunk.index();
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

 private:
  void commit() {
    const RowRange span = uncommitted_.empty() ? RowRange{} : RowRange{uncommitted_.front().first, uncommitted_.back().last};
    try {
      if (!options_.import_id.empty())
        for (const RowRange& r : uncommitted_) record_progress(backend_, options_.import_id, r);
      tx_->commit();
    } catch (const DatabaseError& e) {
      // Without the server's answer to COMMIT, the rows since the last commit are neither committed nor
      // rolled back as far as anyone here knows: say so rather than count them either way.
      const std::size_t in_doubt = e.code() == commit_in_doubt_code ? report_.rows - report_.rows_committed : 0;
      std::throw_with_nested(ChunkError(e, Strategy::name, last_chunk_, span, report_.rows_committed, in_doubt));
    }
    tx_.reset();
    uncommitted_.clear();
    report_.rows_committed = report_.rows;
    chunks_since_commit_ = 0;
  }

  static bool is_row_error(const DatabaseError& e) noexcept {
    if constexpr (requires { Backend::is_row_error(e); }) return Backend::is_row_error(e);
    else return false;
  }

  /// Sends `chunk` under a savepoint; if the database refuses it for its rows' values, rolls back to the
  /// savepoint and sends each half the same way, until single refused rows remain. Those are rejected.
  SendStats send_isolating(const Chunk& chunk) {
    backend_.execute("SAVEPOINT bulkinsert_chunk");
    auto undo = [&] {
      backend_.execute("ROLLBACK TO SAVEPOINT bulkinsert_chunk");
      backend_.execute("RELEASE SAVEPOINT bulkinsert_chunk");
    };
    try {
      SendStats stats = strategy_.send(backend_, chunk);
      backend_.execute("RELEASE SAVEPOINT bulkinsert_chunk");
      return stats;
    } catch (const DatabaseError& e) {
      if (!is_row_error(e)) throw;
      undo();
      if (chunk.size() == 1) return reject(chunk, e.code(), e.message());
    } catch (const InputError& e) {
      undo();
      if (chunk.size() == 1) return reject(chunk, "input", e.what());
    }
    const std::size_t half = chunk.size() / 2;
    SendStats stats = send_isolating(chunk.slice(0, half));
    stats += send_isolating(chunk.slice(half, chunk.size() - half));
    return stats;
  }

  SendStats reject(const Chunk& chunk, const std::string& code, const std::string& message) {
    const std::size_t row = chunk.input_rows().first;
    ++report_.rows_rejected;
    const std::size_t total = shared_rejects_ != nullptr ? ++*shared_rejects_ : report_.rows_rejected;
    if (total > options_.max_rejects)
      throw DatabaseError(code, fmt::format("{} [input row {}]; more than {} rows refused", message, row, options_.max_rejects));
    if (const RowSink* sink = chunk.returning_sink()) (*sink)(row, DynamicRow{});
    if (options_.on_reject) options_.on_reject(RejectedRow{row, code, message});
    return {};
  }

  Backend& backend_;
  const InsertOptions& options_;
  Strategy strategy_;  // a copy per connection: strategies may cache per-connection state
  const RowSink* sink_;
  bool own_transaction_;
  std::atomic<std::size_t>* shared_rejects_;
  Report report_;
  std::optional<ScopedTransaction<Backend>> tx_;
  std::vector<RowRange> uncommitted_;  // input rows sent since the last commit, merged where contiguous
  std::size_t chunks_since_commit_ = 0;
  std::size_t last_chunk_ = 0;
};

}  // namespace bulkinsert::detail
