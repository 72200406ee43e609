// Identifier quoting, each dialect: the quoted name, read back by SQL's rules for a delimited identifier
// (a double quote inside is written twice), is the original name. Empty names and names holding NUL are
// refused by both dialects, names over 63 bytes by PostgreSQL's (it would truncate them), all with InputError.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <bulkinsert/dialect.hpp>
#include <bulkinsert/postgres/dialect.hpp>
#include <bulkinsert/sqlite/dialect.hpp>
#include <bulkinsert/error.hpp>

#include "expect.hpp"

namespace {

using fuzz::check;

/// The name a delimited identifier stands for; fails on anything that is not exactly one.
std::string unquote(std::string_view q) {
  check(q.size() >= 2 && q.front() == '"' && q.back() == '"', "a quoted name is in double quotes");
  std::string name;
  for (std::size_t i = 1; i + 1 < q.size(); ++i) {
    if (q[i] == '"') {
      check(i + 2 < q.size() && q[i + 1] == '"', "a quote inside is doubled");
      ++i;
    }
    name += q[i];
  }
  return name;
}

template <class Dialect>
void round_trip(std::string_view name, bool refused) {
  std::string out = "x.";  // quote() appends, as after a schema name
  try {
    Dialect::quote(out, name);
  } catch (const bulkinsert::InputError&) {
    check(refused, "only empty, NUL-holding and (PostgreSQL) over-long names are refused");
    check(out == "x.", "a refused name appends nothing");
    return;
  }
  check(!refused, "empty, NUL-holding and (PostgreSQL) over-long names are refused");
  check(out.substr(0, 2) == "x.", "quote() appends");
  check(unquote(std::string_view{out}.substr(2)) == name, "the quoted name reads back as the name");
  check(bulkinsert::quote_identifier<Dialect>(name) == out.substr(2), "quote_identifier is quote()");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view name{reinterpret_cast<const char*>(data), size};
  const bool bad = name.empty() || name.find('\0') != std::string_view::npos;
  round_trip<bulkinsert::PostgresDialect>(name, bad || name.size() > bulkinsert::PostgresDialect::max_identifier_bytes);
  round_trip<bulkinsert::SqliteDialect>(name, bad);
  return 0;
}
