#pragma once

#include <cstddef>
#include <utility>

#include "../chunk.hpp"
#include "../table.hpp"

namespace bulkinsert::detail {

/// Hands `rows` rows of `columns` values each to `sink` as DynamicRows, tagged with `input_row`;
/// `cell(row, column)` decodes one value from the driver's result (Null for SQL NULL).
template <class Cell>
void deliver_rows(const RowSink& sink, std::size_t input_row, std::size_t rows, std::size_t columns, Cell&& cell) {
  for (std::size_t r = 0; r < rows; ++r) {
    DynamicRow row;
    row.reserve(columns);
    for (std::size_t c = 0; c < columns; ++c) row.push_back(cell(r, c));
    sink(input_row, std::move(row));
  }
}

}  // namespace bulkinsert::detail
