// Generates tests/vectors/backup.json: test vectors for sotto's encrypted backups, written only
// from docs/wire/backup.md (with docs/wire/message-hash.md for the storage message hash and
// docs/wire/identity.md for seed16 -> S -> keys), independently of sotto's C++ code (nothing
// under src/ or tests/ other than the docs' own vectors was read). libsodium.js gives Ed25519,
// the Ed25519 -> X25519 conversion, BLAKE2b and XChaCha20-Poly1305-IETF; Node's zlib gives the
// zlib (RFC 1950) streams. Not run by the build or CI.
//
// Deterministic: fixed seeds, fixed timestamps, nonces derived from fixed labels
// (nonce = BLAKE2b-24(message = "sotto-backup-vectors/nonce/" + label), unkeyed), deterministic
// Ed25519 signatures; two runs write the same bytes. The only thing that could change with the
// Node version is the zlib output (z_hex), which is an *input* of every vector (a decoder must
// accept any zlib stream); everything after it is a function of z_hex.
//
// Run (libsodium-wrappers-sumo is resolved from the current directory, or NODE_PATH), e.g. from
// the repository root:
//   rm -rf /tmp/bkvec && cp -r ../shared/tools/session-oracle /tmp/bkvec \
//     && (cd /tmp/bkvec && npm install --no-package-lock)
//   (cd /tmp/bkvec && node "$OLDPWD/tools/vectors/backup.mjs")            # writes tests/vectors/backup.json
//   (cd /tmp/bkvec && node "$OLDPWD/tools/vectors/backup.mjs" /tmp/b.json)  # or to another file
// (or: NODE_PATH=/tmp/bkvec/node_modules node tools/vectors/backup.mjs)
// The generator self-checks every vector (decrypts, inflates, fingerprints, verifies, re-hashes
// and runs every must-fail case through a small reference opener) and exits non-zero on any
// mismatch. Readings of the spec where it is ambiguous are in the output's "notes" array.
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
const sodium = createRequire(join(process.cwd(), 'resolve-from-here.js'))('libsodium-wrappers-sumo');
await sodium.ready;

const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../../tests/vectors/backup.json');

// ---- basics ----------------------------------------------------------------------------------
const hex = (b) => Buffer.from(b).toString('hex');
const fromHex = (h) => Buffer.from(h, 'hex');
const utf8 = (s) => Buffer.from(s, 'utf8');
const cat = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? utf8(p) : Buffer.from(p))));
const b2b = (bytes, key = null, len = 32) => Buffer.from(sodium.crypto_generichash(len, bytes, key));
const b64nopad = (b) => Buffer.from(b).toString('base64').replace(/=+$/, '');
const flip = (buf, i, mask = 0x01) => { const c = Buffer.from(buf); c[i] ^= mask; return c; };
const nonce = (label) => b2b(utf8('sotto-backup-vectors/nonce/' + label), null, 24);
let failures = 0;
const check = (cond, what) => { if (!cond) { failures++; console.error('SELF-CHECK FAILED: ' + what); } };

// Canonical JSON of the spec ("UTF-8, keys sorted, no spaces"): objects with their keys sorted
// (recursively), JSON.stringify's escaping (only '"', '\\' and U+0000..U+001F are escaped:
// \b \t \n \f \r, others \u00xx in lowercase hex; everything else, including '/', U+007F and
// U+2028/U+2029, is written as raw UTF-8).
const sortKeys = (v) => Array.isArray(v) ? v.map(sortKeys)
  : (v !== null && typeof v === 'object') ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v;
const canonical = (v) => JSON.stringify(sortKeys(v));

// ---- domain strings (backup.md) ------------------------------------------------------------
const D_ENC = 'sotto-backup-v1/encryption';
const D_ID = 'sotto-backup-v1/chunk-id';
const D_CHUNK_AD = 'sotto-backup-v1/chunk';
const D_MAN_AD = 'sotto-backup-v1/manifest';
const D_MAN_SIG = 'sotto-backup-v1/manifest-sig';
const MAGIC = utf8('SBK1');
const T_MANIFEST = 0x01, T_PART = 0x02;
const PART_MAX = 65536;
const NAMESPACE = 31;

