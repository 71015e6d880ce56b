#pragma once
// The nesting depth of a parsed nlohmann document, counted without recursion (nlohmann's
// own ==, dump and copy recurse, so a harness compares documents only below a depth it
// has measured this way).
#include <cstddef>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

inline std::size_t json_depth(const nlohmann::json& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> todo{{&root, 1}};
  while (!todo.empty()) {
    auto [v, d] = todo.back();
    todo.pop_back();
    if (!v->is_structured()) continue;
    deepest = std::max(deepest, d);
    for (const auto& child : *v) todo.emplace_back(&child, d + 1);
  }
  return deepest;
}
