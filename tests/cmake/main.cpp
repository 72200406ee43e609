// A consumer program: proves the headers and link interface of bulkinsert::sqlite and
// bulkinsert::postgres work from outside the project.
#include <bulkinsert/bulkinsert.hpp>
#include <bulkinsert/postgres.hpp>
#include <bulkinsert/sqlite.hpp>

int main() {
  bulkinsert::SqliteBackend db{":memory:"};
  return 0;
}
