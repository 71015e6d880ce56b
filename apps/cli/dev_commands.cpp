// sotto dev encrypt | decrypt: one 1:1 message as Session's storage `data` (base64),
// for the demo and for trying sotto against other Session-format implementations.

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "crypto/account_id.hpp"
#include "proto/constants.hpp"
#include "proto/dm.hpp"

namespace sotto::cli {

namespace {
// "2026-11-26 13:10:56 UTC" (the sender's clock, as the message says).
std::string format_utc(std::uint64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  char buf[32];
  if (!gmtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) return std::to_string(ms) + " ms";
  return buf;
}

// Reads an argument, or all of stdin when it is absent, without a trailing newline.
Result<std::string> arg_or_stdin(const std::optional<std::string>& arg, const std::string& what) {
  if (arg) return *arg;
  auto in = read_stdin_secret(what + " from standard input");
  if (!in) return std::move(in).error();
  std::string s(in->view());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}
}  // namespace

int cmd_dev_encrypt(const Options& opt, const PassphraseOptions& pp, const std::string& to,
                    const std::optional<std::string>& text) {
  auto recipient = crypto::AccountId::parse(to);
  if (!recipient) return fail(opt, recipient.error());
  auto body = arg_or_stdin(text, "the message text");
  if (!body) return fail(opt, body.error());
  auto keys = unlock(opt, pp);
  if (!keys) return fail(opt, keys.error());

  base::SystemClock clock;
  base::SystemRng rng;
  auto now = static_cast<std::uint64_t>(clock.now_ms());
  proto::Content content;
  content.body = *body;
  content.timestamp_ms = now;
  auto data = proto::encode_dm(*keys, *recipient, content, now, rng);
  if (!data) return fail(opt, data.error());
  if (data->size() > proto::kMaxMessageData)
    return fail(opt, "too_large", "the message is " + std::to_string(data->size()) + " bytes; a stored message may have at most 76800");
  std::string b64 = base::to_base64(*data);
  if (opt.json)
    print_json({{"data", b64}, {"from", crypto::account_id_of(*keys).hex()}, {"to", recipient->hex()}, {"timestamp", now}});
  else
    std::cout << b64 << std::endl;
  return kExitOk;
}

int cmd_dev_decrypt(const Options& opt, const PassphraseOptions& pp, const std::optional<std::string>& data) {
  auto text = arg_or_stdin(data, "the message data");
  if (!text) return fail(opt, text.error());
  auto raw = base::from_base64(*text);
  if (!raw) return fail(opt, "bad_base64", "the message data is not base64: " + raw.error().message());
  if (raw->size() > proto::kMaxMessageData)
    return fail(opt, "too_large", "the data is " + std::to_string(raw->size()) + " bytes; a stored message has at most 76800");
  auto keys = unlock(opt, pp);
  if (!keys) return fail(opt, keys.error());
  auto dm = proto::decode_dm(*keys, *raw);
  if (!dm) return fail(opt, dm.error());
  if (opt.json) {
    nlohmann::json j{{"from", dm->sender.hex()}, {"body", dm->content.body}, {"timestamp", dm->content.timestamp_ms},
                     {"envelope_timestamp", dm->envelope_timestamp_ms}};
    if (dm->content.display_name) j["display_name"] = *dm->content.display_name;
    print_json(j);
  } else {
    std::cout << "From: " << dm->sender.hex() << "\nSent: " << format_utc(dm->content.timestamp_ms) << "\n\n"
              << dm->content.body << std::endl;
  }
  return kExitOk;
}

}  // namespace sotto::cli
