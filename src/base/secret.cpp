#include "base/secret.hpp"

#include <string.h>  // explicit_bzero (glibc)

namespace sotto::base {

void secure_wipe(void* p, std::size_t n) {
  if (p != nullptr && n > 0) explicit_bzero(p, n);
}

void wipe_string(std::string& s) {
  secure_wipe(s.data(), s.capacity());
  s.clear();
}

}  // namespace sotto::base