// ---- keys (identity.md, backup.md "Keys") ----------------------------------------------------
function account(seed16Hex) {
  const seed16 = fromHex(seed16Hex);
  const S = cat(seed16, Buffer.alloc(16));
  const kp = sodium.crypto_sign_seed_keypair(S);
  const xpk = sodium.crypto_sign_ed25519_pk_to_curve25519(kp.publicKey);
  return {
    seed16, S, kp,
    edPk: Buffer.from(kp.publicKey),
    kEnc: b2b(utf8(D_ENC), S),
    kId: b2b(utf8(D_ID), S),
    pub33: cat([0x05], xpk),
    id: '05' + hex(xpk),
  };
}

// ---- storage message hash (message-hash.md) -------------------------------------------------
const nsdec = (ns) => (ns === 0 ? '' : String(ns));
const storageHash = (pub33, ns, data) => b64nopad(b2b(cat(pub33, nsdec(ns), data)));

// ---- chunks, parts, manifests (backup.md) ---------------------------------------------------
const chunkId = (kId, P) => b2b(utf8(P), kId);
const chunkAd = (id) => cat(D_CHUNK_AD, id);
const aeadEnc = (m, ad, n, k) => Buffer.from(sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(m, ad, null, n, k));
const aeadDec = (c, ad, n, k) => Buffer.from(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, c, ad, n, k));
const sealChunk = (kEnc, id, Z, n) => cat(n, aeadEnc(Z, chunkAd(id), n, kEnc));
function splitParts(id, C) {
  const count = Math.max(1, Math.ceil(C.length / PART_MAX));
  const parts = [];
  for (let i = 0; i < count; i++) {
    const hdr = Buffer.alloc(4);
    hdr.writeUInt16BE(i, 0); hdr.writeUInt16BE(count, 2);
    const header = cat(MAGIC, [T_PART], id, hdr);
    parts.push({ index: i, count, header, data: cat(header, C.subarray(i * PART_MAX, (i + 1) * PART_MAX)) });
  }
  return parts;
}
function manifestBody(kEnc, M, n) { return cat(MAGIC, [T_MANIFEST], n, aeadEnc(utf8(M), utf8(D_MAN_AD), n, kEnc)); }
const manifestSig = (body, sk) => Buffer.from(sodium.crypto_sign_detached(cat(D_MAN_SIG, body), sk));

// Reference openers used by the self-checks; the error names are the ones in the vectors.
function openChunk({ kEnc, kId, id, C }) {
  if (C.length < 24 + 16) return { error: 'chunk_decrypt_failed', detail: 'short' };
  let Z, P;
  try { Z = aeadDec(C.subarray(24), chunkAd(id), C.subarray(0, 24), kEnc); } catch { return { error: 'chunk_decrypt_failed', detail: 'aead' }; }
  try { P = zlib.inflateSync(Z); } catch { return { error: 'chunk_decrypt_failed', detail: 'inflate' }; }
  if (!b2b(P, kId).equals(id)) return { error: 'chunk_decrypt_failed', detail: 'fingerprint' };
  return { plaintext: P.toString('utf8') };
}
function checkPart({ pub33, listed, data }) {
  return storageHash(pub33, NAMESPACE, data) === listed ? { ok: true } : { error: 'bad_part_hash' };
}
function parsePart(data) {
  if (data.length < 42 || !data.subarray(0, 4).equals(MAGIC) || data[4] !== T_PART) return null;
  return { id: data.subarray(5, 37), index: data.readUInt16BE(37), count: data.readUInt16BE(39), bytes: data.subarray(41) };
}
function openManifest({ edPk, kEnc, stored }, decryptOnly = false) {
  if (stored.length < 5 + 24 + 16 + 64) return { error: 'manifest_signature', detail: 'short' };
  const body = stored.subarray(0, stored.length - 64), sig = stored.subarray(stored.length - 64);
  if (!decryptOnly && !sodium.crypto_sign_verify_detached(sig, cat(D_MAN_SIG, body), edPk)) return { error: 'manifest_signature' };
  if (!body.subarray(0, 4).equals(MAGIC) || body[4] !== T_MANIFEST) return { error: 'manifest_decrypt_failed', detail: 'magic' };
  try { return { json: aeadDec(body.subarray(29), utf8(D_MAN_AD), body.subarray(5, 29), kEnc).toString('utf8') }; }
  catch { return { error: 'manifest_decrypt_failed' }; }
}

