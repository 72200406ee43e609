#pragma once

// A Chunk of one DynamicRow, as the inserter would hand it to a backend, for the encoder fuzzers.

#include <string>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/chunk.hpp>
#include <bulkinsert/table.hpp>

namespace fuzz {

class OneRow {
 public:
  explicit OneRow(bulkinsert::DynamicRow row) : row_(std::move(row)), table_("t", names(row_.size())) {}
  OneRow(const OneRow&) = delete;  // the chunk points at row_
  OneRow& operator=(const OneRow&) = delete;

  /// Valid while this object lives; reading a value may throw InputError (an invalid date).
  [[nodiscard]] bulkinsert::Chunk chunk() {
    return bulkinsert::Chunk{table_, &pointer_, 1, 0, 0, arena_};
  }

 private:
  static std::vector<std::string> names(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(fmt::format("c{}", i));
    return out;
  }

  bulkinsert::DynamicRow row_;
  bulkinsert::Table<bulkinsert::DynamicRow> table_;
  bulkinsert::detail::ValueArena arena_;
  const void* pointer_ = &row_;
};

}  // namespace fuzz
