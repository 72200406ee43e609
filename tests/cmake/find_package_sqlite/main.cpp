// A SQLite-only consumer: bulkinsert::sqlite's headers and link interface, with no libpqxx anywhere.
#include <bulkinsert/bulkinsert.hpp>
#include <bulkinsert/sqlite.hpp>

#if __has_include(<bulkinsert/postgres.hpp>) && defined(EXPECT_NO_POSTGRES_HEADERS)
#error "a SQLite-only install installed bulkinsert/postgres.hpp"
#endif

int main() {
  bulkinsert::SqliteBackend db{":memory:"};
  db.execute("CREATE TABLE t (x INTEGER)");
  return 0;
}
