#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

#include "../chunk.hpp"
#include "../table.hpp"
#include "committed_rows.hpp"

namespace bulkinsert::detail {

/// Where a chunk ends: at `rows` rows, or at the row that brings its rows' Table::payload_bytes to
/// `bytes` (0: rows alone decide). The byte bound keeps memory flat whatever the rows' width: a chunk
/// is held whole, and encoded whole, before it is sent.
struct ChunkBounds {
  std::size_t rows = 0;
  std::size_t bytes = 0;
};

/// The rows of one chunk, held until it is sent: pointers into the caller's rows when they are stable
/// lvalues (`borrowed`), otherwise the rows themselves (moved or copied in).
template <class Row>
struct ChunkRows {
  std::vector<Row> owned;
  std::vector<const void*> pointers;
  std::size_t first = 0;  ///< input row of the first row
  std::size_t index = 0;  ///< chunk index in the load

  [[nodiscard]] std::size_t size() const noexcept { return pointers.size(); }

  /// A Chunk over these rows, read through `table`; valid while this object and `arena` are unchanged.
  [[nodiscard]] Chunk view(const Table<Row>& table, ValueArena& arena) const {
    return Chunk{table, pointers.data(), pointers.size(), index, first, arena};
  }
};

/// Cuts input rows, given one at a time in input order, into chunks within ChunkBounds. A chunk holds
/// contiguous input rows only: rows that an earlier run of a resumed import committed (`done`) are
/// counted as skipped and end the chunk before them. Used by the range reader and by the Appender alike.
/// With `Borrow`, rows are referenced, and must stay where they are until their chunk is handed on.
template <class Row, bool Borrow>
class ChunkAssembler {
 public:
  ChunkAssembler(const Table<Row>& table, ChunkBounds bounds, CommittedRows* done)
      : table_(table), bounds_(bounds), done_(done), reserve_(std::min<std::size_t>(bounds.rows, 1 << 16)) {
    prepare();
  }

  /// Adds the next input row; calls `on_chunk(ChunkRows<Row>&)` when a chunk is complete (it may move
  /// the rows away). Throws InputError for a row the table cannot read (a DynamicRow of the wrong width).
  template <class R, class OnChunk>
  void add(R&& row, OnChunk&& on_chunk) {
    const std::size_t i = next_++;
    if (done_ != nullptr && done_->contains(i)) {
      ++skipped_;
      flush(on_chunk);
      return;
    }
    if (pending() != 0 && chunk_.first + pending() != i) flush(on_chunk);
    if (pending() == 0) chunk_.first = i;
    const Row* kept;
    if constexpr (Borrow) {
      kept = std::addressof(row);
      chunk_.pointers.push_back(kept);
    } else {
      kept = &chunk_.owned.emplace_back(std::forward<R>(row));
    }
    table_.check_row(*kept, i);
    bool full = pending() == bounds_.rows;
    if (bounds_.bytes != 0 && !full) {
      bytes_ += table_.payload_bytes(*kept, scratch_);
      scratch_.clear();
      full = bytes_ >= bounds_.bytes;
    }
    if (full) flush(on_chunk);
  }

  /// Hands on the rows held, if any, as a chunk.
  template <class OnChunk>
  void flush(OnChunk&& on_chunk) {
    if (pending() == 0) return;
    if constexpr (!Borrow)
      for (const Row& r : chunk_.owned) chunk_.pointers.push_back(&r);
    on_chunk(chunk_);
    ++chunk_.index;
    prepare();
  }

  /// Drops the rows held (after a failure: nothing of them is sent twice).
  void discard() noexcept {
    chunk_.owned.clear();
    chunk_.pointers.clear();
    bytes_ = 0;
  }

  /// Rows held and not yet handed on.
  [[nodiscard]] std::size_t pending() const noexcept { return Borrow ? chunk_.pointers.size() : chunk_.owned.size(); }
  /// Input rows skipped because an earlier run committed them.
  [[nodiscard]] std::size_t skipped() const noexcept { return skipped_; }
  /// Input rows given so far, skipped ones included.
  [[nodiscard]] std::size_t rows_given() const noexcept { return next_; }

 private:
  void prepare() {
    chunk_.pointers.clear();
    chunk_.pointers.reserve(reserve_);
    if constexpr (!Borrow) {
      chunk_.owned.clear();
      chunk_.owned.reserve(reserve_);
    }
    bytes_ = 0;
  }

  const Table<Row>& table_;
  ChunkBounds bounds_;
  CommittedRows* done_;
  std::size_t reserve_;
  ChunkRows<Row> chunk_;
  ValueArena scratch_;  // values a getter returns by value while payload_bytes reads them
  std::size_t bytes_ = 0;
  std::size_t next_ = 0;
  std::size_t skipped_ = 0;
};

/// Whether a load reads `Rows` by reference (a forward range of stable lvalues of Row) rather than
/// moving each row into its chunk.
template <class Rows, class Row>
inline constexpr bool borrows_rows = std::ranges::forward_range<Rows> &&
                                     std::is_lvalue_reference_v<std::ranges::range_reference_t<Rows>> &&
                                     std::is_same_v<std::remove_cvref_t<std::ranges::range_reference_t<Rows>>, Row>;

/// Reads `rows` once and calls `on_chunk(ChunkRows<Row>&)` for every chunk within `bounds`, skipping the
/// rows `done` holds. Rows are borrowed when the range yields stable lvalues of Row, and moved from it
/// otherwise. Memory is bounded by one chunk (plus whatever on_chunk keeps). Returns the input rows skipped.
template <class Row, class Rows, class OnChunk>
std::size_t for_each_chunk(const Table<Row>& table, Rows&& rows, ChunkBounds bounds, CommittedRows* done,
                           OnChunk&& on_chunk) {
  ChunkAssembler<Row, borrows_rows<Rows, Row>> assembler{table, bounds, done};
  for (auto&& row : rows) assembler.add(std::forward<decltype(row)>(row), on_chunk);
  assembler.flush(on_chunk);
  return assembler.skipped();
}

}  // namespace bulkinsert::detail
