#pragma once

// A test double for the load engine's policy (checkpoints, reject bisection, commit-in-doubt
// accounting): an in-process backend that satisfies bulkinsert::backend, records every call it gets,
// keeps the rows it was sent in a pretend table with transactions and savepoints, and fails a given
// input row or a given COMMIT with a given code. It stands in for no database: everything a real
// server does is tested against a real one (tests/conformance, tests/<backend>).
//
// Everything it knows of the backend contract is in this header, written against
// include/bulkinsert/backend.hpp as it is: the concept's members, the ErrorKind its errors carry
// (error_kind() below), and how its dialect spells savepoints (classify() below). When the contract
// changes, this is the one place to adapt.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/bulkinsert.hpp>
#include <bulkinsert/sqlite/dialect.hpp>

namespace test {

/// What a recorded call was.
enum class Call { begin, commit, rollback, execute, prepare, run, run_each, run_once };

/// What a recorded execute() or run_once() statement does, as far as the policy is concerned.
enum class Statement { savepoint, rollback_to_savepoint, release_savepoint, progress_insert, progress_query, other };

/// Classifies SQL the load engine sends, as the backend's dialect (SqliteDialect) spells it.
inline Statement classify(std::string_view sql) {
  auto starts = [&](std::string_view p) { return sql.substr(0, p.size()) == p; };
  if (starts("SAVEPOINT ")) return Statement::savepoint;
  if (starts("ROLLBACK TO SAVEPOINT ")) return Statement::rollback_to_savepoint;
  if (starts("RELEASE SAVEPOINT ")) return Statement::release_savepoint;
  if (sql.find("bulkinsert_progress") != std::string_view::npos) {
    if (starts("INSERT ")) return Statement::progress_insert;
    if (starts("SELECT ")) return Statement::progress_query;
  }
  return Statement::other;
}

class RecordingBackend {
 public:
  struct Prepared {
    std::string sql;
  };
  using dialect_type = bulkinsert::SqliteDialect;  // "quoted" names and ? placeholders: any dialect serves
  using default_strategy = bulkinsert::MultiValues;
  using statement_type = Prepared;
  static constexpr std::string_view name = "recording";

  /// The code of a database error about a row's values (ErrorKind::row_values).
  static constexpr std::string_view row_error = "ROW";
  /// The code of an error that is not about any row: a lost connection (ErrorKind::connection_lost).
  static constexpr std::string_view fatal_error = "FATAL";
  /// The code of a COMMIT whose answer never came (ErrorKind::commit_in_doubt).
  static constexpr std::string_view in_doubt_error = "IN_DOUBT";

  /// What a code means for the load, as a real backend reads its driver's codes.
  static bulkinsert::ErrorKind error_kind(std::string_view code) noexcept {
    if (code == row_error) return bulkinsert::ErrorKind::row_values;
    if (code == fatal_error) return bulkinsert::ErrorKind::connection_lost;
    if (code == in_doubt_error) return bulkinsert::ErrorKind::commit_in_doubt;
    return bulkinsert::ErrorKind::statement;
  }

  /// One call as the backend got it: for the data calls, the input rows of its chunk.
  struct Record {
    Call call;
    std::string sql;                       // execute, prepare, run_once; the statement's text for run, run_each
    bulkinsert::RowRange rows{};           // run, run_each, run_once: the chunk's; a progress insert: the range it records
    bool failed = false;                   // it threw
    [[nodiscard]] Statement statement() const { return classify(sql); }
  };

  // --- what to fail -------------------------------------------------------------------------------

  /// Every statement that carries input row `row` throws DatabaseError(code): a row the database refuses.
  void fail_row(std::size_t row, std::string code = std::string{row_error}) { failing_rows_[row] = std::move(code); }
  /// Fails nothing from now on: the state stays, as a database's would between two runs.
  void clear_failures() {
    failing_rows_.clear();
    failing_commits_.clear();
  }
  /// The `n`-th COMMIT (0-based, counting every commit() call, a resumable import's progress read
  /// included) throws DatabaseError(code), having
  /// committed first when `applied` (an acknowledgement lost on the way back) and not otherwise.
  void fail_commit(std::size_t n, std::string code, bool applied = false) {
    failing_commits_[n] = {std::move(code), applied};
  }

