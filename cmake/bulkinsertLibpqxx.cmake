# bulkinsert_find_libpqxx()
# -------------------------
# Makes bulkinsert::libpqxx, an imported INTERFACE target that links libpqxx and the libpq under it
# (bulkinsert calls libpq itself, so libpq-fe.h must be on the include path), from the first of:
#   1. a libpqxx::pqxx or pqxx target that already exists: the consumer added libpqxx with
#      FetchContent or add_subdirectory before bulkinsert;
#   2. find_package(libpqxx CONFIG): the package config libpqxx 7 and later install;
#   3. FindPQXX.cmake beside this file (pkg-config, then a plain search): libpqxx 6.4, which
#      installs no CMake config.
# The first route that answers is the only one asked, so headers and library always come from the
# same libpqxx. Included by bulkinsert's CMakeLists.txt and by the bulkinsertConfig.cmake installed
# beside this file, so a build and an installed package choose alike.
# Sets in the caller's scope: bulkinsert_libpqxx_FOUND, bulkinsert_libpqxx_ROUTE (what was used,
# for messages) and bulkinsert_libpqxx_VERSION (empty when the route does not say).

set(_bulkinsert_libpqxx_dir "${CMAKE_CURRENT_LIST_DIR}")

function(bulkinsert_find_libpqxx)
  set(bulkinsert_libpqxx_FOUND FALSE PARENT_SCOPE)
  set(bulkinsert_libpqxx_VERSION "" PARENT_SCOPE)
  if(TARGET bulkinsert::libpqxx)
    set(bulkinsert_libpqxx_FOUND TRUE PARENT_SCOPE)
    set(bulkinsert_libpqxx_ROUTE "bulkinsert::libpqxx, made earlier" PARENT_SCOPE)
    return()
  endif()

  set(pqxx "")
  set(version "")
  if(TARGET libpqxx::pqxx)
    set(pqxx libpqxx::pqxx)
    set(route "the existing target libpqxx::pqxx")
  elseif(TARGET pqxx)
    set(pqxx pqxx)
    set(route "the existing target pqxx")
  else()
    find_package(libpqxx CONFIG QUIET)
    if(libpqxx_FOUND AND TARGET libpqxx::pqxx)
      set(pqxx libpqxx::pqxx)
      set(version "${libpqxx_VERSION}")
      set(route "find_package(libpqxx CONFIG) in ${libpqxx_DIR}")
    endif()
  endif()

  if(pqxx)
    # libpqxx 7's targets link libpq privately (LINK_ONLY), so its header comes from here.
    if(NOT TARGET PostgreSQL::PostgreSQL)
      find_package(PostgreSQL QUIET)
    endif()
    if(NOT TARGET PostgreSQL::PostgreSQL)
      message(WARNING "bulkinsert: libpqxx is ${route}, but libpq (PostgreSQL's client library) was not found")
      return()
    endif()
    set(libs ${pqxx} PostgreSQL::PostgreSQL)
  else()
    set(saved_module_path "${CMAKE_MODULE_PATH}")
    list(PREPEND CMAKE_MODULE_PATH "${_bulkinsert_libpqxx_dir}")
    find_package(PQXX 6.4 QUIET)
    set(CMAKE_MODULE_PATH "${saved_module_path}")
    if(NOT PQXX_FOUND)
      return()
    endif()
    set(libs PQXX::PQXX)
    set(version "${PQXX_VERSION}")
    set(route "FindPQXX (pkg-config or a plain search): ${PQXX_LIBRARY}")
  endif()

  add_library(bulkinsert::libpqxx INTERFACE IMPORTED)
  set_target_properties(bulkinsert::libpqxx PROPERTIES INTERFACE_LINK_LIBRARIES "${libs}")
  set(bulkinsert_libpqxx_FOUND TRUE PARENT_SCOPE)
  set(bulkinsert_libpqxx_ROUTE "${route}" PARENT_SCOPE)
  set(bulkinsert_libpqxx_VERSION "${version}" PARENT_SCOPE)
endfunction()