// ---- self-check of the primitives against the docs' own vectors ------------------------------
{
  const a = account('0123456789abcdef0123456789abcdef');       // identity.md vector 1
  check(hex(a.edPk) === '4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7', 'identity.md ed25519 pk');
  check(a.id === '05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72', 'identity.md session id');
  const k = fromHex('d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72');   // message-hash.md vectors 2, 3
  check(storageHash(cat([5], k), 0, utf8('hello')) === 'o4tEb+7llSKks3uTOrmHMCL+d909f/0+5N4lREpYbys', 'message-hash.md ns 0');
  check(storageHash(cat([5], k), -10, utf8('hello')) === 'TcmHYlGVb5iEfqFtbB2MSmk5crqQ6XO0TlLF6v6X4t0', 'message-hash.md ns -10');
  check(storageHash(cat([3], k), 0, utf8('hello')) === 'r1P8GWqKWKQ23gHhoAkJQTnqnU5Q0rKv11EgDHiEkPg', 'message-hash.md prefix 03');
}

// ---- 1. keys ---------------------------------------------------------------------------------
// Seeds: identity.md vector 1's Session-style seed, and mnemonic.json cases[0] and cases[1].
const SEEDS = ['0123456789abcdef0123456789abcdef', '39038c8988db02c1af44e8c847bd9713', '000102030405060708090a0b0c0d0e0f'];
const accts = SEEDS.map(account);
const [A, B, Cc] = accts;
check(B.id === '054830367d369d94605247999a375dbd0a0f65fdec5de1535612bcb6d4de452c69', 'mnemonic.json cases[0] session id');
check(Cc.id === '05ca03b8e369aeeb69fd260c2957d37b232db17a60db7a39bca9f0c0a6be135c1a', 'mnemonic.json cases[1] session id');
const keys = accts.map((a) => ({
  seed16_hex: hex(a.seed16), ed25519_seed32_hex: hex(a.S), k_enc_hex: hex(a.kEnc), k_id_hex: hex(a.kId),
  ed25519_public_hex: hex(a.edPk), account_id: a.id,
}));

// ---- 2. chunk ids: one backup of account A -------------------------------------------------
// A has two contacts (B, C) and a conversation with each; the conversation with B holds four
// messages (one 256-block), the one with C none (an empty block 0).
const T0 = 1767225600000;                                // 2026-01-01T00:00:00Z
const fakeHash = (label) => storageHash(A.pub33, 0, utf8('vector message ' + label));
const [peerLo, peerHi] = [B.id, Cc.id].sort();           // peers in ascending order
const metaObj = {
  v: 1, kind: 'meta',
  contacts: [
    { account: B.id, nickname: 'Bob \u{1F41D}', blocked: false },
    { account: Cc.id, nickname: '', blocked: true },
  ].sort((x, y) => (x.account < y.account ? -1 : 1)),
  conversations: [
    { peer: B.id, updated_ms: T0 + 4000 },
    { peer: Cc.id, updated_ms: T0 - 86400000 },
  ].sort((x, y) => (x.peer < y.peer ? -1 : 1)),
};
const msgsB = [
  { dir: 'in', body: 'Grüße, 世界! \u{1F44B}\u{1F3FD} café — ñandú, ǅ, \u{1D11E}', ts: T0 + 1000, local: T0 + 1234,
    hash: fakeHash(1), state: 'received', conf: 0, n: 0 },
  { dir: 'out', body: 'tab\there\nnew line\r\u0000nul \u0001\u001f\u007f "quoted" back\\slash / slash \u2028\u2029 \b\f end',
    ts: T0 + 2000, local: T0 + 2000, hash: fakeHash(2), state: 'sent', conf: 3, n: 5 },
  { dir: 'out', body: 'this one disappears', ts: T0 + 3000, local: T0 + 3000, hash: fakeHash(3), state: 'sent',
    conf: 5, n: 5, exp: T0 + 3000 + 86400000 },
  { dir: 'out', body: 'not delivered', ts: T0 + 4000, local: T0 + 4000, hash: '', state: 'failed', conf: 0, n: 5 },
];
const msgChunkB = { v: 1, kind: 'messages', peer: B.id, block: 0, messages: msgsB };
const msgChunkC = { v: 1, kind: 'messages', peer: Cc.id, block: 0, messages: [] };
const chunkObjs = [
  { what: 'meta chunk of account A (2 contacts, 2 conversations)', kind: 'meta', obj: metaObj },
  ...[[B.id, msgChunkB, 'messages chunk, conversation with B, block 0: 4 messages (a unicode body, a body with control characters, a disappearing message, a failed send)'],
      [Cc.id, msgChunkC, 'messages chunk, conversation with C, block 0: no messages']]
    .sort((x, y) => (x[0] < y[0] ? -1 : 1))
    .map(([, obj, what]) => ({ what, kind: 'messages', obj })),
];
check(chunkObjs[1].obj.peer === peerLo && chunkObjs[2].obj.peer === peerHi, 'peer order');
const chunk_ids = chunkObjs.map((c) => {
  const P = canonical(c.obj);
  c.P = P; c.id = chunkId(A.kId, P);
  return { what: c.what, k_id_hex: hex(A.kId), plaintext: P, plaintext_hex: hex(utf8(P)), chunk_object: c.obj, id_hex: hex(c.id) };
});
check(chunk_ids[1].plaintext.includes('\\u0000nul \\u0001\\u001f\u007f') && chunk_ids[1].plaintext.includes('\u2028'), 'escaping as documented');

