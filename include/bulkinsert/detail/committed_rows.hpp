#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "../error.hpp"

namespace bulkinsert::detail {

/// Input rows committed by earlier runs of a resumable import: sorted, merged [first, last) ranges.
class CommittedRows {
 public:
  void add(RowRange r) {
    if (r.first >= r.last) return;
    ranges_.push_back(r);
    std::sort(ranges_.begin(), ranges_.end(), [](RowRange a, RowRange b) { return a.first < b.first; });
    std::vector<RowRange> merged;
    for (const RowRange& x : ranges_) {
      if (!merged.empty() && x.first <= merged.back().last) merged.back().last = std::max(merged.back().last, x.last);
      else merged.push_back(x);
    }
    ranges_ = std::move(merged);
  }
  /// Whether input row `row` is committed; calls with rising rows cost O(1) each.
  [[nodiscard]] bool contains(std::size_t row) noexcept {
    while (cursor_ < ranges_.size() && ranges_[cursor_].last <= row) ++cursor_;
    return cursor_ < ranges_.size() && ranges_[cursor_].first <= row;
  }
  [[nodiscard]] const std::vector<RowRange>& ranges() const noexcept { return ranges_; }

 private:
  std::vector<RowRange> ranges_;
  std::size_t cursor_ = 0;
};

}  // namespace bulkinsert::detail
