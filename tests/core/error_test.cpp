// The exception hierarchy and the messages users act on.

#include <catch2/catch.hpp>

#include <string>
#include <type_traits>

#include <bulkinsert/error.hpp>

using namespace bulkinsert;

TEST_CASE("error hierarchy", "[core][error]") {
  STATIC_REQUIRE(std::is_base_of_v<std::runtime_error, Error>);
  STATIC_REQUIRE(std::is_base_of_v<Error, InputError>);
  STATIC_REQUIRE(std::is_base_of_v<InputError, UnsupportedStrategy>);
  STATIC_REQUIRE(std::is_base_of_v<InputError, ValueError>);
  STATIC_REQUIRE(std::is_base_of_v<Error, DatabaseError>);
  STATIC_REQUIRE(std::is_base_of_v<DatabaseError, ChunkError>);
  STATIC_REQUIRE_FALSE(std::is_base_of_v<InputError, DatabaseError>);
}

TEST_CASE("database error carries code and message", "[core][error]") {
  const DatabaseError e{"23505", "duplicate key value violates unique constraint \"users_username_key\""};
  CHECK(e.code() == "23505");
  CHECK(e.message() == "duplicate key value violates unique constraint \"users_username_key\"");
  CHECK(std::string{e.what()} == "[23505] duplicate key value violates unique constraint \"users_username_key\"");
}

TEST_CASE("chunk error names strategy chunk rows and code", "[core][error]") {
  const DatabaseError cause{"23505", "duplicate key"};
  const ChunkError e{cause, "multi_values", 3, RowRange{1500, 2000}, 0};
  CHECK(std::string{e.what()} == "multi_values: chunk 3 (rows [1500, 2000)) failed: [23505] duplicate key; 0 input rows committed");
  CHECK_THAT(std::string{e.what()}, Catch::StartsWith("multi_values: chunk 3 (rows [1500, 2000)) failed: [23505] "));
  CHECK(e.strategy() == "multi_values");
  CHECK(e.chunk_index() == 3);
  CHECK(e.rows() == RowRange{1500, 2000});
  CHECK(e.rows().size() == 500);
  CHECK(e.rows_committed() == 0);
  CHECK(e.code() == "23505");
  CHECK(e.message() == "duplicate key");

  const ChunkError later{DatabaseError{"2067", "UNIQUE constraint failed: users.username"}, "copy", 1,
                         RowRange{50000, 100000}, 40000};
  CHECK(std::string{later.what()} ==
        "copy: chunk 1 (rows [50000, 100000)) failed: [2067] UNIQUE constraint failed: users.username; 40000 input "
        "rows committed");
  CHECK(later.rows_committed() == 40000);
}

TEST_CASE("chunk error survives a copy", "[core][error]") {
  std::string strategy = "execute_many";
  const ChunkError e{DatabaseError{"XX000", "boom"}, strategy, 2, RowRange{20, 30}, 10};
  strategy = "overwritten";
  const ChunkError copy = e;  // NOLINT(performance-unnecessary-copy-initialization)
  CHECK(copy.strategy() == "execute_many");
  CHECK(copy.rows() == RowRange{20, 30});
}