// ---- 3. chunks ------------------------------------------------------------------------------
// Different zlib levels on purpose (9, 0 = stored blocks, 1): a decoder must take any stream.
const LEVELS = [9, 0, 1];
const chunks = chunkObjs.map((c, i) => {
  const Z = zlib.deflateSync(utf8(c.P), { level: LEVELS[i] });
  const n = nonce('chunk/' + i);
  const C = sealChunk(A.kEnc, c.id, Z, n);
  const parts = splitParts(c.id, C);
  c.C = C; c.Z = Z; c.parts = parts.map((p) => ({ ...p, hash: storageHash(A.pub33, NAMESPACE, p.data) }));
  const o = openChunk({ kEnc: A.kEnc, kId: A.kId, id: c.id, C });
  check(o.plaintext === c.P, `chunks[${i}] opens to its plaintext`);
  return {
    what: c.what, k_enc_hex: hex(A.kEnc), k_id_hex: hex(A.kId), id_hex: hex(c.id), plaintext: c.P,
    zlib_level_used: LEVELS[i], z_hex: hex(Z), nonce_hex: hex(n),
    ad_hex: hex(chunkAd(c.id)), c_hex: hex(C), size: C.length,
    account_pubkey_hex: hex(A.pub33), namespace: NAMESPACE,
    parts: c.parts.map((p) => ({ index: p.index, count: p.count, part_hex: hex(p.data), storage_hash: p.hash })),
  };
});

// ---- 4. parts of a 150,000-byte C (framing only: C is not a real ciphertext) -----------------
const BIG = 150000;
const bigC = Buffer.alloc(BIG);
for (let i = 0; i < BIG; i++) bigC[i] = (i * 7) % 256;
const bigId = b2b(utf8('parts vector'), B.kId);
const bigParts = splitParts(bigId, bigC).map((p) => ({ ...p, hash: storageHash(B.pub33, NAMESPACE, p.data) }));
{
  const re = Buffer.concat(bigParts.map((p) => { const q = parsePart(p.data); check(q && q.id.equals(bigId) && q.count === 3, 'big part header'); return q.bytes; }));
  check(re.equals(bigC) && bigParts.length === 3, 'big parts reassemble');
}
const parts = [{
  what: 'C[i] = (i * 7) mod 256 for i in 0..149999, split into parts of at most 65,536 bytes of C',
  c_recipe: 'C[i] = (i * 7) % 256', c_length: BIG, c_blake2b256_hex: hex(b2b(bigC)),
  id_hex: hex(bigId), id_note: 'any 32 bytes; here BLAKE2b-256(key = K_id of keys[1], message = "parts vector")',
  account_id: B.id, account_pubkey_hex: hex(B.pub33), namespace: NAMESPACE,
  parts: bigParts.map((p) => ({
    index: p.index, count: p.count, length: p.data.length, c_offset: p.index * PART_MAX,
    header_hex: hex(p.header), first16_hex: hex(p.data.subarray(0, 16)), last16_hex: hex(p.data.subarray(p.data.length - 16)),
    blake2b256_hex: hex(b2b(p.data)), storage_hash: p.hash,
  })),
}];

