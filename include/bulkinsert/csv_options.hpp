#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "error.hpp"
#include "report.hpp"

namespace bulkinsert {

// What a CSV load is told (CsvLoadOptions) and tells (CsvLoadResult, CsvReject, CsvProgress, CsvLoadError).

/// A CSV row that was not loaded, with why. Nothing is lost: `record` is the row as CSV text.
struct CsvReject {
  std::uint64_t line = 0;  ///< physical line (1-based) where the record starts; 0 if unknown
  std::string column;      ///< the table column whose value failed; empty for the whole row
  std::string code;        ///< SQLSTATE / SQLite code when the database refused the row; empty otherwise
  std::string reason;      ///< what was wrong, one line
  std::string record;      ///< the record written back as one CSV line; empty if no longer known
};

/// How far a load has got, handed to CsvLoadOptions::on_progress.
struct CsvProgress {
  std::uint64_t rows_read = 0;      ///< data rows read so far
  std::uint64_t rows_rejected = 0;  ///< of which rejected
  std::uint64_t bytes_read = 0;
  std::optional<std::uint64_t> total_bytes;  ///< the file's size, when it is a regular file
  std::chrono::steady_clock::duration elapsed{};
  bool done = false;  ///< the last call, once every row is read
};

/// What a CSV load does. Only `table` is required.
struct CsvLoadOptions {
  std::string table;
  std::string schema;  ///< empty: the connection's default
  /// CSV header name -> table column. Every other header name goes to the table column of the same name
  /// (exactly, else case-insensitively when only one column matches).
  std::vector<std::pair<std::string, std::string>> map;
  /// CSV columns with no table column are skipped instead of being an error.
  bool ignore_unmapped = false;
  /// An unquoted field equal to this is NULL (a quoted one never is); nullopt: no field is NULL.
  std::optional<std::string> null_text = std::string{};
  /// "copy", "multi_values", "execute_many", "per_row"; empty: the backend's default.
  std::string strategy;
  /// Rows per chunk (rows per statement for multi_values); 0: the strategy's default.
  std::size_t chunk_rows = 0;
  /// Commit every N chunks (0: one transaction for the whole load).
  std::size_t checkpoint_every_chunks = 0;
  /// Non-empty: an exactly-once, resumable import under this id (see InsertOptions::import_id).
  std::string import_id;
  /// Rows that may be rejected (by conversion or by the database) before the load fails. 0: the first
  /// bad row fails the load and the open transaction is rolled back.
  std::size_t max_rejects = 0;
  /// Told about each rejected row (only with max_rejects > 0).
  std::function<void(const CsvReject&)> on_reject;
  /// Called every few thousand rows and once at the end; it should be cheap (throttle in it).
  std::function<void(const CsvProgress&)> on_progress;
};

/// What a load did. rows_loaded + rows_rejected == rows_read.
struct CsvLoadResult {
  std::uint64_t rows_read = 0;
  std::uint64_t rows_loaded = 0;
  std::uint64_t rows_rejected = 0;
  std::uint64_t rows_skipped = 0;  ///< of rows_loaded, those a resumed import found committed by an earlier run
  std::uint64_t blank_lines = 0;   ///< empty lines skipped (not data rows)
  Report report;                  ///< the inserter's report
};

/// A load that stopped: the message names the file, the line(s) and the reason. Whatever was committed
/// at a checkpoint stays; everything after it was rolled back. The cause is nested.
class CsvLoadError : public Error {
 public:
  CsvLoadError(std::string what, std::uint64_t line, std::uint64_t rows_read)
      : Error(std::move(what)), line_(line), rows_read_(rows_read) {}
  /// The line of the failing row (the first line of the failing chunk for a database error); 0 if unknown.
  [[nodiscard]] std::uint64_t line() const noexcept { return line_; }
  /// Data rows read before the failure.
  [[nodiscard]] std::uint64_t rows_read() const noexcept { return rows_read_; }

 private:
  std::uint64_t line_;
  std::uint64_t rows_read_;
};

}  // namespace bulkinsert
