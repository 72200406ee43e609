#pragma once

#include <cstddef>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "../chunk.hpp"
#include "../error.hpp"
#include "../planner.hpp"
#include "../value.hpp"

namespace bulkinsert::detail {

/// What a value of a fixed-size kind is counted as against Limits::max_statement_bytes: enough for its
/// binary form or its longest text (a timestamp with microseconds).
inline constexpr std::size_t fixed_value_bytes = 32;

/// The bytes `v` is counted as against Limits::max_statement_bytes, before bytes_per_param.
[[nodiscard]] inline std::size_t value_bytes(const ValueRef& v) noexcept {
  switch (kind_of(v)) {
    case Kind::null_value: return 0;
    case Kind::text: return std::get<std::string_view>(v).size();
    case Kind::bytes: return std::get<BytesView>(v).size();
    default: return fixed_value_bytes;
  }
}

/// Splits `chunk` into runs of rows whose statements stay within limits.max_statement_bytes, in order;
/// the whole chunk when there is no such limit or it fits. Throws InputError naming the row, its size
/// and the limit when a single row exceeds it, before anything is sent.
[[nodiscard]] inline std::vector<std::size_t> runs_within_bytes(const Chunk& chunk, const Limits& limits,
                                                                std::vector<ValueRef>& buffer) {
  std::vector<std::size_t> runs;
  if (limits.max_statement_bytes == 0) {
    runs.push_back(chunk.size());
    return runs;
  }
  std::size_t rows = 0;
  std::size_t bytes = 0;
  chunk.for_each_row(0, chunk.size(), buffer, [&](std::size_t r, std::span<const ValueRef> row) {
    std::size_t size = 0;
    for (const ValueRef& v : row) size += value_bytes(v) + limits.bytes_per_param;
    if (size > limits.max_statement_bytes)
      throw InputError(fmt::format("row {} of table \"{}\" is about {} bytes, more than the {} bytes one statement may "
                                   "carry on this connection (its server's packet limit)",
                                   chunk.input_rows().first + r, chunk.table().name, size, limits.max_statement_bytes));
    if (rows != 0 && bytes + size > limits.max_statement_bytes) {
      runs.push_back(rows);
      rows = 0;
      bytes = 0;
    }
    ++rows;
    bytes += size;
  });
  if (rows != 0) runs.push_back(rows);
  return runs;
}

}  // namespace bulkinsert::detail
