#include "support/vectors.hpp"

#include <fstream>
#include <stdexcept>

namespace sotto::test {

std::string vectors_path(const std::string& file) { return std::string(SOTTO_VECTORS_DIR) + "/" + file; }

nlohmann::json load_vectors(const std::string& file) {
  std::ifstream in(vectors_path(file));
  if (!in) throw std::runtime_error("cannot open vector file " + vectors_path(file));
  return nlohmann::json::parse(in);
}

Bytes hex(const std::string& h) {
  auto b = base::from_hex(h);
  if (!b) throw std::runtime_error("bad hex in vector: " + h);
  return *b;
}

}  // namespace sotto::test