// ---- 5. manifests ---------------------------------------------------------------------------
const chunkEntry = (id, kind, size, hashes, storedMs) => ({ id: hex(id), kind, size, parts: hashes, stored_ms: storedMs });
const manifestSpecs = [
  { what: 'account A, seq 1: the three chunks of sections "chunks" (meta first, then peers ascending)', acct: A, label: 'manifest/0',
    M: { v: 1, account: A.id, seq: 1, created_ms: T0 + 5000, counts: { contacts: 2, conversations: 2, messages: msgsB.length },
         chunks: chunkObjs.map((c) => chunkEntry(c.id, c.kind, c.C.length, c.parts.map((p) => p.hash), T0 + 5000)) } },
  { what: 'account B (keys[1]), seq 7: one 3-part chunk, the framing-only C of section "parts" (its chunk does not decrypt; not a complete backup: no meta chunk). For manifest encryption, signature and multi-part listing only', acct: B, label: 'manifest/1',
    M: { v: 1, account: B.id, seq: 7, created_ms: T0 + 7 * 86400000, counts: { contacts: 0, conversations: 1, messages: 200 },
         chunks: [chunkEntry(bigId, 'messages', BIG, bigParts.map((p) => p.hash), T0 + 2 * 86400000)] } },
];
const builtManifests = manifestSpecs.map((m) => {
  const json = canonical(m.M);
  const n = nonce(m.label);
  const body = manifestBody(m.acct.kEnc, json, n);
  const sig = manifestSig(body, m.acct.kp.privateKey);
  const stored = cat(body, sig);
  const o = openManifest({ edPk: m.acct.edPk, kEnc: m.acct.kEnc, stored });
  check(o.json === json, m.label + ' opens');
  return { ...m, json, n, body, sig, stored };
});
const manifests = builtManifests.map((m) => ({
  what: m.what, seed16_hex: hex(m.acct.seed16), ed25519_public_hex: hex(m.acct.edPk), k_enc_hex: hex(m.acct.kEnc),
  manifest_json: m.json, nonce_hex: hex(m.n), ad: D_MAN_AD, body_hex: hex(m.body),
  signed_message_hex: hex(cat(D_MAN_SIG, m.body)), signature_hex: hex(m.sig), stored_hex: hex(m.stored),
  account_pubkey_hex: hex(m.acct.pub33), namespace: NAMESPACE, storage_hash: storageHash(m.acct.pub33, NAMESPACE, m.stored),
}));
// manifest 0's part hashes are the hashes of the parts in "chunks"
check(JSON.parse(builtManifests[0].json).chunks.every((e, i) => e.id === chunks[i].id_hex && e.size === chunks[i].size
  && e.parts.join() === chunks[i].parts.map((p) => p.storage_hash).join()), 'manifest 0 lists the chunks');

// ---- 6. must-fail ---------------------------------------------------------------------------
const c0 = chunkObjs[0], c1 = chunkObjs[1];
const chunkCase = (what, detail, { kEnc = A.kEnc, kId = A.kId, id, C }) =>
  ({ what, op: 'chunk_open', k_enc_hex: hex(kEnc), k_id_hex: hex(kId), id_hex: hex(id), c_hex: hex(C),
     expected: 'chunk_decrypt_failed', detail, _in: { kEnc, kId, id, C } });
const partCase = (what, { data, listed, pub33 = A.pub33 }) =>
  ({ what, op: 'part_check', account_pubkey_hex: hex(pub33), namespace: NAMESPACE, part_hex: hex(data), listed_storage_hash: listed,
     actual_storage_hash: storageHash(pub33, NAMESPACE, data), expected: 'bad_part_hash', _in: { pub33, listed, data } });
