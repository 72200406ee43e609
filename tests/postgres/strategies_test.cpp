// What only the PostgreSQL backend has: schema-qualified tables, a borrowed libpqxx connection, its
// fixed parameter limit, connection failures and the fixture's connection string. Every strategy on
// the roles/users schema, the concepts and choosing by name are in conformance/strategies_test.cpp.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"
#include "support/schema.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::PostgresBackend;

TEST_CASE("a schema qualified table through an owned connection", "[postgres][backend]") {
  test::PgDb db;
  db.exec("CREATE SCHEMA \"" + db.schema() + "_other\"");
  db.exec("CREATE TABLE \"" + db.schema() + "_other\".roles (id integer PRIMARY KEY, name varchar(50) UNIQUE)");
  {
    // Connects without the per-test search_path: only the schema named in the Table finds the table.
    PostgresBackend backend{test::pg_conninfo()};
    BulkInserter inserter{backend};
    const auto table = test::StructRows::roles_table().schema(db.schema() + "_other");
    for (const std::string_view name : {"per_row", "multi_values", "execute_many", "copy"}) {
      db.exec("TRUNCATE \"" + db.schema() + "_other\".roles");
      INFO(name);
      CHECK(inserter.insert(table, test::roles(), name).rows == test::role_count);
      CHECK(db.count("\"" + db.schema() + "_other\".roles") == static_cast<std::int64_t>(test::role_count));
    }
  }
  db.exec("DROP SCHEMA \"" + db.schema() + "_other\" CASCADE");
}

TEST_CASE("a borrowed libpqxx connection", "[postgres][backend]") {
  test::PgDb db;
  db.create_roles_users();
  pqxx::connection conn{db.conninfo()};
  {
    PostgresBackend backend{conn};
    CHECK(&backend.connection() == &conn);
    CHECK(BulkInserter{backend}.insert(test::StructRows::roles_table(), test::roles()).rows == test::role_count);
  }
  // The caller's connection is still usable, with no transaction left open.
  pqxx::work w{conn};
  CHECK(w.exec("SELECT count(*) FROM roles")[0][0].as<int>() == 5);
  w.commit();
}

TEST_CASE("postgres limits", "[postgres][limits]") {
  test::PgDb db;
  CHECK(db.backend().limits() == bulkinsert::Limits{65535, 0});
}

TEST_CASE("a server that cannot be reached is a DatabaseError", "[postgres][backend]") {
  try {
    PostgresBackend backend{"host=/nonexistent-bulkinsert-socket-dir port=1 dbname=x connect_timeout=2"};
    FAIL("connected to a server that does not exist");
  } catch (const bulkinsert::DatabaseError& e) {
    CHECK(e.code() == "08006");
  }
}

TEST_CASE("a missing connection string fails the test instead of skipping it", "[postgres][fixture]") {
  const std::string saved = test::pg_conninfo();  // the fixture's, which the other tests use
  ::unsetenv("BULKINSERT_TEST_PG");
  CHECK_THROWS_WITH(test::pg_conninfo(), Catch::Contains("BULKINSERT_TEST_PG is not set"));
  CHECK_THROWS(test::PgDb{});
  ::setenv("BULKINSERT_TEST_PG", saved.c_str(), 1);
  CHECK(test::pg_conninfo() == saved);
}
