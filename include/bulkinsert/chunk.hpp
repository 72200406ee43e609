#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "error.hpp"
#include "table.hpp"
#include "value.hpp"

namespace bulkinsert {

/// Receives the rows a statement returns (RETURNING, or a query): `input_row` is the 0-based input row
/// whose execution returned them (the chunk's first row for a statement that carries the whole chunk).
using RowSink = std::function<void(std::size_t input_row, DynamicRow&& values)>;

/// A block of rows on its way to the database: what a strategy sends and a backend encodes.
/// It does not know the row type; value() and read_rows() read through the Table that built it.
/// A chunk borrows its rows and is valid only during the send call that receives it.
class Chunk {
 public:
  /// Rows `rows[0, count)` of `table`'s row type, chunk number `index`, the first being input row
  /// `first_input_row`; values computed while reading are kept in `arena`.
  template <class Row>
  Chunk(const Table<Row>& table, const void* const* rows, std::size_t count, std::size_t index,
        std::size_t first_input_row, detail::ValueArena& arena) noexcept
      : spec_(&table.spec()),
        table_(&table),
        read_value_(&read_value_of<Row>),
        read_rows_(&read_rows_of<Row>),
        prefetch_rows_(&prefetch_rows_of<Row>),
        domains_(table.domains().data()),
        rows_(rows),
        count_(count),
        index_(index),
        first_(first_input_row),
        arena_(&arena) {}

  /// The target table and its columns.
  [[nodiscard]] const TableSpec& table() const noexcept { return *spec_; }
  [[nodiscard]] std::size_t columns() const noexcept { return spec_->columns.size(); }
  /// What column `column`'s C++ type says of its values: a backend skips checks that cannot fail.
  [[nodiscard]] const ValueDomain& domain(std::size_t column) const noexcept { return domains_[column]; }
  /// Rows in this chunk.
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  /// 0-based position of this chunk in the call.
  [[nodiscard]] std::size_t index() const noexcept { return index_; }
  /// The input rows this chunk holds, 0-based, [first, last).
  [[nodiscard]] RowRange input_rows() const noexcept { return {first_, first_ + count_}; }

  /// The value of `column` in row `row` (0-based within the chunk). Throws InputError naming the
  /// input row and column if the value cannot be represented.
  [[nodiscard]] ValueRef value(std::size_t row, std::size_t column) const {
    try {
      return read_value_(table_, rows_[row], column, *arena_);
    } catch (const ValueError& e) {
      throw InputError(describe(row, column, e.what()));
    }
  }

  /// Rows an encoder reads per read_rows call: enough to spread each column's call over many rows,
  /// few enough that their values stay in the L1 cache until they are encoded.
  static constexpr std::size_t read_batch = 64;

  /// The values of rows [first, first + count) into `out`, row-major: out[r * columns() + c] is row
  /// first + r, column c; `out` holds at least count * columns() values. What value() reads, with one
  /// call per column and batch rather than one per value, for an encoder's inner loop. Throws
  /// InputError naming the input row and column of a value that cannot be represented.
  void read_rows(std::size_t first, std::size_t count, std::span<ValueRef> out) const {
    try {
      read_rows_(table_, rows_ + first, count, out.data(), *arena_);
    } catch (const detail::CellValueError& e) {
      throw InputError(describe(first + e.row(), e.column(), e.what()));
    }
  }
  /// The values of row `row` into `out` (columns() values).
  void read_row(std::size_t row, std::span<ValueRef> out) const { read_rows(row, 1, out); }

  /// Calls `f(row, values)` for rows [first, first + count) in order, `values` being that row's
  /// columns() values, read read_batch rows at a time into `buffer`: an encoder's loop over rows.
  template <class F>
  void for_each_row(std::size_t first, std::size_t count, std::vector<ValueRef>& buffer, F&& f) const {
    const std::size_t cols = columns();
    const std::size_t end = first + count;
    buffer.resize(read_batch * cols);
    for (std::size_t batch = first; batch < end; batch += read_batch) {
      const std::size_t n = std::min(read_batch, end - batch);
      read_rows(batch, n, buffer);
      // A batch is read in a burst that outruns the hardware prefetcher: perf showed reading a string
      // column stalled on the first load from each row. Asking for the next batch's rows now lets them
      // arrive while this batch is encoded (SQLite execute_many, light schema: about 1.5% faster).
      if (const std::size_t next = batch + n; next < end) prefetch_rows_(rows_ + next, std::min(read_batch, end - next));
      for (std::size_t r = 0; r < n; ++r) f(batch + r, std::span<const ValueRef>{buffer.data() + r * cols, cols});
    }
  }

