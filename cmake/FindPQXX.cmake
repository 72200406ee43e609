# FindPQXX
# --------
# Finds libpqxx and the libpq it is built on. libpqxx 6.4 (Debian 12) installs a pkg-config
# file but no CMake package config, so this module asks pkg-config first and falls back to
# plain find_path / find_library.
#
# Imported targets:
#   PQXX::PQXX   libpqxx; links PQXX::PQ
#   PQXX::PQ     libpq (libpq-fe.h is on its include path, for raw libpq calls)
# Result variables:
#   PQXX_FOUND, PQXX_VERSION, PQXX_INCLUDE_DIRS, PQXX_LIBRARIES
# Cache variables (override to point at another installation):
#   PQXX_INCLUDE_DIR, PQXX_LIBRARY, PQXX_PQ_INCLUDE_DIR, PQXX_PQ_LIBRARY

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_PQXX QUIET libpqxx)
  pkg_check_modules(PC_PQXX_PQ QUIET libpq)
endif()

find_path(PQXX_INCLUDE_DIR NAMES pqxx/pqxx HINTS ${PC_PQXX_INCLUDE_DIRS})
find_library(PQXX_LIBRARY NAMES pqxx HINTS ${PC_PQXX_LIBRARY_DIRS})
find_path(PQXX_PQ_INCLUDE_DIR NAMES libpq-fe.h
  HINTS ${PC_PQXX_PQ_INCLUDE_DIRS} ${PC_PQXX_INCLUDE_DIRS}
  PATH_SUFFIXES postgresql pgsql)
find_library(PQXX_PQ_LIBRARY NAMES pq HINTS ${PC_PQXX_PQ_LIBRARY_DIRS})
mark_as_advanced(PQXX_INCLUDE_DIR PQXX_LIBRARY PQXX_PQ_INCLUDE_DIR PQXX_PQ_LIBRARY)

if(PC_PQXX_VERSION)
  set(PQXX_VERSION "${PC_PQXX_VERSION}")
elseif(PQXX_INCLUDE_DIR AND EXISTS "${PQXX_INCLUDE_DIR}/pqxx/version.hxx")
  file(STRINGS "${PQXX_INCLUDE_DIR}/pqxx/version.hxx" _pqxx_version_line
    REGEX "^#define[ \t]+PQXX_VERSION[ \t]+\"[0-9.]+\"")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" PQXX_VERSION "${_pqxx_version_line}")
  unset(_pqxx_version_line)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PQXX
  REQUIRED_VARS PQXX_LIBRARY PQXX_INCLUDE_DIR PQXX_PQ_LIBRARY PQXX_PQ_INCLUDE_DIR
  VERSION_VAR PQXX_VERSION)

if(PQXX_FOUND)
  set(PQXX_INCLUDE_DIRS "${PQXX_INCLUDE_DIR}" "${PQXX_PQ_INCLUDE_DIR}")
  list(REMOVE_DUPLICATES PQXX_INCLUDE_DIRS)
  set(PQXX_LIBRARIES "${PQXX_LIBRARY}" "${PQXX_PQ_LIBRARY}")

  if(NOT TARGET PQXX::PQ)
    add_library(PQXX::PQ UNKNOWN IMPORTED)
    set_target_properties(PQXX::PQ PROPERTIES
      IMPORTED_LOCATION "${PQXX_PQ_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${PQXX_PQ_INCLUDE_DIR}")
  endif()
  if(NOT TARGET PQXX::PQXX)
    add_library(PQXX::PQXX UNKNOWN IMPORTED)
    set_target_properties(PQXX::PQXX PROPERTIES
      IMPORTED_LOCATION "${PQXX_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${PQXX_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES PQXX::PQ)
  endif()
endif()
