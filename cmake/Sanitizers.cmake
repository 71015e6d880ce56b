# -DSOTTO_SANITIZE=address,undefined builds everything with those sanitizers.
if(SOTTO_SANITIZE)
  add_compile_options(-fsanitize=${SOTTO_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${SOTTO_SANITIZE})
endif()
if(SOTTO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SOTTO_FUZZ needs clang (libFuzzer): CXX=clang++-14")
  endif()
  # Instrument every library for coverage so libFuzzer can steer into them.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
