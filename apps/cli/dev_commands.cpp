// sotto dev encrypt | decrypt: one 1:1 message as Session's storage `data` (base64), for
// the demo and for trying sotto against other Session-format implementations.

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "sotto/account.hpp"
#include "sotto/dev.hpp"

namespace sotto::cli {

namespace {
// "2026-11-26 13:10:56 UTC" (the sender's clock, as the message says).
std::string format_utc(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  char buf[32];
  if (!gmtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) return std::to_string(ms) + " ms";
  return buf;
}

// An argument, or all of stdin when it is absent, without a trailing newline.
Outcome<std::string> arg_or_stdin(const std::optional<std::string>& arg, const std::string& what) {
  if (arg) return *arg;
  auto in = read_stdin_secret(what + " from standard input");
  if (!in) return in.failure();
  std::string s = in->str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}
}  // namespace

int cmd_dev_encrypt(const Options& opt, const PassphraseOptions& pp, const std::string& to, const std::optional<std::string>& text) {
  auto recipient = parse_account_id(to);  // before the passphrase: a typo costs none
  if (!recipient) return fail(opt, recipient.failure());
  auto body = arg_or_stdin(text, "the message text");
  if (!body) return fail(opt, body.failure());
  auto dir = profile_dir(opt);
  if (!dir) return fail(opt, dir.failure());
  auto pass = unlock(opt, pp);
  if (!pass) return fail(opt, pass.failure());
  auto e = dev::encrypt(*dir, *pass ? &**pass : nullptr, *recipient, *body);
  if (!e) return fail(opt, e.failure());
  if (opt.json) print_json({{"data", e->data_base64}, {"from", e->from}, {"to", e->to}, {"timestamp", e->timestamp_ms}});
  else std::cout << e->data_base64 << std::endl;
  return kExitOk;
}

int cmd_dev_decrypt(const Options& opt, const PassphraseOptions& pp, const std::optional<std::string>& data) {
  auto text = arg_or_stdin(data, "the message data");
  if (!text) return fail(opt, text.failure());
  if (auto ok = dev::check_message_data(*text); !ok) return fail(opt, ok.failure());  // before the passphrase
  auto dir = profile_dir(opt);
  if (!dir) return fail(opt, dir.failure());
  auto pass = unlock(opt, pp);
  if (!pass) return fail(opt, pass.failure());
  auto dm = dev::decrypt(*dir, *pass ? &**pass : nullptr, *text);
  if (!dm) return fail(opt, dm.failure());
  if (opt.json) {
    nlohmann::json j{{"from", dm->from}, {"body", dm->body}, {"timestamp", dm->timestamp_ms}, {"envelope_timestamp", dm->envelope_timestamp_ms}};
    if (dm->display_name) j["display_name"] = *dm->display_name;
    print_json(j);
  } else {
    std::cout << "From: " << dm->from << "\nSent: " << format_utc(dm->timestamp_ms) << "\n\n" << dm->body << std::endl;
  }
  return kExitOk;
}

}  // namespace sotto::cli
