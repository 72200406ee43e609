#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "detail/chunk_assembler.hpp"
#include "detail/chunk_dealer.hpp"
#include "detail/chunk_sender.hpp"
#include "detail/load_session.hpp"
#include "error.hpp"
#include "inserter.hpp"
#include "options.hpp"
#include "report.hpp"
#include "strategy.hpp"
#include "strategy_registry.hpp"
#include "table.hpp"

namespace bulkinsert {

/// Loads over several connections at once, like timescaledb-parallel-copy: the calling thread reads the
/// rows and deals chunks to N workers, each with its own connection and its own transaction.
///
/// Commit semantics. Without checkpoints, every worker keeps its transaction open until all have sent
/// their chunks; then, if none failed, each commits in turn, and if one failed, all roll back. The
/// commits are N separate transactions, not one: if a commit itself fails after others succeeded, the
/// exception's rows_committed() counts the committed rows (and rows_in_doubt() those of a commit whose
/// answer the broken connection never brought). With checkpoints, each worker commits every
/// N of its own chunks, so chunks commit out of input order; with an import_id, every commit records
/// exactly which input rows it holds, and a resumed import skips exactly those.
template <backend Backend>
class ParallelInserter {
 public:
  /// Opens one connection per worker through `connect`, from the calling thread.
  ///
  /// A row that conflicts with a row another worker has sent but not committed (a duplicate key split
  /// across two workers' chunks) waits for that worker's transaction, which stays open until the load
  /// ends: a wait no server can see as a deadlock. Where the backend can bound lock waits
  /// (PostgreSQL's lock_timeout), each worker gives up after `lock_wait` and the load fails with the
  /// database's lock-timeout error, its message naming the likely cause.
  ParallelInserter(const std::function<std::unique_ptr<Backend>()>& connect, std::size_t workers,
                   InsertOptions options = {}, std::chrono::milliseconds lock_wait = std::chrono::seconds{10})
      : options_(std::move(options)) {
    if (workers == 0) throw InputError("a parallel load needs at least one worker");
    for (std::size_t i = 0; i < workers; ++i) {
      backends_.push_back(connect());
      if constexpr (lock_wait_bounder<Backend>)
        if (workers > 1) backends_.back()->set_lock_timeout(lock_wait);
    }
    if (options_.on_reject) {
      // Workers report rejects from their own threads; the caller's callback sees one at a time.
      options_.on_reject = [inner = std::move(options_.on_reject), mutex = std::make_shared<std::mutex>()](const RejectedRow& r) {
        const std::lock_guard lock{*mutex};
        inner(r);
      };
    }
  }

  [[nodiscard]] std::size_t workers() const noexcept { return backends_.size(); }

  /// The most chunks that are read but not yet finished at once: the reader waits rather than run further
  /// ahead of the oldest unfinished chunk (one a worker is slowly splitting for rejects, say). Callers that
  /// keep per-row data for reporting (the CSV loader's line numbers) need keep only this many chunks' worth.
  [[nodiscard]] std::size_t max_chunks_in_flight() const noexcept { return 4 * backends_.size(); }
  [[nodiscard]] Backend& backend(std::size_t worker) noexcept { return *backends_[worker]; }

  /// Inserts every row of `rows` with `strategy` over all workers. Throws like BulkInserter::insert,
  /// after every worker has stopped; rows_committed() then sums the workers' commits.
  template <class Row, rows_of<Row> Rows, strategy_for<Backend> Strategy = typename Backend::default_strategy>
  [[nodiscard]] Report insert(const Table<Row>& table, Rows&& rows, Strategy strategy = {}) {
    return run(table, std::forward<Rows>(rows), strategy);
  }

  /// The same with the strategy chosen by name at run time.
  template <class Row, rows_of<Row> Rows>
  [[nodiscard]] Report insert(const Table<Row>& table, Rows&& rows, std::string_view strategy) {
    return with_strategy<Backend>(strategy, [&](auto s) { return run(table, std::forward<Rows>(rows), s); });
  }

 private:
  struct StopReading {};

  template <class Row, class Rows, class Strategy>
  Report run(const Table<Row>& table, Rows&& rows, const Strategy& strategy) {
    detail::LoadPlan<Backend, Strategy> plan{*backends_.front(), table.spec(), strategy, options_, true};
    std::atomic<std::size_t> rejects{0};
    std::deque<detail::ChunkSender<Backend, Strategy>> senders;  // a deque: senders do not move
    for (auto& b : backends_) senders.emplace_back(*b, options_, strategy, nullptr, true, &rejects);

    // At most two chunks wait per worker: memory stays bounded whatever the input's size.
    detail::ChunkDealer<detail::ChunkRows<Row>> dealer{2 * backends_.size(), max_chunks_in_flight()};
    auto work = [&](std::size_t w) {
      detail::ValueArena arena;
      while (auto job = dealer.take()) {
        try {
          senders[w].send(job->second.view(table, arena));
          arena.clear();
          dealer.sent(job->first);
        } catch (...) {
          dealer.fail(std::current_exception());
          return;
        }
      }
    };

    std::size_t skipped = 0;
    {
      std::vector<std::jthread> threads;
      try {
        for (std::size_t w = 0; w < backends_.size(); ++w) threads.emplace_back(work, w);
        skipped = detail::for_each_chunk(table, std::forward<Rows>(rows), plan.bounds(), plan.done(),
                                         [&](detail::ChunkRows<Row>& c) {
                                           const std::size_t index = c.index;
                                           if (!dealer.deal(index, std::move(c))) throw StopReading{};  // a worker failed: read no further
                                         });
      } catch (const StopReading&) {
      } catch (...) {
        dealer.fail(std::current_exception());
      }
      dealer.close();
    }  // joins every worker

    std::exception_ptr failure = dealer.failure();
    if (!failure) {
      try {
        for (auto& s : senders) s.finish();
      } catch (...) {
        failure = std::current_exception();
      }
    }
    if (failure) {
      std::size_t committed = 0;
      for (auto& s : senders) {
        s.abandon();
        committed += s.report().rows_committed;
      }
      try {
        std::rethrow_exception(failure);
      } catch (const ChunkError& e) {
        // A bounded lock wait that ran out: name the likely cause.
        const DatabaseError cause =
            e.kind() == ErrorKind::lock_timeout
                ? DatabaseError(e.code(), e.message() + " (in a parallel load, a key held by two workers' "
                                                        "uncommitted chunks: a duplicate in the input?)", e.kind())
                : DatabaseError(e.code(), e.message(), e.kind());
        std::throw_with_nested(ChunkError(cause, e.strategy(), e.chunk_index(), e.rows(), committed, e.rows_in_doubt()));
      }
    }

    std::vector<Report> reports;
    for (auto& s : senders) reports.push_back(s.report());
    return plan.report(reports, skipped);
  }

  InsertOptions options_;
  std::vector<std::unique_ptr<Backend>> backends_;
};

}  // namespace bulkinsert
