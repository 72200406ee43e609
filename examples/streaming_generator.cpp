// Streaming: 1,000,000 rows generated on the fly by a single-pass input range, never held in memory at
// once. The inserter keeps one chunk; the program prints how much its peak memory grew.
#include <bulkinsert/sqlite.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include <iterator>

struct Tick {
  std::int64_t seq;
  std::string symbol;
  double price;
};

// A source that makes each tick when it is read, the shape of a reader over a socket or a file.
// (std::views::iota | std::views::transform does it in two lines, but clang 14 cannot compile
// libstdc++ 12's views.)
class TickSource {
 public:
  explicit TickSource(std::int64_t count) : count_(count) {}

  struct iterator {
    using value_type = Tick;
    using difference_type = std::ptrdiff_t;
    TickSource* source = nullptr;
    Tick operator*() const { return source->make(); }
    iterator& operator++() {
      ++source->next_;
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return source->next_ == source->count_; }
  };
  iterator begin() { return {this}; }
  std::default_sentinel_t end() const { return {}; }

 private:
  Tick make() const { return {next_, fmt::format("SYM{}", next_ % 500), 100.0 + static_cast<double>(next_ % 1000) / 100}; }
  std::int64_t next_ = 0;
  std::int64_t count_;
};

static long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// AddressSanitizer's quarantine and shadow memory inflate the peak; the plain build checks the 32 MiB claim.
// GCC says ASan is on with __SANITIZE_ADDRESS__, clang with __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool under_asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool under_asan = true;
#else
constexpr bool under_asan = false;
#endif
#else
constexpr bool under_asan = false;
#endif
constexpr long growth_limit_kib = (under_asan ? 96 : 32) * 1024;

int main() {
  bulkinsert::SqliteBackend db{"streaming.db"};
  db.execute("DROP TABLE IF EXISTS ticks; CREATE TABLE ticks (seq INTEGER PRIMARY KEY, symbol TEXT, price REAL)");
  const auto table = bulkinsert::Table<Tick>{"ticks"}.column("seq", &Tick::seq).column("symbol", &Tick::symbol).column("price", &Tick::price);
  TickSource ticks{1'000'000};
  const long before = peak_rss_kib();
  bulkinsert::BulkInserter ins{db};
  const auto report = ins.insert(table, ticks);
  const long grew = peak_rss_kib() - before;
  fmt::print("{}\npeak memory grew by {} KiB\n", report, grew);
  return report.rows == 1'000'000 && grew < growth_limit_kib ? 0 : 1;
}
