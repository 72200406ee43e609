// Streaming: 1,000,000 rows generated on the fly by a single-pass view, never held in memory at once.
// The inserter keeps one chunk; the program prints how much its peak memory grew.
#include <bulkinsert/sqlite.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include <ranges>

struct Tick {
  std::int64_t seq;
  std::string symbol;
  double price;
};

static long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// AddressSanitizer's quarantine and shadow memory inflate the peak; the plain build checks the 32 MiB claim.
#if defined(__SANITIZE_ADDRESS__)
constexpr long growth_limit_kib = 96 * 1024;
#else
constexpr long growth_limit_kib = 32 * 1024;
#endif

int main() {
  bulkinsert::SqliteBackend db{"streaming.db"};
  db.execute("DROP TABLE IF EXISTS ticks; CREATE TABLE ticks (seq INTEGER PRIMARY KEY, symbol TEXT, price REAL)");
  const auto table = bulkinsert::Table<Tick>{"ticks"}.column("seq", &Tick::seq).column("symbol", &Tick::symbol).column("price", &Tick::price);
  auto ticks = std::views::iota(std::int64_t{0}, std::int64_t{1'000'000}) | std::views::transform([](std::int64_t i) {
                 return Tick{i, fmt::format("SYM{}", i % 500), 100.0 + static_cast<double>(i % 1000) / 100};
               });
  const long before = peak_rss_kib();
  bulkinsert::BulkInserter ins{db};
  const auto report = ins.insert(table, ticks);
  const long grew = peak_rss_kib() - before;
  fmt::print("{}\npeak memory grew by {} KiB\n", report, grew);
  return report.rows == 1'000'000 && grew < growth_limit_kib ? 0 : 1;
}
