#pragma once

#include <cstddef>
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

/// What a backend throws when the database refuses a statement.
class DatabaseError : public Error {
 public:
  /// `code` is the SQLSTATE on PostgreSQL, the extended result code on SQLite.
  DatabaseError(std::string code, std::string_view message)
      : Error(fmt::format("[{}] {}", code, message)), code_(std::move(code)), message_(message) {}

  /// SQLSTATE (PostgreSQL) or extended result code (SQLite), as the database gave it.
  [[nodiscard]] const std::string& code() const noexcept { return code_; }
  /// The database's own message, without the code.
  [[nodiscard]] const std::string& message() const noexcept { return message_; }

 protected:
  DatabaseError(std::string what, std::string code, std::string message)
      : Error(std::move(what)), code_(std::move(code)), message_(std::move(message)) {}

 private:
  std::string code_;
  std::string message_;
};

/// 0-based input rows, [first, last).
struct RowRange {
  std::size_t first = 0;
  std::size_t last = 0;

  [[nodiscard]] std::size_t size() const noexcept { return last - first; }
  friend bool operator==(const RowRange&, const RowRange&) = default;
};

/// SQLSTATE 08007, transaction_resolution_unknown: the connection broke after COMMIT was sent and before
/// the server answered, so the client cannot know whether the transaction committed.
inline constexpr std::string_view commit_in_doubt_code = "08007";

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
                      cause.code(), cause.message()),
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
  /// Input rows whose COMMIT was sent when the connection broke, before the server answered (code()
  /// is commit_in_doubt_code): the server may hold them or not, and only it can tell. With an import_id,
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
