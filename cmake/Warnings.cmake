# Warnings for our own targets (not for generated protobuf code).
function(sotto_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false stringop-overflow/overread in std::vector inserts at -O2
    # (GCC bugs 105329, 106199); clang and the sanitizer builds check real overflows.
    target_compile_options(${target} PRIVATE -Wno-stringop-overflow -Wno-stringop-overread)
  endif()
  if(SOTTO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
