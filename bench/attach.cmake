# Lets scripts/bench.sh build tlsm-bench while the top-level CMakeLists.txt does not add
# bench/ yet: passed as -DCMAKE_PROJECT_INCLUDE, it defers reading bench/CMakeLists.txt to
# the end of the top-level file, so the bench sees the same compile options and targets.
# (EVAL CODE expands the path now; a deferred call would expand it at the end.)
cmake_language(EVAL CODE
  "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL include [[${CMAKE_CURRENT_LIST_DIR}/CMakeLists.txt]])")
