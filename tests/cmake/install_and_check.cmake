# cmake -DBUILD_DIR=<bulkinsert build> -DPREFIX=<fresh prefix> -P install_and_check.cmake
# Installs bulkinsert into PREFIX and checks that only headers, the CMake package and bulkinsert-load went in.
cmake_minimum_required(VERSION 3.21)
foreach(var IN ITEMS BUILD_DIR PREFIX)
  if(NOT ${var})
    message(FATAL_ERROR "pass -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${result}")
endif()

file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/*")
foreach(required IN ITEMS
    share/cmake/bulkinsert/bulkinsertConfig.cmake
    share/cmake/bulkinsert/bulkinsertConfigVersion.cmake
    share/cmake/bulkinsert/bulkinsertTargets.cmake
    share/cmake/bulkinsert/FindPQXX.cmake)
  if(NOT required IN_LIST installed)
    message(FATAL_ERROR "missing from the install: ${required}")
  endif()
endforeach()
foreach(file IN LISTS installed)
  # bin/bulkinsert-load: the command (BULKINSERT_TOOLS) is installed with the library.
  if(NOT file MATCHES "^(include/bulkinsert/|share/cmake/bulkinsert/|bin/bulkinsert-load$)")
    message(FATAL_ERROR "unexpected file in the install: ${file}")
  endif()
endforeach()
list(LENGTH installed count)
message(STATUS "installed ${count} files into ${PREFIX}")
