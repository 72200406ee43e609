# Included by the add_subdirectory and FetchContent consumers: as a subproject, bulkinsert must
# define only its INTERFACE targets, i.e. the consumer's build compiles none of our tests,
# benchmarks or examples.
function(bulkinsert_check_no_dev_targets dir)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  if(subdirs)
    message(FATAL_ERROR "bulkinsert as a subproject added subdirectories: ${subdirs}")
  endif()
  # bulkinsert_mariadb where MariaDB Connector/C is found (BULKINSERT_WITH_MARIADB's default).
  if(NOT targets STREQUAL "bulkinsert;bulkinsert_sqlite;bulkinsert_postgres" AND
     NOT targets STREQUAL "bulkinsert;bulkinsert_sqlite;bulkinsert_postgres;bulkinsert_mariadb")
    message(FATAL_ERROR "bulkinsert as a subproject defined unexpected targets: ${targets}")
  endif()
  foreach(option IN ITEMS BULKINSERT_TESTS BULKINSERT_BENCHMARKS BULKINSERT_EXAMPLES BULKINSERT_INSTALL)
    if(${option})
      message(FATAL_ERROR "${option} defaults ON in a consumer's build")
    endif()
  endforeach()
endfunction()
