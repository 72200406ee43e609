#pragma once
// Where the PostgreSQL examples connect: the first argument, else $BULKINSERT_TEST_PG (set by the test
// suite's throwaway cluster), else libpq's defaults ($PGHOST, $PGDATABASE, ...).
#include <cstdlib>
#include <string>

inline std::string pg_conninfo(int argc, char** argv) {
  if (argc > 1) return argv[1];
  const char* env = std::getenv("BULKINSERT_TEST_PG");
  return env != nullptr ? env : "";
}
