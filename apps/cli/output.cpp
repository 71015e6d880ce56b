#include "cli/output.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "sotto/secret.hpp"

namespace sotto::cli {

std::string printable(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

void print_secret_json(const nlohmann::json& j) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::cout << text << std::endl;
  sotto::wipe(text);
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
    std::cerr << "sotto: " << printable(sentence) << std::endl;  // it may quote a node's answer
  }
  return kExitFailure;
}

int fail(const Options& opt, const Failure& f) { return fail(opt, f.code, f.message); }

}  // namespace sotto::cli
