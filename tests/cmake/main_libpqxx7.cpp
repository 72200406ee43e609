// A consumer that brought libpqxx 7 itself (FetchContent, or an install found through its CMake
// config) while Debian's libpqxx 6.4 sits in /usr: proves that it compiled against the headers it
// brought, linked the library it brought and nothing else, and that its own pqxx::connection,
// used through libpqxx 7's API, works as a borrowed connection of PostgresBackend.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <bulkinsert/bulkinsert.hpp>
#include <bulkinsert/postgres.hpp>
#include <pqxx/pqxx>

// Debian's 6.4 headers say "6.4.4"; the tarball's say 7.10.7.
static_assert(std::string_view{PQXX_VERSION} == EXPECTED_PQXX_VERSION, "compiled against another libpqxx's headers");
static_assert(std::is_same_v<bulkinsert::detail::PqxxConnection, pqxx::connection>);

namespace {

struct Reading {
  std::int64_t id;
  std::string sensor;
  double value;
};

int fail(const std::string& why) {
  std::fprintf(stderr, "consumer: %s\n", why.c_str());
  return 1;
}

}  // namespace

int main() {
  // The symbol PQXX_VERSION_CHECK names exists only in the 7.10 library: a link against another
  // libpqxx fails here rather than at run time.
  pqxx::internal::PQXX_VERSION_CHECK();

  // The 7.x archive is linked statically, so any libpqxx shared object in this process is someone else's.
  std::ifstream maps{"/proc/self/maps"};
  for (std::string line; std::getline(maps, line);) {
    const std::string_view file = std::string_view{line}.substr(line.rfind('/') == std::string::npos ? line.size() : line.rfind('/') + 1);
    if (file.starts_with("libpqxx")) return fail("a libpqxx shared library is loaded: " + line);
  }

  const char* conninfo = std::getenv("BULKINSERT_TEST_PG");
  if (conninfo == nullptr) return fail("BULKINSERT_TEST_PG is not set (run through ctest, whose fixture starts the server)");
  const std::string table = "cmake_consumer_" + std::to_string(::getpid());

  pqxx::connection conn{conninfo};
  {
    pqxx::work w{conn};
    w.exec("CREATE TABLE " + w.quote_name(table) + " (id bigint PRIMARY KEY, sensor text NOT NULL, value float8)").no_rows();
    w.commit();
  }

  std::vector<Reading> rows;
  for (std::int64_t i = 0; i < 1000; ++i) rows.push_back({i, "s" + std::to_string(i % 7), static_cast<double>(i) / 4});
  const auto readings = bulkinsert::Table<Reading>{table}
                            .column("id", &Reading::id)
                            .column("sensor", &Reading::sensor)
                            .column("value", &Reading::value);
  bulkinsert::PostgresBackend db{conn};
  if (&db.connection() != &conn) return fail("PostgresBackend does not use the connection it was given");
  const bulkinsert::Report report = bulkinsert::BulkInserter{db}.insert(readings, rows);
  if (report.rows != rows.size()) return fail("the report counts " + std::to_string(report.rows) + " rows");

  // libpqxx 7's own API again, on the same connection after the backend used it.
  pqxx::nontransaction n{conn};
  const auto [count, sum] = n.query1<std::int64_t, double>("SELECT count(*), sum(value) FROM " + n.quote_name(table));
  n.exec("DROP TABLE " + n.quote_name(table)).no_rows();
  if (count != 1000 || sum != 999.0 * 1000 / 8) {
    return fail("the table holds " + std::to_string(count) + " rows summing to " + std::to_string(sum));
  }
  std::printf("consumer: libpqxx %s, 1000 rows through PostgresBackend on the consumer's pqxx::connection\n", PQXX_VERSION);
  return 0;
}