  /// Where rows the INSERT returns go (set when the table asks for RETURNING), or null.
  [[nodiscard]] const RowSink* returning_sink() const noexcept { return sink_; }
  /// The same chunk with returned rows going to `sink`.
  [[nodiscard]] Chunk with_sink(const RowSink* sink) const noexcept {
    Chunk c = *this;
    c.sink_ = sink;
    return c;
  }

  /// Rows [first, first + count) of this chunk, keeping their input numbering.
  [[nodiscard]] Chunk slice(std::size_t first, std::size_t count) const noexcept {
    Chunk c = *this;
    c.rows_ += first;
    c.count_ = count;
    c.first_ += first;
    return c;
  }

  /// "row 12, column \"email\": <what>", with the input row number, for errors about one value.
  [[nodiscard]] std::string describe(std::size_t row, std::size_t column, std::string_view what) const {
    return fmt::format("row {}, column \"{}\" of table \"{}\": {}", first_ + row, spec_->columns[column],
                       spec_->name, what);
  }

 private:
  using ValueReader = ValueRef (*)(const void* table, const void* row, std::size_t column, detail::ValueArena& arena);
  using RowsReader = void (*)(const void* table, const void* const* rows, std::size_t count, ValueRef* out,
                              detail::ValueArena& arena);

  template <class Row>
  static ValueRef read_value_of(const void* table, const void* row, std::size_t column, detail::ValueArena& arena) {
    return static_cast<const Table<Row>*>(table)->read(*static_cast<const Row*>(row), column, arena);
  }
  template <class Row>
  static void read_rows_of(const void* table, const void* const* rows, std::size_t count, ValueRef* out,
                           detail::ValueArena& arena) {
    static_cast<const Table<Row>*>(table)->read_rows(rows, count, out, arena);
  }

  /// Starts loading rows[0, count) into the cache: the lines each row object spans (up to four), into
  /// L2 rather than L1, where they would push out the database driver's own working set.
  template <class Row>
  static void prefetch_rows_of(const void* const* rows, std::size_t count) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    constexpr std::size_t line = 64;
    constexpr std::size_t span = std::min<std::size_t>(sizeof(Row), 4 * line);
    for (std::size_t r = 0; r < count; ++r) {
      const char* p = static_cast<const char*>(rows[r]);
      for (std::size_t offset = 0; offset < span; offset += line) __builtin_prefetch(p + offset, 0, 2);
      __builtin_prefetch(p + span - 1, 0, 2);  // the last line, when the row starts inside its first
    }
#else
    (void)rows;
    (void)count;
#endif
  }

  const TableSpec* spec_;
  const void* table_;
  ValueReader read_value_;
  RowsReader read_rows_;
  void (*prefetch_rows_)(const void* const* rows, std::size_t count) noexcept;
  const ValueDomain* domains_;
  const void* const* rows_;
  std::size_t count_;
  std::size_t index_;
  std::size_t first_;
  detail::ValueArena* arena_;
  const RowSink* sink_ = nullptr;
};

/// What a strategy reports for one chunk.
struct SendStats {
  std::size_t statements = 0;  ///< statements (or COPY commands) executed
  std::size_t bytes = 0;       ///< payload bytes handed to the driver, where known
  std::size_t rows = 0;        ///< rows the database reported as written
  /// Of `rows`, those an upsert updated, where the backend reads it from its driver's reply (a backend
  /// whose dialect is an upsert_outcome_dialect leaves it empty: the load engine counts the flags).
  std::optional<std::size_t> rows_updated{};
  friend SendStats& operator+=(SendStats& a, const SendStats& b) noexcept {
    a.statements += b.statements;
    a.bytes += b.bytes;
    a.rows += b.rows;
    if (b.rows_updated) a.rows_updated = a.rows_updated.value_or(0) + *b.rows_updated;
    return a;
  }
};

}  // namespace bulkinsert
