# cmake -DBUILD_DIR=<bulkinsert build> -DPREFIX=<fresh prefix> [-DSOURCE_DIR=<src> -DCONFIGURE_OPTIONS=<-Da|-Db...>]
#       [-DWITH_POSTGRES=OFF] -P install_and_check.cmake
# Installs bulkinsert into PREFIX (configuring BUILD_DIR from SOURCE_DIR first when given) and checks
# that exactly the headers, the CMake package, the pkg-config file and bulkinsert-load went in; a
# package built without PostgreSQL has neither its headers nor its CMake files.
cmake_minimum_required(VERSION 3.21)
foreach(var IN ITEMS BUILD_DIR PREFIX)
  if(NOT ${var})
    message(FATAL_ERROR "pass -D${var}=...")
  endif()
endforeach()
if(NOT DEFINED WITH_POSTGRES)
  set(WITH_POSTGRES ON)
endif()

if(SOURCE_DIR)
  string(REPLACE "|" ";" CONFIGURE_OPTIONS "${CONFIGURE_OPTIONS}")
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BUILD_DIR}" ${CONFIGURE_OPTIONS}
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "configuring ${SOURCE_DIR} failed: ${result}")
  endif()
endif()

file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${result}")
endif()

file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/*")
set(package share/cmake/bulkinsert)
set(required
  ${package}/bulkinsertConfig.cmake
  ${package}/bulkinsertConfigVersion.cmake
  ${package}/bulkinsert-core-targets.cmake
  ${package}/bulkinsert-sqlite-targets.cmake
  share/pkgconfig/bulkinsert.pc
  include/bulkinsert/bulkinsert.hpp
  include/bulkinsert/sqlite.hpp
  include/bulkinsert/dialects/postgres_family.hpp)
set(postgres_files
  ${package}/bulkinsert-postgres-targets.cmake
  ${package}/bulkinsertLibpqxx.cmake
  ${package}/FindPQXX.cmake
  include/bulkinsert/postgres.hpp
  include/bulkinsert/postgres/dialect.hpp
  include/bulkinsert/postgres/pqxx_session.hpp)
if(WITH_POSTGRES)
  list(APPEND required ${postgres_files})
else()
  foreach(file IN LISTS postgres_files)
    if(file IN_LIST installed)
      message(FATAL_ERROR "a package built without PostgreSQL installed ${file}")
    endif()
  endforeach()
  file(READ "${PREFIX}/share/pkgconfig/bulkinsert.pc" pc)
  if(pc MATCHES "libpq")
    message(FATAL_ERROR "a package built without PostgreSQL requires libpq in bulkinsert.pc:\n${pc}")
  endif()
endif()
# MariaDB is built where Connector/C is found: then all of its files, else none of them.
set(mariadb_files
  ${package}/bulkinsert-mariadb-targets.cmake
  ${package}/bulkinsertMariadb.cmake
  include/bulkinsert/mariadb.hpp
  include/bulkinsert/mariadb/dialect.hpp)
if(include/bulkinsert/mariadb.hpp IN_LIST installed OR ${package}/bulkinsert-mariadb-targets.cmake IN_LIST installed)
  list(APPEND required ${mariadb_files})
endif()
foreach(file IN LISTS required)
  if(NOT file IN_LIST installed)
    message(FATAL_ERROR "missing from the install: ${file}")
  endif()
endforeach()
foreach(file IN LISTS installed)
  # bin/bulkinsert-load: the command (BULKINSERT_TOOLS) is installed with the library.
  if(NOT file MATCHES "^(include/bulkinsert/|share/cmake/bulkinsert/|share/pkgconfig/bulkinsert\\.pc$|bin/bulkinsert-load$)")
    message(FATAL_ERROR "unexpected file in the install: ${file}")
  endif()
endforeach()
# The .pc is relocatable (prefix from ${pcfiledir}), so it must resolve to PREFIX after --prefix.
find_program(PKG_CONFIG_EXECUTABLE pkg-config REQUIRED)
execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${PREFIX}/share/pkgconfig"
    "${PKG_CONFIG_EXECUTABLE}" --cflags --libs bulkinsert
  RESULT_VARIABLE result OUTPUT_VARIABLE flags ERROR_VARIABLE flags)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "pkg-config --cflags --libs bulkinsert: ${result}\n${flags}")
endif()
get_filename_component(expected_dir "${PREFIX}/include" REALPATH)
string(REGEX MATCHALL "-I[^ \n]+" include_flags "${flags}")
set(points_at_prefix FALSE)
foreach(flag IN LISTS include_flags)
  string(SUBSTRING "${flag}" 2 -1 dir)
  get_filename_component(dir "${dir}" REALPATH)
  if(dir STREQUAL expected_dir)
    set(points_at_prefix TRUE)
  endif()
endforeach()
if(NOT points_at_prefix)
  message(FATAL_ERROR "bulkinsert.pc gives no -I${expected_dir}: ${flags}")
endif()
message(STATUS "pkg-config: ${flags}")
list(LENGTH installed count)
message(STATUS "installed ${count} files into ${PREFIX}")