  // --- the backend concept --------------------------------------------------------------------------

  [[nodiscard]] bulkinsert::Limits limits() const { return limits_; }
  void set_limits(bulkinsert::Limits l) { limits_ = l; }

  void begin() {
    calls_.push_back({Call::begin, {}, {}, false});
    in_transaction_ = true;
  }
  void commit() {
    const std::size_t n = commits_++;
    Record& r = calls_.emplace_back(Record{Call::commit, {}, {}, false});
    in_transaction_ = false;
    savepoints_.clear();
    if (const auto f = failing_commits_.find(n); f != failing_commits_.end()) {
      r.failed = true;
      if (f->second.applied) apply();
      else discard();
      throw bulkinsert::DatabaseError(f->second.code, fmt::format("COMMIT {} failed", n), error_kind(f->second.code));
    }
    apply();
  }
  void rollback() noexcept {
    try {
      calls_.push_back({Call::rollback, {}, {}, false});
    } catch (...) {
      // Recording is best effort here: rollback() may not throw.
    }
    in_transaction_ = false;
    savepoints_.clear();
    discard();
  }

  void execute(std::string_view sql) {
    calls_.push_back({Call::execute, std::string{sql}, {}, false});
    switch (classify(sql)) {
      case Statement::savepoint: savepoints_.push_back(pending_rows_.size()); break;
      case Statement::rollback_to_savepoint:
        pending_rows_.resize(savepoints_.at(savepoints_.size() - 1));
        break;
      case Statement::release_savepoint: savepoints_.pop_back(); break;
      default: break;
    }
  }

  const Prepared& prepare(std::string_view sql) {
    calls_.push_back({Call::prepare, std::string{sql}, {}, false});
    return prepared_.try_emplace(std::string{sql}, Prepared{std::string{sql}}).first->second;
  }

  bulkinsert::SendStats run(const Prepared& stmt, const bulkinsert::Chunk& chunk, const bulkinsert::RowSink* = nullptr) {
    Record& r = calls_.emplace_back(Record{Call::run, stmt.sql, chunk.input_rows(), false});
    read_values(chunk);
    // One statement: all of its rows go in, or none; like a real database, it names the row only when it
    // carried one.
    for (std::size_t i = 0; i < chunk.size(); ++i) refuse_if_failing(r, chunk.input_rows().first + i, chunk.size() == 1);
    for (std::size_t i = 0; i < chunk.size(); ++i) store(chunk.input_rows().first + i);
    return {1, 0, chunk.size()};
  }

  bulkinsert::SendStats run_each(const Prepared& stmt, const bulkinsert::Chunk& chunk, const bulkinsert::RowSink* sink) {
    Record& r = calls_.emplace_back(Record{Call::run_each, stmt.sql, chunk.input_rows(), false});
    read_values(chunk);
    // One statement a row: the rows before a refused one are in, as a real backend leaves them.
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      const std::size_t row = chunk.input_rows().first + i;
      refuse_if_failing(r, row, true);
      store(row);
      if (sink != nullptr) (*sink)(row, bulkinsert::DynamicRow{});
    }
    return {chunk.size(), 0, chunk.size()};
  }

