#pragma once
// Loads the test vectors in tests/vectors/ (copied byte for byte from the project's
// shared protocol vectors) and decodes their hex fields.

#include <nlohmann/json.hpp>
#include <string>

#include "base/bytes.hpp"

namespace sotto::test {

nlohmann::json load_vectors(const std::string& file);
std::string vectors_path(const std::string& file);
Bytes hex(const std::string& h);  // aborts the test on bad hex
template <std::size_t N>
ByteArray<N> hex_array(const std::string& h) {
  Bytes b = hex(h);
  ByteArray<N> out{};
  if (b.size() != N) throw std::runtime_error("vector field of wrong size: " + h);
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

}  // namespace sotto::test
