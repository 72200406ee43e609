#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "catalog.hpp"
#include "csv.hpp"
#include "csv_mapping.hpp"
#include "csv_options.hpp"
#include "csv_row_source.hpp"
#include "error.hpp"
#include "inserter.hpp"
#include "options.hpp"
#include "parallel.hpp"
#include "report.hpp"
#include "strategy_registry.hpp"
#include "table.hpp"

// Loading a CSV file into an existing table: the catalog's column types, the CSV-to-table mapping, the
// converted rows, and the load engine. Its parts: csv_options.hpp, csv_convert.hpp, csv_mapping.hpp,
// csv_row_source.hpp.

namespace bulkinsert {

namespace detail::csv {

/// The body of load_csv: `make_inserter(insert_options)` returns the inserter; `in_flight` is how many
/// chunks it may hold unreported at once (rejects name rows from any of them).
template <class Backend, class MakeInserter>
CsvLoadResult load(Backend& backend, CsvReader& csv, const CsvLoadOptions& options, std::size_t in_flight,
                   MakeInserter make_inserter) {
  TableSpec spec;
  spec.schema = options.schema;
  spec.name = options.table;
  std::vector<ColumnInfo> columns;
  try {
    columns = backend.describe(spec);
  } catch (const DatabaseError& e) {
    std::throw_with_nested(DatabaseError(e.code(), fmt::format("table \"{}\": {}", options.table, e.message())));
  }
  if (csv.header().empty()) throw InputError(fmt::format("{}: no header row (the file is empty?)", csv.name()));
  const std::vector<CsvTarget> targets = map_csv_columns(csv.header(), columns, options);

  std::vector<std::string> names;
  for (const CsvTarget& t : targets) names.push_back(t.column.name);
  Table<DynamicRow> table{options.table, std::move(names)};
  if (!options.schema.empty()) table.schema(options.schema);

  LineRing ring;
  RowSource source{csv, targets, options, ring};

  InsertOptions insert_options;
  insert_options.checkpoint_every_chunks = options.checkpoint_every_chunks;
  insert_options.import_id = options.import_id;
  insert_options.max_rejects = options.max_rejects;
  // The load reads the progress record once, in its plan; the source learns from it which rows a
  // resumed import skips, before it reads the first.
  insert_options.on_resume = [&](const std::vector<RowRange>& committed) { source.resume(committed); };
  if (options.max_rejects > 0) insert_options.on_reject = [&](const RejectedRow& r) { source.database_reject(r); };
  auto inserter = make_inserter(std::move(insert_options));

  const std::string_view strategy =
      options.strategy.empty() ? std::string_view{Backend::default_strategy::name} : std::string_view{options.strategy};
  CsvLoadResult result;
  try {
    result.report = with_strategy<Backend>(strategy, [&](auto s) {
      if (options.chunk_rows != 0) {
        if constexpr (requires { s.rows_per_chunk; }) s.rows_per_chunk = options.chunk_rows;
        else if constexpr (requires { s.rows_per_statement; }) s.rows_per_statement = options.chunk_rows;
      }
      ring.reset(in_flight * s.chunk_rows(backend.limits(), table.column_count()) + 2, options.max_rejects > 0);
      return inserter->insert(table, source, s);
    });
  } catch (const ChunkError& e) {
    // The rows of the refused chunk, as CSV lines.
    std::uint64_t first = 0, last = 0;
    if (const auto* slot = ring.find(e.rows().first)) first = slot->line;
    if (e.rows().last > 0)
      if (const auto* slot = ring.find(e.rows().last - 1)) last = slot->line;
    std::string where = first == 0 ? std::string{"a chunk"}
                        : first == last ? fmt::format("line {}", first)
                                        : fmt::format("the chunk of lines {}-{}", first, last);
    std::throw_with_nested(CsvLoadError(fmt::format("{}: {} refused by the database: {}", csv.name(), where, e.what()),
                                        first, csv.records()));
  }
  source.progress(true);
  result.rows_read = csv.records();
  result.rows_rejected = source.rejects_total();
  result.rows_loaded = source.fed() - source.database_rejected();
  result.rows_skipped = result.report.rows_skipped;
  result.blank_lines = csv.blank_lines();
  return result;
}

}  // namespace detail::csv

/// Loads a CSV file into an existing table. Column types come from the database's catalog
/// (Backend::describe), so nothing is declared. Streams: memory is one read buffer plus one chunk.
/// Returns the three counts (rows_loaded + rows_rejected == rows_read). Throws InputError for a mapping
/// problem (before anything is sent), CsvLoadError naming the line for a bad row or a refused chunk
/// (the open transaction is rolled back), DatabaseError for a missing table or a lost connection.
template <catalog_reader Backend>
[[nodiscard]] CsvLoadResult load_csv(Backend& backend, CsvReader& csv, const CsvLoadOptions& options) {
  return detail::csv::load(backend, csv, options, 1, [&](InsertOptions o) {
    return std::make_unique<BulkInserter<Backend>>(backend, std::move(o));
  });
}

/// The same over `workers` connections opened by `connect`, read by this thread and sent by the workers
/// in parallel (ParallelInserter: with checkpoints, chunks commit out of input order).
template <catalog_reader Backend>
[[nodiscard]] CsvLoadResult load_csv_parallel(const std::function<std::unique_ptr<Backend>()>& connect,
                                              std::size_t workers, CsvReader& csv, const CsvLoadOptions& options) {
  std::unique_ptr<ParallelInserter<Backend>> inserter;
  auto make = [&](InsertOptions o) {
    inserter = std::make_unique<ParallelInserter<Backend>>(connect, workers, std::move(o));
    return inserter.get();
  };
  // The catalog is read through a connection of its own, before the workers open theirs.
  const std::unique_ptr<Backend> first = connect();
  // ParallelInserter never lets the reader run more than max_chunks_in_flight() chunks ahead of the
  // oldest unfinished one (4 per worker); the reader's own chunk and slack make the rest.
  return detail::csv::load(*first, csv, options, 4 * workers + 2, make);
}

}  // namespace bulkinsert
