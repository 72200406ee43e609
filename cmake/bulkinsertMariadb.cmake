# bulkinsert_find_libmariadb()
# ----------------------------
# Makes bulkinsert::libmariadb, an imported INTERFACE target that links MariaDB Connector/C (the C
# client library; it speaks to MariaDB and to MySQL), from the first of:
#   1. a target the consumer made: libmariadb (Connector/C's own CMake build) or mariadbclient;
#   2. pkg-config's libmariadb (Debian: libmariadb-dev), then a plain search for mysql.h and libmariadb.
# Included by bulkinsert's CMakeLists.txt and by the bulkinsertConfig.cmake installed beside this
# file, so a build and an installed package find it alike. Sets bulkinsert_libmariadb_FOUND and
# bulkinsert_libmariadb_VERSION (empty when the route does not say) in the caller's scope.
function(bulkinsert_find_libmariadb)
  set(bulkinsert_libmariadb_FOUND FALSE PARENT_SCOPE)
  set(bulkinsert_libmariadb_VERSION "" PARENT_SCOPE)
  if(TARGET bulkinsert::libmariadb)
    set(bulkinsert_libmariadb_FOUND TRUE PARENT_SCOPE)
    return()
  endif()
  foreach(existing IN ITEMS libmariadb mariadbclient)
    if(TARGET ${existing})
      add_library(bulkinsert::libmariadb INTERFACE IMPORTED GLOBAL)
      target_link_libraries(bulkinsert::libmariadb INTERFACE ${existing})
      set(bulkinsert_libmariadb_FOUND TRUE PARENT_SCOPE)
      return()
    endif()
  endforeach()
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(bulkinsert_pc_libmariadb QUIET IMPORTED_TARGET GLOBAL libmariadb)
  endif()
  if(bulkinsert_pc_libmariadb_FOUND)
    add_library(bulkinsert::libmariadb INTERFACE IMPORTED GLOBAL)
    target_link_libraries(bulkinsert::libmariadb INTERFACE PkgConfig::bulkinsert_pc_libmariadb)
    set(bulkinsert_libmariadb_VERSION "${bulkinsert_pc_libmariadb_VERSION}" PARENT_SCOPE)
    set(bulkinsert_libmariadb_FOUND TRUE PARENT_SCOPE)
    return()
  endif()
  find_path(bulkinsert_libmariadb_INCLUDE_DIR mysql.h PATH_SUFFIXES mariadb)
  find_library(bulkinsert_libmariadb_LIBRARY NAMES mariadb libmariadb)
  if(bulkinsert_libmariadb_INCLUDE_DIR AND bulkinsert_libmariadb_LIBRARY)
    add_library(bulkinsert::libmariadb INTERFACE IMPORTED GLOBAL)
    target_include_directories(bulkinsert::libmariadb INTERFACE "${bulkinsert_libmariadb_INCLUDE_DIR}")
    target_link_libraries(bulkinsert::libmariadb INTERFACE "${bulkinsert_libmariadb_LIBRARY}")
    set(bulkinsert_libmariadb_FOUND TRUE PARENT_SCOPE)
  endif()
endfunction()
