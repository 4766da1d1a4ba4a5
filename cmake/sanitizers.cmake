# MYELIN_SANITIZE: every target with ASan + UBSan, stopping at the first
# report (-fno-sanitize-recover=all), so a test that trips one fails.
# MYELIN_FUZZ: the same, plus libFuzzer's coverage instrumentation (clang).
if(MYELIN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MYELIN_FUZZ needs clang: cmake -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  set(MYELIN_SANITIZE ON)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
endif()
if(MYELIN_SANITIZE)
  set(sanitizers -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:${sanitizers}>")
  add_link_options(-fsanitize=address,undefined)
  set(MYELIN_WITH_CUDA OFF CACHE BOOL "" FORCE) # host code only: nvcc does not take these flags
endif()
