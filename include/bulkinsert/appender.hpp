#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "backend.hpp"
#include "detail/load_session.hpp"
#include "error.hpp"
#include "options.hpp"
#include "report.hpp"
#include "strategy.hpp"
#include "table.hpp"

namespace bulkinsert {

/// Rows pushed one at a time, for code that produces rows rather than holding a range of them (an event
/// consumer, a parser's callback): the push twin of BulkInserter::insert, as DuckDB's Appender, pgx's
/// CopyFromSource and psycopg's write_row are. It is one load: chunks are cut by rows and bytes and sent
/// as they fill, with every InsertOptions policy (checkpoints, import_id resume, rejects) and the
/// table's upsert. Rows are copied or moved in, so the caller's row may go away after append().
///
///     bulkinsert::Appender app{db, users};
///     for (const Event& e : stream) app.append(User{e.name, e.email});
///     const bulkinsert::Report report = app.close();
///
/// close() sends the rest and commits. The destructor closes an appender that was not closed when no
/// exception is unwinding (its errors are then lost: call close()), and rolls back otherwise; it never
/// throws. After a failed append, flush or close, whatever was held is dropped (nothing is sent twice),
/// the open transaction is rolled back, and every further call throws. Like the backend, one thread.
template <backend Backend, class Row, strategy_for<Backend> Strategy = typename Backend::default_strategy>
class Appender {
 public:
  /// Begins a load of `table` through `backend` (borrowed; it must outlive the appender). Reads the
  /// progress of a resumable import now; sends nothing until the first chunk fills.
  Appender(Backend& backend, Table<Row> table, Strategy strategy = {}, InsertOptions options = {})
      : state_(std::make_unique<State>(backend, std::move(table), std::move(strategy), std::move(options))),
        unwinding_at_start_(std::uncaught_exceptions()) {}

  Appender(Appender&&) noexcept = default;
  Appender& operator=(Appender&&) = delete;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  ~Appender() {
    if (!state_ || state_->done) return;
    if (std::uncaught_exceptions() > unwinding_at_start_) {
      state_->session.abandon();
      return;
    }
    try {
      (void)close();
    } catch (...) {  // a destructor must not throw; close() explicitly to see the error
    }
  }

  /// Adds one row, sending a chunk when one is full. Throws what BulkInserter::insert throws for it.
  void append(const Row& row) {
    guarded([&](auto& session) { session.add(row); });
  }
  void append(Row&& row) {
    guarded([&](auto& session) { session.add(std::move(row)); });
  }

  /// Sends the rows held now as a chunk. It commits only where a checkpoint falls: the rows are in the
  /// load's open transaction until close().
  void flush() {
    guarded([](auto& session) { session.flush(); });
  }

  /// Sends the rest, commits, and returns the load's report. The appender is done afterwards.
  [[nodiscard]] Report close() {
    Report report;
    guarded([&](auto& session) { report = session.finish(); });
    state_->done = true;
    return report;
  }

  /// Rows appended and not yet sent.
  [[nodiscard]] std::size_t pending() const noexcept { return state_ ? state_->session.pending() : 0; }

 private:
  struct State {
    State(Backend& backend, Table<Row> t, Strategy s, InsertOptions o)
        : table(std::move(t)),
          strategy(std::move(s)),
          options(std::move(o)),
          session(backend, table, strategy, options, nullptr, true) {}
    Table<Row> table;  // the session reads through these: they live as long as it does
    Strategy strategy;
    InsertOptions options;
    detail::LoadSession<Backend, Row, Strategy, false> session;
    bool done = false;
    std::string failure;  // why the appender stopped, for the calls after it
  };

  template <class F>
  void guarded(F&& f) {
    if (!state_) throw Error("this appender was moved from");
    if (state_->done)
      throw Error(state_->failure.empty() ? std::string{"this appender is closed"}
                                          : fmt::format("this appender stopped after an error: {}", state_->failure));
    try {
      f(state_->session);
    } catch (const std::exception& e) {
      state_->session.abandon();
      state_->done = true;
      state_->failure = e.what();
      throw;
    } catch (...) {
      state_->session.abandon();
      state_->done = true;
      state_->failure = "an exception that is not a std::exception";
      throw;
    }
  }

  std::unique_ptr<State> state_;
  int unwinding_at_start_;
};

}  // namespace bulkinsert
