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

#include "schema.hpp"

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

/// A row of `named (id generated, name, qty)`, for insert_returning.
struct Named {
  std::string name;
  std::int64_t qty = 0;
};

inline bulkinsert::Table<Named> named_table() {
  return bulkinsert::Table<Named>{"named"}.column("name", &Named::name).column("qty", &Named::qty);
}

inline std::vector<Named> named_rows(std::size_t n) {
  std::vector<Named> rows;
  rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) rows.push_back({fmt::format("n{}", i), static_cast<std::int64_t>(i) * 3});
  return rows;
}

// --- upserts: prices, where sku is UNIQUE (the conflict target) and id the primary key ------------

struct Price {
  std::int64_t id = 0;
  std::string sku;
  std::int64_t price = 0;
  std::string label;
};

inline bulkinsert::Table<Price> price_table() {
  return bulkinsert::Table<Price>{"prices"}
      .column("id", &Price::id)
      .column("sku", &Price::sku)
      .column("price", &Price::price)
      .column("label", &Price::label);
}

inline constexpr std::size_t old_prices = 600;    // skus 0..599 exist
inline constexpr std::size_t upserted_prices = 600;  // the upsert sends skus 300..899: 300 conflict, 300 are new
inline constexpr std::size_t first_new_price = 300;

/// prices holding skus 0..599 (id k, price k, label 'old'); `bigint` and `text` are the backend's type names.
template <class Db>
void prepare_prices(Db& db, std::string_view bigint, std::string_view text) {
  db.exec(fmt::format("CREATE TABLE prices (id {0} PRIMARY KEY, sku {1} UNIQUE NOT NULL, price {0} NOT NULL, label {1}, "
                      "note {1} DEFAULT 'untouched')",
                      bigint, text));
  db.exec(fmt::format("INSERT INTO prices (id, sku, price, label) WITH RECURSIVE g(k) AS (SELECT 0 UNION ALL "
                      "SELECT k + 1 FROM g WHERE k < {}) SELECT k, 'sku-' || k, k, 'old' FROM g",
                      old_prices - 1));
}

inline std::vector<Price> upsert_rows() {
  std::vector<Price> rows;
  for (std::size_t k = first_new_price; k < first_new_price + upserted_prices; ++k)
    rows.push_back({static_cast<std::int64_t>(100'000 + k), fmt::format("sku-{}", k), static_cast<std::int64_t>(k) * 10, "new"});
  return rows;
}

/// Every row of prices by sku, checked against what each kind of upsert must leave (`updated`: DO
/// UPDATE SET price, otherwise DO NOTHING). `db` reads text rows (a fixture, or its reader()).
template <class Reader>
void check_prices(Reader&& db, bool updated) {
  const TextRows r = db.rows("SELECT id, CAST(substr(sku, 5) AS INTEGER) AS k, price, label, note FROM prices ORDER BY k");
  REQUIRE(r.size() == first_new_price + upserted_prices);
  for (const auto& row : r) {
    const std::int64_t k = std::stoll(row[1].value());
    INFO("sku-" << k);
    const bool existed = k < static_cast<std::int64_t>(old_prices);
    const bool sent = k >= static_cast<std::int64_t>(first_new_price);
    CHECK(row[4] == "untouched");
    if (existed) {
      CHECK(row[0] == std::to_string(k));  // the key row keeps its id: only the chosen columns change
      CHECK(row[2] == std::to_string(sent && updated ? k * 10 : k));
      CHECK(row[3] == "old");  // label is not among the update columns
    } else {
      CHECK(row[0] == std::to_string(100'000 + k));
      CHECK(row[2] == std::to_string(k * 10));
      CHECK(row[3] == "new");
    }
  }
}

// --- parents then children: roles by name, users naming their role --------------------------------

struct RoleIn {
  std::string name;
};
struct UserIn {
  std::string username;
  std::string email;
  std::string role;  // the parent's natural key
};

inline bulkinsert::Table<RoleIn> linked_role_table() { return bulkinsert::Table<RoleIn>{"roles"}.column("name", &RoleIn::name); }
inline bulkinsert::Table<UserIn> linked_user_table() {
  return bulkinsert::Table<UserIn>{"users"}
      .column("username", &UserIn::username)
      .column("email", &UserIn::email)
      .default_column("created_at", bulkinsert::now_utc);
}

inline std::vector<RoleIn> linked_roles() { return {{"admin"}, {"editor"}, {"viewer"}, {"rôle ünïcode"}, {"it's \"quoted\""}}; }

inline std::vector<UserIn> linked_users(std::size_t n) {
  const auto roles = linked_roles();
  std::vector<UserIn> users;
  for (std::size_t i = 0; i < n; ++i)
    users.push_back({fmt::format("user{}", i), fmt::format("user{}@example.com", i), roles[(i * 7) % roles.size()].name});
  return users;
}

inline std::string_view role_of(const UserIn& u) { return u.role; }

/// `n` rows made on the fly by `make(i)`, readable once: its iterator is an input iterator and not a
/// forward one (no copies that compare equal, postfix ++ returns void), so the inserter must buffer the
/// current chunk itself. begin() a second time throws.
template <class Row, class Make>
class SinglePass {
 public:
  SinglePass(std::size_t n, Make make) : n_(n), make_(std::move(make)) {}

  class iterator {
   public:
    using iterator_concept = std::input_iterator_tag;
    using iterator_category = std::input_iterator_tag;
    using value_type = Row;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    explicit iterator(SinglePass* g) : g_(g) {}
    Row operator*() const { return g_->make_(g_->at_); }
    iterator& operator++() {
      ++g_->at_;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.done(); }

   private:
    [[nodiscard]] bool done() const { return g_->at_ == g_->n_; }

    SinglePass* g_ = nullptr;
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
SinglePass<Row, Make> single_pass(std::size_t n, Make make) {
  return SinglePass<Row, Make>{n, std::move(make)};
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
/// (the test command bounds it at 48 MiB, scripts/run-tests.sh) and adds shadow memory, so under it the
/// bound is the plain build's 32 MiB plus 64; the claim itself is checked by the plain build.
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