const manCase = (what, acct, stored, expected, expectedDecryptOnly) =>
  ({ what, op: 'manifest_open', ed25519_public_hex: hex(acct.edPk), k_enc_hex: hex(acct.kEnc), stored_hex: hex(stored), expected,
     ...(expectedDecryptOnly ? { expected_if_decrypted_without_verifying: expectedDecryptOnly } : {}), _in: { edPk: acct.edPk, kEnc: acct.kEnc, stored } });

const m0 = builtManifests[0];
// Another account's chunk: B's own chunk of the same plaintext (B's K_id, B's K_enc), listed by id.
const idB = chunkId(B.kId, c0.P);
const cUnderB = sealChunk(B.kEnc, idB, c0.Z, nonce('mustfail/other-account'));
// Same P and id as A's, but encrypted under B's K_enc.
const cUnderBwithAid = sealChunk(B.kEnc, c0.id, c0.Z, nonce('mustfail/other-account-2'));
// Decrypts, but inflates to a P whose fingerprint is not the id (the writer put the wrong id in the AD).
const cWrongFp = sealChunk(A.kEnc, c0.id, c1.Z, nonce('mustfail/fingerprint'));
// Decrypts, but the plaintext is P itself, not a zlib stream.
const cNotZlib = sealChunk(A.kEnc, c0.id, utf8(c0.P), nonce('mustfail/not-zlib'));
const tamperedPart = flip(c0.parts[0].data, 41 + 24 + 5);           // a byte of the ciphertext inside the part
// manifest encrypted under B's K_enc but signed by A
const bodyBkey = manifestBody(B.kEnc, m0.json, nonce('mustfail/manifest-other-key'));
const storedBkey = cat(bodyBkey, manifestSig(bodyBkey, A.kp.privateKey));
// manifest body with a flipped ciphertext byte, then signed again (so only the AEAD can catch it)
const bodyFlipped = flip(m0.body, 29 + 7);
const storedFlippedResigned = cat(bodyFlipped, manifestSig(bodyFlipped, A.kp.privateKey));

const mustFailRaw = [
  chunkCase("flipped byte in a part's ciphertext (byte 5 of the AEAD output, i.e. of C after its nonce), C then opened without the part-hash check",
    'aead', { id: c0.id, C: flip(c0.C, 24 + 5) }),
  chunkCase("flipped byte in C's nonce", 'aead', { id: c0.id, C: flip(c0.C, 3) }),
  chunkCase("flipped bit in the last byte of C (the Poly1305 tag)", 'aead', { id: c0.id, C: flip(c0.C, c0.C.length - 1, 0x80) }),
  chunkCase("C of chunks[0] listed under the id of chunks[1] (the id is in the AD)", 'aead', { id: c1.id, C: c0.C }),
  chunkCase("a chunk of another account (keys[1]: its K_enc, its id of the same plaintext), opened with account A's keys",
    'aead', { id: idB, C: cUnderB }),
  chunkCase("a chunk encrypted under another account's K_enc (keys[1]) with A's own id of the same plaintext, opened with A's keys",
    'aead', { id: c0.id, C: cUnderBwithAid }),
  chunkCase("decrypts (AD carries chunks[0]'s id) but inflates to chunks[1]'s plaintext: fingerprint != id",
    'fingerprint', { id: c0.id, C: cWrongFp }),
  chunkCase("decrypts but the plaintext is not a zlib stream (P stored raw)", 'inflate', { id: c0.id, C: cNotZlib }),
  partCase("flipped byte in a part's ciphertext (the part of chunks[0]; byte 41 + 24 + 5), checked against its listed storage hash",
    { data: tamperedPart, listed: c0.parts[0].hash }),
  partCase("a part whose data does not match its listed storage hash: the node returned chunks[1]'s part for chunks[0]'s hash",
    { data: c1.parts[0].data, listed: c0.parts[0].hash }),
  partCase("the right part bytes hashed for the wrong namespace/account would not match: part of chunks[0] listed with its hash under namespace 0",
    { data: c0.parts[0].data, listed: storageHash(A.pub33, 0, c0.parts[0].data) }),
  manCase("flipped byte in the manifest body (a ciphertext byte, body offset 36); the signature (over the body) fails first",
    A, cat(flip(m0.body, 29 + 7), m0.sig), 'manifest_signature', 'manifest_decrypt_failed'),
  manCase("flipped byte in the manifest's nonce (body offset 10)", A, cat(flip(m0.body, 10), m0.sig), 'manifest_signature', 'manifest_decrypt_failed'),
  manCase("flipped byte in the signature (its byte 0)", A, cat(m0.body, flip(m0.sig, 0)), 'manifest_signature'),
  manCase("flipped bit in the signature's last byte", A, cat(m0.body, flip(m0.sig, 63, 0x40)), 'manifest_signature'),
  manCase("a valid manifest of another account (keys[1]: manifests[1]), opened with account A's keys", A, builtManifests[1].stored, 'manifest_signature', 'manifest_decrypt_failed'),
  manCase("manifest signed by A but encrypted under another account's K_enc (keys[1])", A, storedBkey, 'manifest_decrypt_failed'),
  manCase("manifest body with a flipped ciphertext byte (offset 36), signed again by A: only the AEAD catches it", A, storedFlippedResigned, 'manifest_decrypt_failed'),
];
for (const [i, c] of mustFailRaw.entries()) {
  let r;
  if (c.op === 'chunk_open') r = openChunk(c._in);
  else if (c.op === 'part_check') r = checkPart(c._in);
  else r = openManifest(c._in);
  check(r.error === c.expected && (c.detail === undefined || r.detail === c.detail), `must_fail[${i}] ${c.what}: got ${JSON.stringify(r)}`);
  if (c.expected_if_decrypted_without_verifying) check(openManifest(c._in, true).error === c.expected_if_decrypted_without_verifying, `must_fail[${i}] decrypt-only`);
}
const must_fail = mustFailRaw.map(({ _in, ...c }) => c);

