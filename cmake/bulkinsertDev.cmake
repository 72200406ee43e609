# Helpers for our own tests, benchmarks and examples. Never used by the INTERFACE targets,
# never installed.

# With BULKINSERT_SANITIZE, one executable of ours built with AddressSanitizer and
# UndefinedBehaviorSanitizer, stopping at the first report (-fno-sanitize-recover=all: UBSan would
# otherwise print and go on, and the test would pass). Applied per executable, never to the INTERFACE
# targets, so a consumer's build is never instrumented through ours.
function(bulkinsert_sanitize target)
  if(NOT BULKINSERT_SANITIZE)
    return()
  endif()
  set(flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(${target} PRIVATE ${flags})
  target_link_options(${target} PRIVATE ${flags})
endfunction()

# Settings for a target we compile ourselves (tests, benchmarks, examples, tools): warnings and
# strict -std=c++20, and the sanitizers when asked for. Dependencies' headers come in through
# imported targets, i.e. as system headers, so they stay quiet.
function(bulkinsert_dev_target target)
  target_compile_options(${target} PRIVATE
    $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Wall -Wextra -Wpedantic>)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  bulkinsert_sanitize(${target})
endfunction()

# The throwaway PostgreSQL cluster used by tests and examples (tests/support/pg_cluster.sh).
# Its socket dir lives under /tmp, keyed by the build dir, because a Unix socket path must fit
# in 107 bytes and a deep build path would not; the port only names the socket file.
string(SHA1 _bulkinsert_build_hash "${PROJECT_BINARY_DIR}")
string(SUBSTRING "${_bulkinsert_build_hash}" 0 10 _bulkinsert_build_hash)
set(BULKINSERT_TEST_PG_DIR "/tmp/bulkinsert-pg-${_bulkinsert_build_hash}" CACHE PATH
  "Directory for the test PostgreSQL cluster (data, Unix socket, log)")
set(BULKINSERT_TEST_PG_PORT 54329 CACHE STRING "Port (socket file name) of the test PostgreSQL cluster")
unset(_bulkinsert_build_hash)
set(BULKINSERT_TEST_PG_CONNINFO
  "host=${BULKINSERT_TEST_PG_DIR}/sock port=${BULKINSERT_TEST_PG_PORT} dbname=postgres user=postgres")
set(BULKINSERT_PG_CLUSTER_SCRIPT "${PROJECT_SOURCE_DIR}/tests/support/pg_cluster.sh")

# Define the fixture tests once, whichever directory asks first:
#   "postgres: cluster start"      FIXTURES_SETUP   pg_cluster
#   "postgres: cluster reachable"  FIXTURES_REQUIRED pg_cluster (psql -c 'select 1')
#   "postgres: cluster stop"       FIXTURES_CLEANUP pg_cluster
# A test that needs the server sets
#   FIXTURES_REQUIRED pg_cluster ENVIRONMENT "BULKINSERT_TEST_PG=${BULKINSERT_TEST_PG_CONNINFO}"
function(bulkinsert_add_pg_fixture)
  get_property(done GLOBAL PROPERTY BULKINSERT_PG_FIXTURE_DEFINED)
  if(done)
    return()
  endif()
  set_property(GLOBAL PROPERTY BULKINSERT_PG_FIXTURE_DEFINED TRUE)

  find_program(BASH_EXECUTABLE bash REQUIRED)
  add_test(NAME "postgres: cluster start"
    COMMAND "${BASH_EXECUTABLE}" "${BULKINSERT_PG_CLUSTER_SCRIPT}"
            start "${BULKINSERT_TEST_PG_DIR}" "${BULKINSERT_TEST_PG_PORT}")
  set_tests_properties("postgres: cluster start" PROPERTIES
    FIXTURES_SETUP pg_cluster
    TIMEOUT 180)

  add_test(NAME "postgres: cluster stop"
    COMMAND "${BASH_EXECUTABLE}" "${BULKINSERT_PG_CLUSTER_SCRIPT}"
            stop "${BULKINSERT_TEST_PG_DIR}")
  set_tests_properties("postgres: cluster stop" PROPERTIES
    FIXTURES_CLEANUP pg_cluster
    TIMEOUT 120)

  add_test(NAME "postgres: cluster reachable"
    COMMAND "${BASH_EXECUTABLE}" "${BULKINSERT_PG_CLUSTER_SCRIPT}"
            psql "${BULKINSERT_TEST_PG_DIR}" "${BULKINSERT_TEST_PG_PORT}"
            -c "select 1")
  set_tests_properties("postgres: cluster reachable" PROPERTIES
    FIXTURES_REQUIRED pg_cluster
    TIMEOUT 60)
endfunction()

# The throwaway MariaDB server used by tests (tests/support/mariadb_server.sh), on a Unix socket
# under /tmp keyed by the build dir, as the PostgreSQL cluster's.
string(SHA1 _bulkinsert_build_hash "${PROJECT_BINARY_DIR}")
string(SUBSTRING "${_bulkinsert_build_hash}" 0 10 _bulkinsert_build_hash)
set(BULKINSERT_TEST_MARIADB_DIR "/tmp/bulkinsert-mariadb-${_bulkinsert_build_hash}" CACHE PATH
  "Directory for the test MariaDB server (data, Unix socket, log)")
unset(_bulkinsert_build_hash)
set(BULKINSERT_TEST_MARIADB_URL "mariadb://root@localhost/test?socket=${BULKINSERT_TEST_MARIADB_DIR}/sock")
set(BULKINSERT_MARIADB_SERVER_SCRIPT "${PROJECT_SOURCE_DIR}/tests/support/mariadb_server.sh")

# Define the fixture tests once:
#   "mariadb: server start"      FIXTURES_SETUP   mariadb_server
#   "mariadb: server reachable"  FIXTURES_REQUIRED mariadb_server (SELECT 1)
#   "mariadb: server stop"       FIXTURES_CLEANUP mariadb_server
# A test that needs the server sets
#   FIXTURES_REQUIRED mariadb_server ENVIRONMENT "BULKINSERT_TEST_MARIADB=${BULKINSERT_TEST_MARIADB_URL}"
function(bulkinsert_add_mariadb_fixture)
  get_property(done GLOBAL PROPERTY BULKINSERT_MARIADB_FIXTURE_DEFINED)
  if(done)
    return()
  endif()
  set_property(GLOBAL PROPERTY BULKINSERT_MARIADB_FIXTURE_DEFINED TRUE)
  find_program(BASH_EXECUTABLE bash REQUIRED)
  add_test(NAME "mariadb: server start"
    COMMAND "${BASH_EXECUTABLE}" "${BULKINSERT_MARIADB_SERVER_SCRIPT}" start "${BULKINSERT_TEST_MARIADB_DIR}")
  set_tests_properties("mariadb: server start" PROPERTIES FIXTURES_SETUP mariadb_server TIMEOUT 180)
  add_test(NAME "mariadb: server stop"
    COMMAND "${BASH_EXECUTABLE}" "${BULKINSERT_MARIADB_SERVER_SCRIPT}" stop "${BULKINSERT_TEST_MARIADB_DIR}")
  set_tests_properties("mariadb: server stop" PROPERTIES FIXTURES_CLEANUP mariadb_server TIMEOUT 120)
  add_test(NAME "mariadb: server reachable"
    COMMAND "${BASH_EXECUTABLE}" "${BULKINSERT_MARIADB_SERVER_SCRIPT}" sql "${BULKINSERT_TEST_MARIADB_DIR}" -e "SELECT 1")
  set_tests_properties("mariadb: server reachable" PROPERTIES FIXTURES_REQUIRED mariadb_server TIMEOUT 60)
endfunction()
