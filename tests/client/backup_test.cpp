// The backup format (docs/wire/backup.md), sans-IO: a state round-trips through chunks,
// encryption and parts; new messages change only the meta chunk and the last block of
// their conversation; any altered byte, another account's key or a bad stream is refused.

#include "client/backup.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>


#include "support/keys.hpp"

namespace sotto::client::backup {
namespace {

const std::string kAlice = "05" + std::string(64, 'a');
const std::string kBob = "05" + std::string(64, 'b');

StoredMessage msg(const std::string& peer, int i, bool out) {
  StoredMessage m;
  m.id = i + 1;
  m.peer = peer;
  m.direction = out ? Direction::Outgoing : Direction::Incoming;
  m.body = "message " + std::to_string(i) + (i % 7 == 0 ? " ✓ with unicode and a\nnewline" : "");
  m.timestamp_ms = 1'700'000'000'000 + i;
  m.local_ms = m.timestamp_ms + 3;
  m.hash = base::to_base64(Bytes(32, static_cast<std::uint8_t>(i)), base::Padding::No) + std::to_string(i);
  m.state = out ? DeliveryState::Sent : DeliveryState::Received;
  m.confirmations = out ? 5 : 0;
  m.swarm_size = out ? 6 : 0;
  if (i % 11 == 0) m.expires_ms = m.timestamp_ms + 60'000;
  return m;
}

State sample(int alice_msgs, int bob_msgs) {
  State s;
  s.contacts = {{kBob, "bob", false}, {kAlice, "alice", true}};
  s.conversations = {{kAlice, 10}, {kBob, 20}};
  for (int i = 0; i < alice_msgs; ++i) s.messages.push_back(msg(kAlice, i, i % 2 == 0));
  for (int i = 0; i < bob_msgs; ++i) s.messages.push_back(msg(kBob, 10'000 + i, i % 3 == 0));
  return s;
}

Keys keys_of(const std::string& seed_hex) { return derive_keys(test::keypair(seed_hex).seed()); }

TEST(Backup, AStateRoundTripsThroughSealedParts) {
  auto account = test::keypair(std::string(62, '0') + "01");
  Keys k = derive_keys(account.seed());
  base::SeededRng rng(4);
  State s = sample(600, 40);
  auto chunks = make_chunks(k, s);
  ASSERT_EQ(chunks.size(), 1u + 3u + 1u);  // meta, alice 600 = 3 blocks of 256, bob 40 = 1
  EXPECT_EQ(chunks[0].kind, "meta");
  std::vector<std::string> plaintexts;
  for (const auto& c : chunks) {
    EXPECT_EQ(c.id, chunk_id(k, c.plaintext));
    Bytes sealed = seal_chunk(k, c.id, compress(c.plaintext), rng);
    auto parts = split_parts(c.id, sealed);
    Bytes joined;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      EXPECT_LE(parts[i].size(), kPartHeaderBytes + kPartBytes);
      auto p = parse_part(parts[i]);
      ASSERT_TRUE(p) << p.error().message();
      EXPECT_EQ(p->id, c.id);
      EXPECT_EQ(p->index, i);
      EXPECT_EQ(p->count, parts.size());
      joined.insert(joined.end(), p->bytes.begin(), p->bytes.end());
    }
    EXPECT_EQ(joined, sealed);
    auto z = open_chunk(k, c.id, joined);
    ASSERT_TRUE(z);
    auto text = inflate(*z);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, c.plaintext);
    plaintexts.push_back(*text);
  }
  auto back = read_chunks(plaintexts);
  ASSERT_TRUE(back) << back.error().message();
  std::size_t kept = 0;
  for (const auto& m : s.messages) kept += !m.expires_ms;  // disappearing ones are never backed up
  ASSERT_EQ(back->messages.size(), kept);
  // Field by field (ids are local and not backed up).
  std::map<std::string, const StoredMessage*> by_hash;
  for (const auto& m : back->messages) by_hash[m.hash] = &m;
  for (const auto& m : s.messages) {
    if (m.expires_ms) {
      EXPECT_FALSE(by_hash.count(m.hash));
      continue;
    }
    ASSERT_TRUE(by_hash.count(m.hash));
    const auto& r = *by_hash[m.hash];
    EXPECT_EQ(r.peer, m.peer);
    EXPECT_EQ(r.direction, m.direction);
    EXPECT_EQ(r.body, m.body);
    EXPECT_EQ(r.timestamp_ms, m.timestamp_ms);
    EXPECT_EQ(r.local_ms, m.local_ms);
    EXPECT_EQ(r.state, m.state);
    EXPECT_EQ(r.confirmations, m.confirmations);
    EXPECT_EQ(r.swarm_size, m.swarm_size);
    EXPECT_EQ(r.expires_ms, m.expires_ms);
  }
  ASSERT_EQ(back->contacts.size(), 2u);
  EXPECT_EQ(back->contacts[0].account, kAlice);  // by account
  EXPECT_TRUE(back->contacts[0].blocked);
  EXPECT_EQ(back->conversations.size(), 2u);
}

TEST(Backup, NewMessagesChangeOnlyMetaAndTheLastBlockOfTheirConversation) {
  Keys k = keys_of(std::string(62, '0') + "02");
  State before = sample(600, 40);
  State after = before;
  for (int i = 600; i < 610; ++i) after.messages.push_back(msg(kAlice, i, false));
  after.conversations[0].updated_ms = 99;
  auto a = make_chunks(k, before), b = make_chunks(k, after);
  ASSERT_EQ(a.size(), b.size());
  std::size_t changed = 0;
  for (std::size_t i = 0; i < a.size(); ++i) changed += a[i].id != b[i].id;
  EXPECT_EQ(changed, 2u);              // meta (updated_ms) and alice's third block
  EXPECT_NE(a[0].id, b[0].id);
  EXPECT_EQ(a[1].id, b[1].id);
  EXPECT_NE(a[3].id, b[3].id);
  EXPECT_EQ(a[4].id, b[4].id);         // bob's block untouched
  // Another account fingerprints the same plaintext differently.
  EXPECT_NE(make_chunks(keys_of(std::string(62, '0') + "03"), before)[1].id, a[1].id);
}

TEST(Backup, AlteredOrForeignPiecesAreRefused) {
  auto account = test::keypair(std::string(62, '0') + "04");
  auto other = test::keypair(std::string(62, '0') + "05");
  Keys k = derive_keys(account.seed()), ko = derive_keys(other.seed());
  base::SeededRng rng(6);
  auto chunk = make_chunks(k, sample(10, 0))[1];
  Bytes sealed = seal_chunk(k, chunk.id, compress(chunk.plaintext), rng);
  for (std::size_t i = 0; i < sealed.size(); i += 7) {
    Bytes bad = sealed;
    bad[i] ^= 1;
    auto r = open_chunk(k, chunk.id, bad);
    ASSERT_FALSE(r) << i;
    EXPECT_TRUE(r.error().is(Errc::ChunkDecryptFailed));
  }
  EXPECT_FALSE(open_chunk(ko, chunk.id, sealed));  // another account's key
  ByteArray<32> other_id = chunk.id;
  other_id[0] ^= 1;
  EXPECT_FALSE(open_chunk(k, other_id, sealed));   // moved to another chunk's place
  EXPECT_FALSE(open_chunk(k, chunk.id, ByteView(sealed).first(30)));

  Bytes m = seal_manifest(k, account, R"({"v":1})", rng);
  ASSERT_TRUE(is_manifest(m));
  EXPECT_EQ(*open_manifest(k, account.ed25519_public(), m), R"({"v":1})");
  Bytes flipped_body = m;
  flipped_body[10] ^= 1;
  EXPECT_TRUE(open_manifest(k, account.ed25519_public(), flipped_body).error().is(Errc::ManifestSignature));
  Bytes flipped_sig = m;
  flipped_sig.back() ^= 1;
  EXPECT_TRUE(open_manifest(k, account.ed25519_public(), flipped_sig).error().is(Errc::ManifestSignature));
  EXPECT_TRUE(open_manifest(k, other.ed25519_public(), m).error().is(Errc::ManifestSignature));
  Bytes by_other = seal_manifest(ko, other, R"({"v":1})", rng);  // signed and sealed by someone else
  EXPECT_FALSE(open_manifest(k, account.ed25519_public(), by_other));
  EXPECT_FALSE(open_manifest(k, account.ed25519_public(), ByteView(m).first(20)));

  Bytes z = compress(chunk.plaintext);
  EXPECT_TRUE(inflate(ByteView(z).first(z.size() - 3)).error().is(Errc::BadChunk));  // truncated
  Bytes trailing = z;
  trailing.push_back(0);
  EXPECT_FALSE(inflate(trailing));
  std::string big(1 << 20, 'x');
  EXPECT_FALSE(inflate(compress(big), 1000));  // a bomb stops at the bound
  EXPECT_TRUE(inflate(compress(big)));

  EXPECT_FALSE(parse_part(Bytes{'S', 'B', 'K', '1', 2}));
  auto parts = split_parts(chunk.id, sealed);
  Bytes wrong_index = parts[0];
  wrong_index[38] = 5;  // index 5 of count 1
  EXPECT_FALSE(parse_part(wrong_index));
  EXPECT_FALSE(read_chunks({R"({"v":1,"kind":"messages","peer":"x","block":0,"messages":[]})"}));  // no meta
  EXPECT_FALSE(read_chunks({"not json"}));
}

TEST(Backup, BlocksStayBoundedAndDisappearingMessagesAreLeftOut) {
  Keys k = keys_of(std::string(62, '0') + "06");
  State s;
  s.contacts = {};
  // A stranger's 256 messages of 44 KB of control characters (6 bytes each in JSON).
  for (int i = 0; i < 256; ++i) {
    StoredMessage m = msg(kAlice, i, false);
    m.expires_ms.reset();
    m.body = std::string(44'000, '\x01');
    s.messages.push_back(m);
  }
  StoredMessage gone = msg(kBob, 1, false);
  gone.expires_ms = 5;
  gone.body = "disappearing";
  s.messages.push_back(gone);
  auto chunks = make_chunks(k, s);
  std::size_t messages = 0;
  for (const auto& c : chunks) {
    EXPECT_LT(c.plaintext.size(), kBlockBytes + 300'000) << c.kind;
    EXPECT_EQ(c.plaintext.find("disappearing"), std::string::npos);
    if (c.kind == "messages") {
      auto st = read_chunks({c.plaintext, chunks[0].plaintext});
      ASSERT_TRUE(st);
      messages += st->messages.size();
    }
  }
  EXPECT_GT(chunks.size(), 60u);    // about 4 messages a block
  EXPECT_EQ(messages, 256u);        // every one of them, none twice
}

TEST(Backup, ManifestsRoundTrip) {
  Manifest m;
  m.account = kAlice;
  m.seq = 3;
  m.created_ms = 5;
  m.messages = 7;
  m.chunks.push_back({std::string(64, 'c'), "meta", 100, {"h1", "h2"}, 4});
  auto back = parse_manifest(manifest_json(m));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->seq, 3);
  EXPECT_EQ(back->chunks[0].parts.size(), 2u);
  EXPECT_EQ(back->chunks[0].stored_ms, 4);
  EXPECT_FALSE(parse_manifest(R"({"v":1,"account":"x","seq":1,"created_ms":1,"counts":{"contacts":0,"conversations":0,"messages":0},"chunks":[{"id":"zz","kind":"meta","size":1,"parts":["a"]}]})"));
  EXPECT_FALSE(parse_manifest(R"({"v":"1"})"));              // types are checked, never thrown
  EXPECT_FALSE(parse_manifest(R"({"v":1,"account":"x","seq":1.5,"created_ms":1,"counts":{"contacts":0,"conversations":0,"messages":0},"chunks":[]})"));
  std::string neg = R"({"v":1,"account":"x","seq":1,"created_ms":1,"counts":{"contacts":0,"conversations":0,"messages":0},"chunks":[{"id":")" +
                    std::string(64, 'a') + R"(","kind":"meta","size":-1,"parts":["a"]}]})";
  EXPECT_FALSE(parse_manifest(neg));
  EXPECT_FALSE(read_chunks({R"({"v":"1","kind":"meta"})"}));
}

