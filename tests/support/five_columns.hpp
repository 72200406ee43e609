#pragma once

// `five (a, b, c, d, e)`, five 64-bit integer columns: the shape the parameter-limit tests fill
// statements with (five parameters a row).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/bulkinsert.hpp>

namespace test {

using Row5 = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>;

/// Row i is (i, -i, 3i, -4i, 5i): sum(a) + sum(b) is 0, sum(a) + sum(e) is 6 * (0 + 1 + ... + n-1).
inline std::vector<Row5> rows5(std::size_t n) {
  std::vector<Row5> out;
  for (std::size_t i = 0; i < n; ++i) {
    const auto v = static_cast<std::int64_t>(i);
    out.emplace_back(v, -v, v * 3, -v * 4, v * 5);
  }
  return out;
}

inline const bulkinsert::Table<Row5>& table5() {
  static const bulkinsert::Table<Row5> t{"five", {"a", "b", "c", "d", "e"}};
  return t;
}

/// Creates `five` with `bigint`, the backend's name for a 64-bit integer.
template <class Db>
void create_five(Db& db, std::string_view bigint) {
  db.exec(fmt::format("CREATE TABLE five (a {0}, b {0}, c {0}, d {0}, e {0})", bigint));
}

}  // namespace test
