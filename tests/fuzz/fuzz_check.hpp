#pragma once
// A failed property in a fuzz target aborts, so libFuzzer records the input.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                              \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                   \
    }                                                                 \
  } while (0)