// Numbers of the wrong kind or out of range are a bad chunk, never a conversion (the fuzzer
// found a float in "ts" that was cast to int64, which is undefined behaviour).
TEST(Backup, ChunkNumbersAreCheckedBeforeUse) {
  const std::string meta = R"({"v":1,"kind":"meta","contacts":[],"conversations":[]})";
  auto with = [&](const std::string& field, const std::string& value) {
    std::map<std::string, std::string> f = {{"ts", "5"}, {"local", "6"}, {"conf", "1"}, {"n", "2"}};
    f[field] = value;
    std::string m = R"({"dir":"in","body":"b","hash":"h","state":"received")";
    for (const auto& [k, v] : f) m += ",\"" + k + "\":" + v;
    return R"({"v":1,"kind":"messages","peer":"p","block":0,"messages":[)" + m + "}]}";
  };
  auto good = read_chunks({meta, with("ts", "5")});
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->messages.at(0).timestamp_ms, 5);
  for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
           {"ts", "1.75556e+48"}, {"ts", "1.5"}, {"ts", "18446744073709551615"}, {"local", "-1e300"}, {"conf", "4294967296"},
           {"n", "-1"}, {"conf", "\"3\""}, {"exp", "2.5"}}) {
    auto r = read_chunks({meta, with(field, value)});
    ASSERT_FALSE(r) << field << "=" << value;
    EXPECT_TRUE(r.error().is(Errc::BadChunk)) << field << "=" << value;
  }
  EXPECT_FALSE(read_chunks({R"({"v":1,"kind":"meta","contacts":[],"conversations":[{"peer":"p","updated_ms":1e20}]})"}));
  EXPECT_FALSE(parse_manifest(R"({"v":1,"account":"x","seq":18446744073709551615,"created_ms":1,"counts":{"contacts":0,"conversations":0,"messages":0},"chunks":[]})"));
  EXPECT_FALSE(parse_manifest(R"({"v":1,"account":"x","seq":9223372036854775807,"created_ms":1,"counts":{"contacts":0,"conversations":0,"messages":0},"chunks":[]})"));
  EXPECT_FALSE(parse_manifest(R"({"v":1,"account":"x","seq":1,"created_ms":1,"counts":{"contacts":-1,"conversations":0,"messages":0},"chunks":[]})"));
  EXPECT_FALSE(parse_manifest(R"({"v":1.0,"account":"x","seq":1,"created_ms":1,"counts":{"contacts":0,"conversations":0,"messages":0},"chunks":[]})"));
  EXPECT_TRUE(parse_manifest(R"({"v":1,"account":"x","seq":1,"created_ms":1,"counts":{"contacts":0,"conversations":0,"messages":0},"chunks":[]})"));
  EXPECT_FALSE(read_chunks({R"({"v":1.0,"kind":"meta","contacts":[],"conversations":[]})"}));
}

}  // namespace
}  // namespace sotto::client::backup