// ---- notes: readings of backup.md where it is ambiguous ------------------------------------
const notes = [
  'Key derivation: the BLAKE2b messages are the ASCII bytes of "sotto-backup-v1/encryption" and "sotto-backup-v1/chunk-id", without a terminating NUL; key = S (32 bytes), output 32 bytes.',
  'Canonical JSON ("UTF-8, keys sorted, no spaces"): keys sorted at every level (including inside contacts, conversations, messages and manifest chunk entries), so the key order shown in backup.md\'s examples ({"v":1,"kind":"meta",...}) is NOT the serialized order; sorted by code point (all keys are ASCII). The spec does not say how strings are escaped, yet the id is over the exact bytes: these vectors escape only \'"\', \'\\\\\' and U+0000..U+001F (as \\b \\t \\n \\f \\r, the rest as \\u00xx with lowercase hex) and write everything else as raw UTF-8, including \'/\', U+007F and U+2028/U+2029 (JSON.stringify\'s rule). Integers are plain decimal.',
  'Messages chunk field values the spec leaves open: "block" is 0-based; "ts", "local" and "exp" are Unix times in ms ("exp" the absolute expiry time, present only for a disappearing message); "conf" (confirmations) and "n" (swarm size) are integers, 0 for an incoming message; "hash" is the 43-character storage hash, "" when there is none (a failed or unsent message); "blocked" is a JSON boolean; a contact without a nickname has "nickname":"" (not null, not omitted).',
  'A conversation with no messages gets one messages chunk with block 0 and "messages":[] (chunk_ids[2]); the spec does not say whether such a chunk exists or the conversation has no messages chunk at all.',
  'Chunk AD = the ASCII bytes of "sotto-backup-v1/chunk" followed by the 32 raw bytes of id (not its hex). C = nonce (24) || ciphertext || tag (16), libsodium\'s combined crypto_aead_xchacha20poly1305_ietf_encrypt output.',
  'Part splitting: C is cut greedily from the start into 65,536-byte parts, the last one shorter (150,000 = 65,536 + 65,536 + 18,928); index is 0-based, count = number of parts; a C of exactly k*65,536 bytes gives k parts, no empty one. A single-part chunk has index 0, count 1.',
  'Storage hash of a part and of a manifest: message-hash.md with pubkey = the account\'s 33-byte 05 || X25519 key, NSDEC = "31", data = the raw stored bytes (part = header || slice of C; manifest = stored = body || signature).',
  'Manifest JSON: the spec does not say it is canonical; these vectors serialize it like a chunk (keys sorted, no spaces) and give the exact string; a reader must not depend on its key order. "size" = len(C) including its 24-byte nonce and 16-byte tag; "counts.messages" is the total over all conversations; chunks are listed meta first, then messages chunks by peer ascending and block ascending (order not specified).',
  'Manifest: the AD is the ASCII "sotto-backup-v1/manifest" only (it binds neither the account, nor seq, nor the "SBK1"||0x01 header; the signature covers those). The signature is a detached 64-byte Ed25519 signature over the ASCII "sotto-backup-v1/manifest-sig" || body, appended to body.',
  'Order of checks when opening a manifest: verify the signature first, then decrypt ("the manifests that verify and decrypt"). So a flipped byte anywhere in the body gives manifest_signature; the field expected_if_decrypted_without_verifying gives what a decrypt-only step reports.',
  'Error names: backup.md names no error codes; these vectors use bad_part_hash (a part\'s data does not hash to its listed storage hash), chunk_decrypt_failed (for any of: AEAD failure, inflate failure, fingerprint != id; the field "detail" says which), manifest_signature, manifest_decrypt_failed. "wrong_key" is not used: a chunk or manifest under another account\'s K_enc cannot be told apart from a corrupted one (the AEAD only fails), so it is chunk_decrypt_failed / manifest_decrypt_failed, and another account\'s signed manifest is manifest_signature.',
  'backup.md says a failing manifest is named by its "seq", but a manifest whose signature or decryption fails has no readable seq; an implementation can only name it by its storage hash (given here as manifests[i].storage_hash).',
  'backup.md does not bound the inflated size of a chunk (a zlib bomb inside a validly signed backup is only a self-inflicted risk, but a bound such as 16 MiB per chunk would make a restore predictable), nor the count field\'s consistency across a chunk\'s parts (header id/index/count vs the manifest\'s list), nor what happens when a part header\'s id differs from the manifest\'s id.',
  'Manifest chunk entries carry "stored_ms" (ms, when the chunk\'s parts were stored; manifests[0]: the same as created_ms, a first backup; manifests[1]: 5 days before created_ms, a reused chunk). backup.md says the parts "expire 180 days later" and are reused while stored less than 90 days ago, but on Session nodes a sotto client falls back to a 30-day TTL: there a part reused at 31..89 days is already gone. The reuse bound (or stored_ms plus the TTL actually granted, e.g. an "expiry_ms" per chunk from the store reply) must follow the TTL the nodes accepted.',
  'Nonces in these vectors are fixed (BLAKE2b-24 of a label); a real writer uses 24 random bytes as the spec says.',
];

