#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace bulkinsert {

/// Root of every exception bulkinsert throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The input cannot be sent as it is: thrown before the offending rows reach the database.
class InputError : public Error {
 public:
  using Error::Error;
};

/// The backend has no such strategy (COPY on SQLite); the message lists the ones it has.
class UnsupportedStrategy : public InputError {
 public:
  using InputError::InputError;
};

/// A value that cannot be represented without loss (an unsigned integer above INT64_MAX,
/// a time point finer than microseconds, NaN where the database would store NULL).
/// Thrown by value conversion; the inserter rethrows it as an InputError naming row and column.
class ValueError : public InputError {
 public:
  using InputError::InputError;
};

/// What a database error means for the load. The backend that raises the error decides, from its
/// driver's codes; the load engine acts on this alone and never reads a code.
enum class ErrorKind : std::uint8_t {
  statement,        ///< the statement failed as a whole (a missing table, a syntax or permission error)
  row_values,       ///< a row's own values were refused (a constraint, a malformed or out-of-range value):
                    ///< with rejects allowed, the rows can be split until the refused ones are isolated
  connection_lost,  ///< the connection broke: whatever was not committed is gone
  commit_in_doubt,  ///< the connection broke after COMMIT was sent and before the server answered:
                    ///< only the server knows whether the transaction committed
  lock_timeout,     ///< a bounded lock wait ran out (see ParallelInserter)
};

/// What a backend throws when the database refuses a statement.
class DatabaseError : public Error {
 public:
  /// `code` is the database's own code (the SQLSTATE on PostgreSQL, the extended result code on
  /// SQLite); `kind` is what it means for the load.
  DatabaseError(std::string code, std::string_view message, ErrorKind kind = ErrorKind::statement)
      : Error(fmt::format("[{}] {}", code, message)), code_(std::move(code)), message_(message), kind_(kind) {}

  /// The database's own error code, as it gave it.
  [[nodiscard]] const std::string& code() const noexcept { return code_; }
  /// The database's own message, without the code.
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  /// What the error means for the load, as the backend classified it.
  [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }
  /// The input row the refused statement carried, where one is known (a statement of one row, a COPY
  /// line the server names, or the row the load engine isolated); the message names it too.
  [[nodiscard]] std::optional<std::size_t> input_row() const noexcept { return input_row_; }

  /// The same error, known to be about input row `row` and, where known, `column` (named in the
  /// message unless a row already is).
  [[nodiscard]] DatabaseError at_input_row(std::size_t row, std::string_view column = {}) const {
    if (input_row_) return *this;
    DatabaseError e(code_,
                    column.empty() ? fmt::format("{} [input row {}]", message_, row)
                                   : fmt::format("{} [input row {}, column \"{}\"]", message_, row, column),
                    kind_);
    e.input_row_ = row;
    return e;
  }

 protected:
  DatabaseError(std::string what, std::string code, std::string message, ErrorKind kind,
                std::optional<std::size_t> input_row)
      : Error(std::move(what)), code_(std::move(code)), message_(std::move(message)), kind_(kind), input_row_(input_row) {}

 private:
  std::string code_;
  std::string message_;
  ErrorKind kind_;
  std::optional<std::size_t> input_row_;
};

/// 0-based input rows, [first, last).
struct RowRange {
  std::size_t first = 0;
  std::size_t last = 0;

  [[nodiscard]] std::size_t size() const noexcept { return last - first; }
  friend bool operator==(const RowRange&, const RowRange&) = default;
};

/// A DatabaseError raised while one chunk was sent: names the strategy, the chunk and its input rows,
/// and how many input rows were committed before it (0 unless checkpoints are on).
class ChunkError : public DatabaseError {
 public:
  ChunkError(const DatabaseError& cause, std::string_view strategy, std::size_t chunk, RowRange rows,
             std::size_t rows_committed, std::size_t rows_in_doubt = 0)
      : DatabaseError(fmt::format("{}: chunk {} (rows [{}, {})) failed: [{}] {}; {} input rows committed{}", strategy,
                                  chunk, rows.first, rows.last, cause.code(), cause.message(), rows_committed,
                                  rows_in_doubt == 0 ? std::string{}
                                                     : fmt::format(", {} more in doubt (the connection broke during "
                                                                   "COMMIT: only the server knows if they were)",
                                                                   rows_in_doubt)),
                      cause.code(), cause.message(), cause.kind(), cause.input_row()),
        strategy_(strategy),
        chunk_(chunk),
        rows_(rows),
        committed_(rows_committed),
        in_doubt_(rows_in_doubt) {}

  [[nodiscard]] std::string_view strategy() const noexcept { return strategy_; }
  [[nodiscard]] std::size_t chunk_index() const noexcept { return chunk_; }
  [[nodiscard]] RowRange rows() const noexcept { return rows_; }
  /// Input rows durably committed before the failure. The rest were rolled back, except rows_in_doubt().
  [[nodiscard]] std::size_t rows_committed() const noexcept { return committed_; }
  /// Input rows whose COMMIT was sent when the connection broke, before the server answered (kind()
  /// is ErrorKind::commit_in_doubt): the server may hold them or not, and only it can tell. With an import_id,
  /// their progress record is in that same transaction, so resuming the import skips them exactly when
  /// they were committed. 0 for any other failure.
  [[nodiscard]] std::size_t rows_in_doubt() const noexcept { return in_doubt_; }

 private:
  std::string strategy_;
  std::size_t chunk_;
  RowRange rows_;
  std::size_t committed_;
  std::size_t in_doubt_;
};

}  // namespace bulkinsert
