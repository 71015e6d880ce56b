#include "cli/output.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "base/secret.hpp"

namespace sotto::cli {

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

void print_secret_json(const nlohmann::json& j) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::cout << text << std::endl;
  base::wipe_string(text);
}

bool output_ok() {
  std::cout.flush();
  return static_cast<bool>(std::cout);
}

int fail(const Options& opt, const std::string& code, const std::string& sentence) {
  if (opt.json) {
    nlohmann::json j{{"error", sentence}, {"code", code}};
    std::cerr << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else {
    std::cerr << "sotto: " << sentence << std::endl;
  }
  return kExitFailure;
}

int fail(const Options& opt, const Error& e) { return fail(opt, e.token(), e.message()); }

}  // namespace sotto::cli
