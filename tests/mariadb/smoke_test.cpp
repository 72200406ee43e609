#include <catch2/catch.hpp>

#include "support/mariadb.hpp"

TEST_CASE("mariadb: connects", "[mariadb]") {
  test::MariaDb db;
  CHECK(db.backend().max_packet() == 16 * 1024 * 1024);
  CHECK(db.backend().array_binding());
}
