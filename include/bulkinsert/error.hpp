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

/// A DatabaseError raised while one chunk was sent: names the strategy, the chunk and its input rows,
/// and how many input rows were committed before it (0 unless checkpoints are on).
class ChunkError : public DatabaseError {
 public:
  ChunkError(const DatabaseError& cause, std::string_view strategy, std::size_t chunk, RowRange rows,
             std::size_t rows_committed)
      : DatabaseError(fmt::format("{}: chunk {} (rows [{}, {})) failed: [{}] {}; {} input rows committed",
                                  strategy, chunk, rows.first, rows.last, cause.code(), cause.message(),
                                  rows_committed),
                      cause.code(), cause.message()),
        strategy_(strategy),
        chunk_(chunk),
        rows_(rows),
        committed_(rows_committed) {}

  [[nodiscard]] std::string_view strategy() const noexcept { return strategy_; }
  [[nodiscard]] std::size_t chunk_index() const noexcept { return chunk_; }
  [[nodiscard]] RowRange rows() const noexcept { return rows_; }
  /// Input rows durably committed before the failure; the failed chunk's transaction was rolled back.
  [[nodiscard]] std::size_t rows_committed() const noexcept { return committed_; }

 private:
  std::string strategy_;
  std::size_t chunk_;
  RowRange rows_;
  std::size_t committed_;
};

}  // namespace bulkinsert
