// The sotto binary as a user runs it: init, restore, whoami, dev encrypt/decrypt, and
// what it says for wrong input. Runs build/bin/sotto with no terminal attached.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto/account_id.hpp"
#include "crypto/mnemonic.hpp"
#include "proto/envelope.hpp"
#include "support/process.hpp"
#include "support/vectors.hpp"

namespace sotto {
namespace {

using nlohmann::json;
using test::run_process;

struct Cli {
  test::TempDir tmp;
  test::ProcessResult run(const std::string& profile, std::vector<std::string> args, const std::string& in = {}) {
    args.insert(args.begin(), {"--profile", tmp.sub(profile)});
    return run_process(SOTTO_CLI_BIN, args, in);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(tmp.sub(name)) << text;
    return tmp.sub(name);
  }
};

json parse_json(const std::string& s) { return json::parse(s); }

std::size_t word_count(const std::string& s) {
  std::size_t n = 0;
  bool in = false;
  for (char c : s) {
    if (c != ' ' && !in) ++n;
    in = c != ' ';
  }
  return n;
}

TEST(Cli, InitPrintsIdAndPhraseAndRefusesToOverwrite) {
  Cli cli;
  auto r = cli.run("a", {"init", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_json(r.out);
  std::string id = j["session_id"];
  EXPECT_TRUE(crypto::AccountId::parse(id));
  EXPECT_EQ(word_count(j["recovery_phrase"]), 13u);
  EXPECT_FALSE(j["encrypted"].get<bool>());
  struct stat st{};
  ASSERT_EQ(::stat(cli.tmp.sub("a/account.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto again = cli.run("a", {"init", "--json"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(again.out.empty());
  json e = parse_json(again.err);
  EXPECT_EQ(e["code"], "account_exists");
  auto who = cli.run("a", {"whoami", "--json"});
  ASSERT_EQ(who.exit_code, 0);
  EXPECT_EQ(parse_json(who.out)["session_id"], id);  // the first account is untouched

  // Human output says the same in words.
  auto human = cli.run("b", {"init"});
  ASSERT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find("Account ID: 05"), std::string::npos);
  EXPECT_NE(human.out.find("Recovery phrase"), std::string::npos);
  auto human_again = cli.run("b", {"init"});
  EXPECT_EQ(human_again.exit_code, 1);
  EXPECT_NE(human_again.err.find("already has an account"), std::string::npos);
}

TEST(Cli, RestoreFromThePhraseGivesTheSameAccount) {
  Cli cli;
  json created = parse_json(cli.run("old", {"init", "--json"}).out);
  auto r = cli.run("new", {"restore", "--json"}, created["recovery_phrase"].get<std::string>() + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_json(r.out);
  EXPECT_EQ(j["session_id"], created["session_id"]);
  EXPECT_FALSE(j.contains("recovery_phrase"));  // restore does not echo the secret back
  EXPECT_EQ(parse_json(cli.run("new", {"whoami", "--json"}).out)["session_id"], created["session_id"]);
}

TEST(Cli, RestoreAcceptsEveryPublishedPhrase) {
  Cli cli;
  auto v = test::load_vectors("mnemonic.json");
  int i = 0;
  for (const auto& c : v["cases"]) {
    auto r = cli.run("p" + std::to_string(i++), {"restore", "--json"}, c["phrase"].get<std::string>());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(parse_json(r.out)["session_id"], c["session_id"]);
  }
}

TEST(Cli, RestoreExplainsWhatIsWrongWithAPhrase) {
  Cli cli;
  auto v = test::load_vectors("mnemonic.json");
  int i = 0;
  for (const auto& c : v["invalid_cases"]) {
    std::string profile = "bad" + std::to_string(i++);
    auto r = cli.run(profile, {"restore", "--json"}, c["phrase"].get<std::string>());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(parse_json(r.err)["code"], c["error"]) << r.err;
    EXPECT_FALSE(std::filesystem::exists(cli.tmp.sub(profile + "/account.key")));  // nothing written
  }
  auto unknown = cli.run("u", {"restore"}, "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted zzzzz faxed");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("word 12 is not in the word list"), std::string::npos) << unknown.err;
  EXPECT_EQ(unknown.err.find("zzzzz"), std::string::npos);
  auto empty = cli.run("e", {"restore"}, "");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("no recovery phrase"), std::string::npos) << empty.err;
}

TEST(Cli, PassphraseProtectsTheKeyFile) {
  Cli cli;
  std::string pw = cli.write("pw", "tr0ub4dor&3\n");
  std::string wrong = cli.write("wrong", "tr0ub4dor&4\n");
  auto r = cli.run("a", {"init", "--json", "--passphrase-file", pw});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_json(r.out);
  EXPECT_TRUE(j["encrypted"].get<bool>());

  auto no_pw = cli.run("a", {"whoami", "--json"});
  EXPECT_EQ(no_pw.exit_code, 1);
  EXPECT_EQ(parse_json(no_pw.err)["code"], "passphrase_required");
  EXPECT_NE(no_pw.err.find("--passphrase-file"), std::string::npos);

  auto bad = cli.run("a", {"whoami", "--json", "--passphrase-file", wrong});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(parse_json(bad.err)["code"], "wrong_passphrase");

  auto ok = cli.run("a", {"whoami", "--json", "--passphrase-file", pw});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(parse_json(ok.out)["session_id"], j["session_id"]);

  // --ask-passphrase needs a terminal; without one it says so and writes nothing.
  auto ask = cli.run("b", {"init", "--ask-passphrase"});
  EXPECT_EQ(ask.exit_code, 1);
  EXPECT_NE(ask.err.find("terminal"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(cli.tmp.sub("b/account.key")));
  std::string empty = cli.write("empty", "");
  auto e = cli.run("c", {"init", "--passphrase-file", empty});
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_NE(e.err.find("empty"), std::string::npos);
}

TEST(Cli, MessagesEncryptForOneAccountAndDecryptWithTheRightSender) {
  Cli cli;
  json alice = parse_json(cli.run("alice", {"init", "--json"}).out);
  json bob = parse_json(cli.run("bob", {"init", "--json"}).out);
  ASSERT_TRUE(cli.run("eve", {"init", "--json"}).exit_code == 0);

  auto enc = cli.run("alice", {"dev", "encrypt", "--json", "--to", bob["session_id"], "hello bob ✓"});
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  std::string data = parse_json(enc.out)["data"];

  auto dec = cli.run("bob", {"dev", "decrypt", "--json"}, data + "\n");
  ASSERT_EQ(dec.exit_code, 0) << dec.err;
  json m = parse_json(dec.out);
  EXPECT_EQ(m["from"], alice["session_id"]);
  EXPECT_EQ(m["body"], "hello bob ✓");

  auto eve = cli.run("eve", {"dev", "decrypt", "--json", data});
  EXPECT_EQ(eve.exit_code, 1);
  EXPECT_EQ(parse_json(eve.err)["code"], "box_open_failed");

  // Flip one byte deep inside the ciphertext.
  auto raw = *base::from_base64(data);
  raw[raw.size() - 20] ^= 0x01;
  auto tampered = cli.run("bob", {"dev", "decrypt", "--json", base::to_base64(raw)});
  EXPECT_EQ(tampered.exit_code, 1);
  std::string code = parse_json(tampered.err)["code"];
  EXPECT_TRUE(code == "box_open_failed" || code == "bad_framing" || code == "unsupported_envelope") << code;

  auto junk = cli.run("bob", {"dev", "decrypt", "--json", "not base64!"});
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_EQ(parse_json(junk.err)["code"], "bad_base64");

  auto truncated = cli.run("bob", {"dev", "decrypt", "--json", base::to_base64(ByteView(raw).first(60))});
  EXPECT_EQ(truncated.exit_code, 1);
  EXPECT_EQ(parse_json(truncated.err)["code"], "bad_framing");
}

// A message produced by another Session implementation (libsodium's crypto_box_seal, in
// dm_encrypt.json) decrypts in the CLI once wrapped in Session's Envelope layers.
// dev store / dev fetch against a real sotto-node (a network of one swarm of one node).
TEST(Cli, StoresAtANodeChecksTheReceiptAndFetchesWithASignedRequest) {
  Cli cli;
  test::Daemon node(SOTTO_NODE_BIN, {"--data-dir", cli.tmp.sub("node"), "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"});
  json ready = parse_json(node.read_line(30'000));
  std::string url = "https://" + ready["listen"].get<std::string>();
  json alice = parse_json(cli.run("alice", {"init", "--json"}).out);
  json bob = parse_json(cli.run("bob", {"init", "--json"}).out);
  ASSERT_EQ(cli.run("eve", {"init", "--json"}).exit_code, 0);
  std::string data = parse_json(cli.run("alice", {"dev", "encrypt", "--json", "--to", bob["session_id"], "over the node"}).out)["data"];
  auto st = cli.run("alice", {"dev", "store", "--json", "--node", url, "--to", bob["session_id"], data});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  json receipt = parse_json(st.out);
  EXPECT_EQ(receipt["members"], 1);
  EXPECT_EQ(receipt["verified"], 1);  // the node's Ed25519 signature over the hash checks out
  auto fe = cli.run("bob", {"dev", "fetch", "--json", "--node", url});
  ASSERT_EQ(fe.exit_code, 0) << fe.err;
  json got = parse_json(fe.out)["messages"];
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["from"], alice["session_id"]);
  EXPECT_EQ(got[0]["body"], "over the node");
  EXPECT_EQ(got[0]["hash"], receipt["hash"]);
  // Eve's fetch is of her own mailbox: empty.
  EXPECT_TRUE(parse_json(cli.run("eve", {"dev", "fetch", "--json", "--node", url}).out)["messages"].empty());
  // Wrong input: a clear error, nothing stored.
  auto bad_node = cli.run("alice", {"dev", "store", "--node", "nonsense", "--to", bob["session_id"], data});
  EXPECT_NE(bad_node.exit_code, 0);
  EXPECT_NE(bad_node.err.find("HOST:PORT"), std::string::npos) << bad_node.err;
  auto bad_data = cli.run("alice", {"dev", "store", "--node", url, "--to", bob["session_id"], "%%%"});
  EXPECT_NE(bad_data.exit_code, 0);
  auto down = cli.run("alice", {"dev", "store", "--node", "https://127.0.0.1:1", "--to", bob["session_id"], data});
  EXPECT_NE(down.exit_code, 0);
  EXPECT_EQ(parse_json(cli.run("bob", {"dev", "fetch", "--json", "--node", url}).out)["messages"].size(), 1u);
  node.signal(SIGTERM);
  EXPECT_EQ(node.wait(), 0);
}

TEST(Cli, DecryptsAMessageFromAnotherImplementation) {
  Cli cli;
  auto v = test::load_vectors("dm_encrypt.json");
  const auto& c = v["decrypt_cases"][0];
  crypto::Seed16 seed(std::span<const std::uint8_t, 16>(test::hex(c["recipient_seed"]).data(), 16));
  auto restored = cli.run("r", {"restore", "--json"}, std::string(crypto::encode_phrase(seed).view()));
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  ASSERT_EQ(parse_json(restored.out)["session_id"], c["recipient_session_id"]);
  // Its plaintext is the bare "hello" (no Content protobuf): the CLI must say so.
  Bytes data = proto::wrap_envelope({1700000000000, test::hex(c["ciphertext"])});
  auto dec = cli.run("r", {"dev", "decrypt", "--json", base::to_base64(data)});
  EXPECT_EQ(dec.exit_code, 1);
  EXPECT_EQ(parse_json(dec.err)["code"], "bad_content");
}

TEST(Cli, WrongInputGetsAClearErrorAndAUsageExitCode) {
  Cli cli;
  auto none = run_process(SOTTO_CLI_BIN, {});
  EXPECT_EQ(none.exit_code, 2);
  auto unknown = run_process(SOTTO_CLI_BIN, {"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  auto missing_to = cli.run("a", {"dev", "encrypt", "hi"});
  EXPECT_EQ(missing_to.exit_code, 2);
  EXPECT_NE(missing_to.err.find("--to"), std::string::npos);

  auto no_account = cli.run("nobody", {"whoami"});
  EXPECT_EQ(no_account.exit_code, 1);
  EXPECT_NE(no_account.err.find("no account"), std::string::npos);
  EXPECT_NE(no_account.err.find("sotto init"), std::string::npos);

  ASSERT_EQ(cli.run("a", {"init", "--json"}).exit_code, 0);
  auto group = cli.run("a", {"dev", "encrypt", "--json", "--to",
                             "03c50cb3ae956947a8de19135b5be2685ff348afc63fc34a837aca12bc5c1f5625", "hi"});
  EXPECT_EQ(group.exit_code, 1);
  EXPECT_EQ(parse_json(group.err)["code"], "wrong_prefix");
  auto shortid = cli.run("a", {"dev", "encrypt", "--to", "05abc", "hi"});
  EXPECT_EQ(shortid.exit_code, 1);
  EXPECT_NE(shortid.err.find("66 hex characters"), std::string::npos) << shortid.err;
}

// Contacts, history and send's mistakes, without a network: each a sentence on stderr, a
// stable code with --json, exit 1; nothing is sent or stored for a mistake.
TEST(Cli, ContactsAndMessagingMistakesGetASentence) {
  Cli cli;
  const std::string bob = "05" + std::string(64, 'b');
  auto no_account = cli.run("nobody", {"history", "bob"});
  EXPECT_EQ(no_account.exit_code, 1);
  EXPECT_NE(no_account.err.find("sotto init"), std::string::npos) << no_account.err;

  ASSERT_EQ(cli.run("a", {"init", "--json"}).exit_code, 0);
  auto added = cli.run("a", {"--json", "contacts", "add", bob, "bob"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(parse_json(added.out)["nickname"], "bob");
  auto clash = cli.run("a", {"--json", "contacts", "add", "05" + std::string(64, 'c'), "bob"});
  EXPECT_EQ(clash.exit_code, 1);
  EXPECT_EQ(parse_json(clash.err)["code"], "already_used");
  auto bad_nick = cli.run("a", {"contacts", "add", "05" + std::string(64, 'c'), "05ab"});
  EXPECT_EQ(bad_nick.exit_code, 1);
  auto listed = cli.run("a", {"--json", "contacts", "list"});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_EQ(parse_json(listed.out)["account"], bob);

  auto unknown = cli.run("a", {"--json", "send", "carol", "hi"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(parse_json(unknown.err)["code"], "unknown_contact");
  EXPECT_NE(parse_json(unknown.err)["error"].get<std::string>().find("sotto contacts add"), std::string::npos);
  auto malformed = cli.run("a", {"--json", "send", "05abcdef", "hi"});
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_EQ(parse_json(malformed.err)["code"], "bad_account_id");
  auto no_network = cli.run("a", {"send", "bob", "hi"});
  EXPECT_EQ(no_network.exit_code, 1);
  EXPECT_NE(no_network.err.find("--network"), std::string::npos) << no_network.err;
  auto empty = cli.run("a", {"send", "bob", ""});
  EXPECT_EQ(empty.exit_code, 1);
  auto bad_disappear = cli.run("a", {"send", "bob", "hi", "--disappear", "0"});
  EXPECT_EQ(bad_disappear.exit_code, 2);

  // Nothing went out, so nothing is in the history.
  auto h = cli.run("a", {"history", "bob"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("no messages with bob"), std::string::npos) << h.out;
  ASSERT_EQ(cli.run("a", {"contacts", "block", "bob"}).exit_code, 0);
  auto blocked = cli.run("a", {"--json", "contacts", "list"});
  EXPECT_EQ(parse_json(blocked.out)["blocked"], true);
  auto removed = cli.run("a", {"contacts", "remove", "bob"});
  EXPECT_EQ(removed.exit_code, 0);
  auto gone = cli.run("a", {"--json", "history", "bob"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(parse_json(gone.err)["code"], "unknown_contact");
}

TEST(Cli, RecoveryPhraseShowsThePhraseAgain) {
  Cli cli;
  std::string pw = cli.write("pw", "pass phrase\n");
  json j = parse_json(cli.run("a", {"init", "--json", "--passphrase-file", pw}).out);
  auto r = cli.run("a", {"recovery-phrase", "--json", "--passphrase-file", pw});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json(r.out)["recovery_phrase"], j["recovery_phrase"]);
  auto human = cli.run("a", {"recovery-phrase", "--passphrase-file", pw});
  EXPECT_EQ(human.out, j["recovery_phrase"].get<std::string>() + "\n");
  auto locked = cli.run("a", {"recovery-phrase", "--json"});
  EXPECT_EQ(locked.exit_code, 1);
  EXPECT_TRUE(locked.out.empty());
}

// If the phrase cannot reach the user (a full disk), init must not claim success.
TEST(Cli, InitFailsLoudlyWhenItsOutputIsLost) {
  Cli cli;
  std::string cmd = std::string(SOTTO_CLI_BIN) + " --profile " + cli.tmp.sub("a") + " init > /dev/full";
  auto r = run_process("/bin/sh", {"-c", cmd});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("sotto recovery-phrase"), std::string::npos) << r.err;
  // The account exists and its phrase can still be had.
  auto again = cli.run("a", {"recovery-phrase"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(word_count(again.out.substr(0, again.out.size() - 1)), 13u);
}

TEST(Cli, WhoamiWithoutATerminalPrintsOnlyTheId) {
  Cli cli;
  json j = parse_json(cli.run("a", {"init", "--json"}).out);
  auto r = cli.run("a", {"whoami"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, j["session_id"].get<std::string>() + "\n");  // no QR code into a pipe
}

}  // namespace
}  // namespace sotto
