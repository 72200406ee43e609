#pragma once

// Helpers for the feature tests (RETURNING, upserts, defaults, linked inserts, streaming, resumable
// and parallel imports): an `items` row, a true single-pass generated range, and peak-memory probes.

#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <ranges>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

#include <bulkinsert/bulkinsert.hpp>

namespace test {

/// A row of `items (id bigint PRIMARY KEY, name text, qty bigint)`.
struct Item {
  std::int64_t id = 0;
  std::string name;
  std::int64_t qty = 0;
};

/// Item number `i`: id i, a name longer than the small-string buffer (so a materialised input would
/// cost ~100 bytes a row on the heap), qty i % 1000.
inline Item item(std::size_t i) {
  return {static_cast<std::int64_t>(i), fmt::format("item {:07} of the generated stream, padded", i),
          static_cast<std::int64_t>(i % 1000)};
}

inline bulkinsert::Table<Item> items_table(std::string name = "items") {
  return bulkinsert::Table<Item>{std::move(name)}.column("id", &Item::id).column("name", &Item::name).column("qty", &Item::qty);
}

/// Sum of ids 0..n-1.
inline std::int64_t id_sum(std::size_t n) {
  return static_cast<std::int64_t>(n) * (static_cast<std::int64_t>(n) - 1) / 2;
}

/// `n` rows made on the fly by `make(i)`, readable once: its iterator is an input iterator and not a
/// forward one (no copies that compare equal, postfix ++ returns void), so the inserter must buffer the
/// current chunk itself. begin() a second time throws.
template <class Row, class Make>
class Generated {
 public:
  Generated(std::size_t n, Make make) : n_(n), make_(std::move(make)) {}

  class iterator {
   public:
    using iterator_concept = std::input_iterator_tag;
    using iterator_category = std::input_iterator_tag;
    using value_type = Row;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    explicit iterator(Generated* g) : g_(g) {}
    Row operator*() const { return g_->make_(g_->at_); }
    iterator& operator++() {
      ++g_->at_;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.done(); }

   private:
    [[nodiscard]] bool done() const { return g_->at_ == g_->n_; }

    Generated* g_ = nullptr;
  };

  iterator begin() {
    if (started_) throw std::logic_error("a single-pass range was read twice");
    started_ = true;
    return iterator{this};
  }
  [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }
  /// Rows read so far.
  [[nodiscard]] std::size_t read() const noexcept { return at_; }

 private:
  std::size_t n_;
  Make make_;
  std::size_t at_ = 0;
  bool started_ = false;
};

template <class Row, class Make>
Generated<Row, Make> generated(std::size_t n, Make make) {
  return Generated<Row, Make>{n, std::move(make)};
}

/// A field of /proc/self/status in KiB ("VmHWM", "VmRSS").
inline long proc_status_kib(const std::string& field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream s{line.substr(field.size() + 1)};
      long kib = 0;
      s >> kib;
      return kib;
    }
  }
  throw std::runtime_error("no " + field + " in /proc/self/status");
}

/// Returns freed memory to the system and resets the peak-RSS mark (VmHWM) to the current RSS;
/// returns that baseline in KiB.
inline long reset_peak_rss_kib() {
  ::malloc_trim(0);
  {
    std::ofstream clear{"/proc/self/clear_refs"};
    clear << "5";
    if (!clear) throw std::runtime_error("cannot write /proc/self/clear_refs");
  }
  return proc_status_kib("VmHWM");
}

inline long peak_rss_kib() { return proc_status_kib("VmHWM"); }

/// How much peak memory a streamed load may add. AddressSanitizer keeps freed memory in quarantine
/// and adds shadow memory, so under it the bound is looser; the claim is checked by the plain build.
/// GCC says ASan is on with __SANITIZE_ADDRESS__, clang with __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool under_asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool under_asan = true;
#else
inline constexpr bool under_asan = false;
#endif
#else
inline constexpr bool under_asan = false;
#endif
inline constexpr long stream_growth_limit_kib = (under_asan ? 96 : 32) * 1024;

}  // namespace test
