# "headers: each compiles alone with <compiler>": every header under include/bulkinsert, each in a
# translation unit of its own, with g++ and with clang++ (both, whichever compiles the build), under
# -std=c++20 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror. Run by tests/support/check_headers.cmake.
# A compiler that is missing fails its test (scripts/install-deps.sh installs both).
set(system_includes "")
foreach(dependency IN ITEMS fmt::fmt SQLiteCpp PQXX::PQXX PQXX::PQ PkgConfig::bulkinsert_pc_libmariadb bulkinsert::libmariadb)
  if(TARGET ${dependency})
    get_target_property(dirs ${dependency} INTERFACE_INCLUDE_DIRECTORIES)
    if(NOT dirs)
      continue()
    endif()
    foreach(dir IN LISTS dirs)
      string(REGEX REPLACE "(.)/+$" "\\1" dir "${dir}")  # "/usr/include/" is "/usr/include"
      list(APPEND system_includes "${dir}")
    endforeach()
  endif()
endforeach()
# The compiler searches its own directories already; naming /usr/include again with -isystem would
# reorder them and break libstdc++'s #include_next.
list(REMOVE_DUPLICATES system_includes)
list(REMOVE_ITEM system_includes ${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES} /usr/include /usr/local/include)
list(JOIN system_includes "|" system_includes)

set(skip "")
if(NOT BULKINSERT_WITH_SQLITE)
  list(APPEND skip sqlite.hpp)
endif()
if(NOT BULKINSERT_WITH_POSTGRES)
  list(APPEND skip postgres.hpp postgres/)
endif()
if(NOT BULKINSERT_WITH_MARIADB)
  list(APPEND skip mariadb.hpp mariadb/)
endif()
list(JOIN skip "|" skip)

find_program(BULKINSERT_HEADER_CHECK_GXX NAMES g++-12 g++)
find_program(BULKINSERT_HEADER_CHECK_CLANGXX NAMES clang++-14 clang++)
foreach(compiler IN ITEMS g++ clang++)
  if(compiler STREQUAL "g++")
    set(path "${BULKINSERT_HEADER_CHECK_GXX}")
  else()
    set(path "${BULKINSERT_HEADER_CHECK_CLANGXX}")
  endif()
  if(NOT path)
    set(path "${compiler}-not-found")
  endif()
  add_test(NAME "headers: each compiles alone with ${compiler}"
    COMMAND "${CMAKE_COMMAND}" "-DCOMPILER=${path}" "-DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include"
            "-DSYSTEM_INCLUDES=${system_includes}" "-DSKIP=${skip}"
            "-DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/header_check/${compiler}"
            -P "${CMAKE_CURRENT_SOURCE_DIR}/support/check_headers.cmake")
  set_tests_properties("headers: each compiles alone with ${compiler}" PROPERTIES TIMEOUT 600)
endforeach()
