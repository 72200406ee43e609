#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "../backend.hpp"
#include "../chunk.hpp"
#include "../table.hpp"

namespace bulkinsert::detail {

/// Runs `sql` once, unprepared, with the values of `params` as its parameters, hands the rows it gives
/// back to `sink` (if any) and returns what the database reported. For the library's own statements
/// (bookkeeping, staging), not for loading.
template <backend B>
SendStats run_statement(B& b, std::string_view sql, const DynamicRow& params, const RowSink* sink) {
  std::vector<std::string> names;
  names.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) names.push_back(fmt::format("p{}", i));  // not "p" + to_string: GCC 12 -Wrestrict false positive
  const Table<DynamicRow> table{"query", std::move(names)};
  ValueArena arena;
  const void* row = &params;
  const Chunk chunk{table, &row, 1, 0, 0, arena};
  return b.run_once(sql, chunk, sink);
}

/// The same, collecting the rows it gives back in `rows` (if any).
template <backend B>
SendStats run_statement(B& b, std::string_view sql, const DynamicRow& params = {},
                        std::vector<DynamicRow>* rows = nullptr) {
  const RowSink sink = [rows](std::size_t, DynamicRow&& v) { rows->push_back(std::move(v)); };
  return run_statement(b, sql, params, rows != nullptr ? &sink : nullptr);
}

/// The rows `sql` returns, with `params` as its parameters.
template <backend B>
std::vector<DynamicRow> query(B& b, std::string_view sql, const DynamicRow& params) {
  std::vector<DynamicRow> out;
  (void)run_statement(b, sql, params, &out);
  return out;
}

}  // namespace bulkinsert::detail