  bulkinsert::SendStats run_once(std::string_view sql, const bulkinsert::Chunk& chunk, const bulkinsert::RowSink* sink) {
    Record& r = calls_.emplace_back(Record{Call::run_once, std::string{sql}, chunk.input_rows(), false});
    switch (classify(sql)) {
      case Statement::progress_query:
        if (sink != nullptr)
          for (const bulkinsert::RowRange& p : progress_)
            (*sink)(0, bulkinsert::DynamicRow{bulkinsert::Value{static_cast<std::int64_t>(p.first)},
                                              bulkinsert::Value{static_cast<std::int64_t>(p.last)}});
        return {1, 0, 0};
      case Statement::progress_insert:
        r.rows = {static_cast<std::size_t>(std::get<std::int64_t>(chunk.value(0, 1))),
                  static_cast<std::size_t>(std::get<std::int64_t>(chunk.value(0, 2)))};
        pending_progress_.push_back(r.rows);
        return {1, 0, 1};
      default: break;
    }
    read_values(chunk);
    for (std::size_t i = 0; i < chunk.size(); ++i) refuse_if_failing(r, chunk.input_rows().first + i, chunk.size() == 1);
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      store(chunk.input_rows().first + i);
      if (sink != nullptr) (*sink)(chunk.input_rows().first + i, bulkinsert::DynamicRow{});
    }
    return {1, 0, chunk.size()};
  }

  [[nodiscard]] std::vector<bulkinsert::ColumnInfo> describe(const bulkinsert::TableSpec& spec) {
    std::vector<bulkinsert::ColumnInfo> out;
    for (const auto& c : spec.columns) out.push_back({c, "TEXT", bulkinsert::Kind::text, false, false, 0});
    return out;
  }

  // --- what happened --------------------------------------------------------------------------------

  [[nodiscard]] const std::vector<Record>& calls() const noexcept { return calls_; }
  void clear_calls() { calls_.clear(); }
  /// Input rows in the pretend table, committed.
  [[nodiscard]] const std::multiset<std::size_t>& committed() const noexcept { return committed_; }
  /// Ranges the progress table holds, committed.
  [[nodiscard]] const std::vector<bulkinsert::RowRange>& progress() const noexcept { return progress_; }
  [[nodiscard]] bool in_transaction() const noexcept { return in_transaction_; }
  [[nodiscard]] std::size_t open_savepoints() const noexcept { return savepoints_.size(); }

  /// The recorded calls of kind `call`.
  [[nodiscard]] std::size_t count(Call call) const {
    std::size_t n = 0;
    for (const Record& r : calls_) n += r.call == call ? 1 : 0;
    return n;
  }
  /// The recorded execute() statements of kind `statement`.
  [[nodiscard]] std::size_t count(Statement statement) const {
    std::size_t n = 0;
    for (const Record& r : calls_) n += r.call == Call::execute && r.statement() == statement ? 1 : 0;
    return n;
  }

 private:
  struct CommitFailure {
    std::string code;
    bool applied = false;
  };

  void read_values(const bulkinsert::Chunk& chunk) const {
    // A real backend reads every value it sends; a value that cannot be read throws InputError here as there.
    for (std::size_t r = 0; r < chunk.size(); ++r)
      for (std::size_t c = 0; c < chunk.columns(); ++c) (void)chunk.value(r, c);
  }
  void refuse_if_failing(Record& r, std::size_t row, bool names_row) {
    if (const auto f = failing_rows_.find(row); f != failing_rows_.end()) {
      r.failed = true;
      const bulkinsert::DatabaseError e(f->second, "row refused", error_kind(f->second));
      if (names_row) throw e.at_input_row(row);
      throw e;
    }
  }
  void store(std::size_t row) { pending_rows_.push_back(row); }
  void apply() {
    committed_.insert(pending_rows_.begin(), pending_rows_.end());
    progress_.insert(progress_.end(), pending_progress_.begin(), pending_progress_.end());
    discard();
  }
  void discard() {
    pending_rows_.clear();
    pending_progress_.clear();
  }

  bulkinsert::Limits limits_{1'000'000, 0};
  std::vector<Record> calls_;
  std::map<std::string, Prepared, std::less<>> prepared_;
  std::map<std::size_t, std::string> failing_rows_;
  std::map<std::size_t, CommitFailure> failing_commits_;
  std::size_t commits_ = 0;
  bool in_transaction_ = false;
  std::vector<std::size_t> savepoints_;  // pending_rows_ sizes at each open SAVEPOINT
  std::vector<std::size_t> pending_rows_;
  std::vector<bulkinsert::RowRange> pending_progress_;
  std::multiset<std::size_t> committed_;
  std::vector<bulkinsert::RowRange> progress_;
};

static_assert(bulkinsert::backend<RecordingBackend>);

}  // namespace test