const doc = {
  description: 'Encrypted-backup vectors (sotto extension), made from docs/wire/backup.md (with message-hash.md and identity.md) by tools/vectors/backup.mjs, using libsodium.js and Node\'s zlib, independently of sotto\'s C++ code. Bytes are lowercase hex. S = seed16 || 16 zero bytes; K_enc = BLAKE2b-256(key=S, "sotto-backup-v1/encryption"); K_id = BLAKE2b-256(key=S, "sotto-backup-v1/chunk-id"); id = BLAKE2b-256(key=K_id, P); C = nonce || XChaCha20-Poly1305-IETF(K_enc, nonce, Z = zlib(P), ad = "sotto-backup-v1/chunk" || id); part = "SBK1" || 02 || id || index u16 BE || count u16 BE || C slice (<= 65,536 bytes); body = "SBK1" || 01 || nonce || XChaCha20-Poly1305-IETF(K_enc, nonce, M, ad = "sotto-backup-v1/manifest"); stored = body || Ed25519(account key, "sotto-backup-v1/manifest-sig" || body). Storage hashes: message-hash.md, namespace 31. z_hex is an input: a decoder inflates it (any zlib stream) and need not reproduce it.',
  notes,
  keys,
  chunk_ids,
  chunks,
  parts,
  manifests,
  must_fail,
};

if (failures) { console.error(`${failures} self-check(s) failed; nothing written`); process.exit(1); }
const text = JSON.stringify(doc, null, 1) + '\n';
writeFileSync(out, text);
console.log(`wrote ${out} (${text.length} bytes); all self-checks passed`);
