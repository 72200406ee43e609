#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "csv.hpp"
#include "csv_convert.hpp"
#include "csv_mapping.hpp"
#include "csv_options.hpp"
#include "detail/committed_rows.hpp"
#include "error.hpp"
#include "options.hpp"
#include "table.hpp"

namespace bulkinsert {

// The rows of a CSV file, converted to the table's column types, as an input range for the load.

namespace detail::csv {

/// Remembers the CSV line (and, when rejects are written, the record) of the last `capacity` rows fed to
/// the inserter, so a row it reports by position can be named. Memory is bounded by one chunk.
class LineRing {
 public:
  void reset(std::size_t capacity, bool keep_records) {
    slots_.assign(capacity == 0 ? 1 : capacity, Slot{});
    keep_records_ = keep_records;
  }
  void put(std::uint64_t fed, std::uint64_t line, const CsvReader& csv) {
    Slot& s = slots_[fed % slots_.size()];
    s.fed = fed;
    s.line = line;
    if (keep_records_) s.record = csv.record_text();
  }
  /// The slot of fed row `fed`, or null if it has left the ring.
  [[nodiscard]] const auto* find(std::uint64_t fed) const noexcept {
    const Slot& s = slots_[fed % slots_.size()];
    return s.fed == fed ? &s : nullptr;
  }

 private:
  struct Slot {
    std::uint64_t fed = static_cast<std::uint64_t>(-1);
    std::uint64_t line = 0;
    std::string record;
  };
  std::vector<Slot> slots_;
  bool keep_records_ = false;
};

/// The rows of a CSV file, converted, as a single-pass input range for BulkInserter. A row that cannot
/// be converted is either rejected (reported, not fed) or ends the load, per the options.
class RowSource {
 public:
  RowSource(CsvReader& csv, const std::vector<CsvTarget>& targets, const CsvLoadOptions& options, LineRing& ring)
      : csv_(csv), targets_(targets), options_(options), ring_(ring), started_(std::chrono::steady_clock::now()) {}

  /// The input rows earlier runs of a resumed import committed (InsertOptions::on_resume), told before
  /// the first row is read.
  void resume(const std::vector<RowRange>& committed) {
    for (const RowRange& r : committed) committed_.add(r);
  }

  struct Sentinel {};
  class Iterator {
   public:
    using value_type = DynamicRow;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(RowSource* s) noexcept : s_(s) {}
    DynamicRow operator*() const { return std::move(s_->row_); }
    Iterator& operator++() {
      s_->advance();
      return *this;
    }
    void operator++(int) { s_->advance(); }
    friend bool operator==(const Iterator& i, Sentinel) noexcept { return i.s_->done(); }

   private:
    RowSource* s_ = nullptr;
  };

  Iterator begin() {
    advance();
    return Iterator{this};
  }
  Sentinel end() const noexcept { return {}; }

  [[nodiscard]] bool done() const noexcept { return done_; }
  [[nodiscard]] std::uint64_t fed() const noexcept { return fed_; }
  [[nodiscard]] std::uint64_t rejected() const noexcept { return rejected_; }
  [[nodiscard]] std::uint64_t rejects_total() const noexcept { return rejected_ + database_rejected_; }
  [[nodiscard]] std::uint64_t database_rejected() const noexcept { return database_rejected_; }

  /// A row the database refused (from InsertOptions::on_reject).
  void database_reject(const RejectedRow& r) {
    ++database_rejected_;
    CsvReject out;
    out.code = r.code;
    out.reason = r.message;
    if (const auto* slot = ring_.find(r.input_row)) {
      out.line = slot->line;
      out.record = slot->record;
    } else {
      // Only in a parallel load whose workers fell far behind the reader: the row has left the ring.
      out.reason += fmt::format(" (data row {} of those sent; its line is no longer known)", r.input_row + 1);
    }
    emit(std::move(out));
  }

  void progress(bool done) {
    if (!options_.on_progress) return;
    CsvProgress p;
    p.rows_read = csv_.records();
    p.rows_rejected = rejects_total();
    p.bytes_read = csv_.bytes_read();
    p.total_bytes = csv_.total_bytes();
    p.elapsed = std::chrono::steady_clock::now() - started_;
    p.done = done;
    options_.on_progress(p);
  }

 private:
  void emit(CsvReject reject) {
    const std::lock_guard lock{emit_mutex_};
    if (rejects_total() > options_.max_rejects)
      throw CsvLoadError(fmt::format("{}: more than {} rejected rows; the last: line {}{}: {}", csv_.name(),
                                     options_.max_rejects, reject.line,
                                     reject.column.empty() ? "" : fmt::format(", column \"{}\"", reject.column),
                                     reject.reason),
                         reject.line, csv_.records());
    if (options_.on_reject) options_.on_reject(reject);
  }

  /// A bad row: rejected if the limit allows, else the end of the load.
  void refuse(std::uint64_t line, std::string column, std::string reason, std::string message) {
    if (options_.max_rejects == 0) throw CsvLoadError(std::move(message), line, csv_.records());
    ++rejected_;
    // A resumed import reads its file from the start: a row refused before a row an earlier run
    // committed was reported by that run, and is counted, not written again.
    if (committed_.contains(fed_)) return;
    emit(CsvReject{line, std::move(column), {}, std::move(reason), csv_.record_text()});
  }

  void advance() {
    for (;;) {
      try {
        if (!csv_.next()) {
          done_ = true;
          return;
        }
      } catch (const CsvError& e) {
        if (!e.recoverable()) throw;
        refuse(e.line(), {}, e.reason(), e.what());
        continue;
      }
      if (++since_progress_ == 4096) {
        since_progress_ = 0;
        progress(false);
      }
      if (convert_row()) break;
    }
    ring_.put(fed_, csv_.line(), csv_);
    ++fed_;
  }

  bool convert_row() {
    DynamicRow row(targets_.size());
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      const CsvTarget& t = targets_[i];
      const std::string_view text = csv_.field(t.field);
      if (options_.null_text && !csv_.quoted(t.field) && text == *options_.null_text) continue;  // Null already
      std::string why = convert(text, t.column, row[i]);
      if (!why.empty()) {
        const std::string& csv_name = csv_.header()[t.field];
        std::string message =
            fmt::format("{}: line {}, column \"{}\"{}: {}", csv_.name(), csv_.line(), t.column.name,
                        csv_name == t.column.name ? std::string{} : fmt::format(" (CSV column \"{}\")", csv_name), why);
        refuse(csv_.line(), t.column.name, std::move(why), std::move(message));
        return false;
      }
    }
    row_ = std::move(row);
    return true;
  }

  CsvReader& csv_;
  const std::vector<CsvTarget>& targets_;
  const CsvLoadOptions& options_;
  LineRing& ring_;
  CommittedRows committed_;
  std::chrono::steady_clock::time_point started_;
  DynamicRow row_;
  bool done_ = false;
  std::uint64_t fed_ = 0;
  std::uint64_t rejected_ = 0;
  std::atomic<std::uint64_t> database_rejected_{0};  // counted by parallel workers too
  std::mutex emit_mutex_;                             // rejects come from the reading thread and from workers
  std::size_t since_progress_ = 0;
};

}  // namespace detail::csv

}  // namespace bulkinsert
