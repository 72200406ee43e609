#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace bulkinsert {

/// What one insert call did.
struct Report {
  std::string_view strategy;       ///< the strategy's name
  std::size_t rows = 0;            ///< input rows written to the database (rejected rows are not: see rows_rejected)
  std::size_t rows_affected = 0;   ///< rows the database reported written (fewer than `rows` when ON CONFLICT DO NOTHING skipped some)
  /// Of rows_affected, the existing rows a do-update upsert updated (the rest it inserted): 0 for plain
  /// inserts and do-nothing upserts; empty where the database does not tell the two apart (SQLite's
  /// changes() counts an updated row like an inserted one).
  std::optional<std::size_t> rows_updated = 0;
  std::size_t rows_rejected = 0;   ///< input rows the database refused, when rejects are allowed
  std::size_t rows_skipped = 0;    ///< input rows a resumed import skipped because an earlier run committed them
  std::size_t chunks = 0;          ///< chunks sent
  std::size_t statements = 0;      ///< statements or COPY commands executed
  std::size_t bytes = 0;           ///< payload bytes handed to the driver, where the backend knows them
  std::size_t rows_committed = 0;  ///< input rows durably committed (all of `rows` when the call returns)
  std::chrono::nanoseconds elapsed{};

  /// Adds another report's counts and time (a later call's, a worker's); keeps this report's strategy.
  Report& operator+=(const Report& other) noexcept {
    if (strategy.empty()) strategy = other.strategy;
    rows += other.rows;
    rows_affected += other.rows_affected;
    // Unknown in either part is unknown in the sum.
    rows_updated = rows_updated && other.rows_updated ? std::optional{*rows_updated + *other.rows_updated} : std::nullopt;
    rows_rejected += other.rows_rejected;
    rows_skipped += other.rows_skipped;
    chunks += other.chunks;
    statements += other.statements;
    bytes += other.bytes;
    rows_committed += other.rows_committed;
    elapsed += other.elapsed;
    return *this;
  }

  /// Of rows_affected, the rows inserted; empty where rows_updated is.
  [[nodiscard]] std::optional<std::size_t> rows_inserted() const noexcept {
    return rows_updated ? std::optional{rows_affected - *rows_updated} : std::nullopt;
  }

  /// Rows per second over the whole call.
  [[nodiscard]] double rows_per_second() const noexcept {
    const double s = std::chrono::duration<double>(elapsed).count();
    return s > 0 ? static_cast<double>(rows) / s : 0.0;
  }
};

}  // namespace bulkinsert

/// "100000 rows via copy: 2 chunks, 2 statements, 4.1 MiB, 0.512 s, 195312 rows/s, 100000 committed"
template <>
struct fmt::formatter<bulkinsert::Report> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class Context>
  auto format(const bulkinsert::Report& r, Context& ctx) const {
    auto out = fmt::format_to(ctx.out(), "{} rows via {}: {} chunks, {} statements, {:.1f} MiB, {:.3f} s, {:.0f} rows/s, {} committed",
                              r.rows, r.strategy, r.chunks, r.statements, static_cast<double>(r.bytes) / (1024.0 * 1024.0),
                              std::chrono::duration<double>(r.elapsed).count(), r.rows_per_second(), r.rows_committed);
    if (r.rows_updated && *r.rows_updated != 0) out = fmt::format_to(out, ", {} updated", *r.rows_updated);
    if (r.rows_rejected != 0) out = fmt::format_to(out, ", {} rejected", r.rows_rejected);
    if (r.rows_skipped != 0) out = fmt::format_to(out, ", {} skipped (committed earlier)", r.rows_skipped);
    return out;
  }
};
