// Generates test vectors for Session storage-server subaccount authentication and for `expire`
// with a per-message expiry array, independently of sotto's C++ code: libsodium.js for Ed25519,
// X25519 conversion and BLAKE2b. Not run by the build or CI. Everything is deterministic (fixed
// seeds, fixed timestamps; Ed25519 signatures are deterministic).
//   cd <dir with node_modules/libsodium-wrappers-sumo> && node /path/to/tools/vectors/subaccount.mjs [out.json]
// libsodium-wrappers-sumo is resolved from the current directory (or NODE_PATH), e.g. a copy of
// the session-oracle after `npm install --no-package-lock`. Default output:
// /tmp/subaccount_vectors.json.
//
// Source of the rules (session-storage-server): oxenss/common/subaccount_token.h,
// oxenss/crypto/subaccount.cpp (signed_subaccount_token::verify), oxenss/rpc/request_handler.cpp
// (verify_signature, process_client_req), oxenss/rpc/client_rpc_endpoints.{h,cpp} (load(...),
// load_subaccount), oxenss/storage/database.cpp (revoked_subaccounts), oxenss/common/namespace.h.
// Expected outcomes assume the server clock reads exactly now_ms and that the receiving node is in
// the account's swarm.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
const sodium = createRequire(join(process.cwd(), 'resolve-from-here.js'))('libsodium-wrappers-sumo');
await sodium.ready;

const out = process.argv[2] ?? '/tmp/subaccount_vectors.json';
const hex = (b) => Buffer.from(b).toString('hex');
const b64 = (b) => Buffer.from(b).toString('base64');          // standard alphabet, padded
const b64u = (b) => b64(b).replace(/=+$/, '');                  // unpadded (message hashes)
const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const sign = (msg, sk) => sodium.crypto_sign_detached(msg, sk);
const seedKp = (byte) => sodium.crypto_sign_seed_keypair(new Uint8Array(32).fill(byte));

const NOW = 1700000000000;
const F = { Read: 1, Write: 2, Delete: 4, AnyPrefix: 8 };
const flagNames = (f) => Object.entries(F).filter(([, v]) => f & v).map(([k]) => k).join('|') + (f & ~15 ? `|0x${(f & ~15).toString(16)}` : '') || 'None';

// [prefix(1)][flags(1)][reserved(2)][Ed25519 pk(32)]
const token = (prefix, flags, pk, reserved = [0, 0]) => Buffer.from([prefix, flags, ...reserved, ...pk]);

// ---- keys -----------------------------------------------------------------------------------
function account(kind, seedByte) {
  const kp = seedKp(seedByte);
  const x = sodium.crypto_sign_ed25519_pk_to_curve25519(kp.publicKey);
  const prefix = kind === '03' ? 0x03 : 0x05;
  const raw32 = kind === '03' ? kp.publicKey : x;               // what follows the prefix in `pubkey`
  return { kind, kp, prefix, raw32, seed: hex(new Uint8Array(32).fill(seedByte)), ed: hex(kp.publicKey),
           x: hex(x), id: hex([prefix]) + hex(raw32) };
}
const group = account('03', 0xa3);
const user = account('05', 0xa5);
const sub = seedKp(0x5a);          // the subaccount (member) key; its pk goes into the token
const wrong = seedKp(0xee);        // an unrelated key, used to make a bad subaccount_sig
const nodeKp = seedKp(0x11);       // a storage node, for modelled response signatures

// Message hash: b64(no pad) of BLAKE2b-256(prefix || pubkey32 || NSDEC || data); NSDEC "" for ns 0.
const msgHash = (acct, ns, data) =>
  b64u(sodium.crypto_generichash(32, bytes([acct.prefix], acct.raw32, ns === 0 ? '' : String(ns), data)));
const nsStr = (ns) => (ns === 0 ? '' : String(ns));

// ---- request builders (params exactly as a client sends them in JSON) --------------------------
// `auth` is {tok, tokSigKey, reqKey, tokEnc, omitPkEd, subSig}: tok=null means the account key signs.
function authFields(acct, a, msg) {
  const p = { pubkey: acct.id };
  if (acct.kind === '05' && !a.omitPkEd) p.pubkey_ed25519 = acct.ed;
  let reqSk = acct.kp.privateKey;
  if (a.tok) {
    p.subaccount = a.tokEnc === 'hex' ? hex(a.tok) : a.tokEnc === 'raw' ? a.tokRaw : b64(a.tok);
    if (!a.omitSubSig) p.subaccount_sig = b64(sign(a.tok, (a.tokSigKey ?? acct.kp).privateKey));
    reqSk = (a.reqKey ?? sub).privateKey;
  }
  if (a.reqKey && !a.tok) reqSk = a.reqKey.privateKey;
  p.signature = b64(sign(msg, reqSk));
  return p;
}
const mkCase = (id, method, signed, params, expect, extra = {}) =>
  ({ id, method, signed_string: signed.toString('latin1'), signed_hex: hex(signed), params, expect, ...extra });

function retrieve(id, acct, a, expect, { ns = acct.kind === '03' ? 11 : 0, ts = NOW, ...extra } = {}) {
  const m = bytes('retrieve', nsStr(ns), String(ts));
  const p = { ...authFields(acct, a, m), namespace: ns, timestamp: ts };
  return mkCase(id, 'retrieve', m, p, expect, extra);
}
function store(id, acct, a, expect, { ns = 11, data = 'hello subaccount', ts = NOW, ttl = 86400000, ...extra } = {}) {
  const m = bytes('store', nsStr(ns), String(ts));
  const d = Buffer.from(data, 'utf8');
  const p = { ...authFields(acct, a, m), namespace: ns, timestamp: ts, ttl, sig_timestamp: ts, data: b64(d) };
  return mkCase(id, 'store', m, p, expect, { expected_hash: msgHash(acct, ns, d), ...extra });
}
function deleteAll(id, acct, a, expect, { ns = 11, ts = NOW, ...extra } = {}) {
  const m = bytes('delete_all', ns === 'all' ? 'all' : nsStr(ns), String(ts));
  const p = { ...authFields(acct, a, m), namespace: ns, timestamp: ts };
  return mkCase(id, 'delete_all', m, p, expect, extra);
}
function getExpiries(id, acct, a, expect, hashes, { ts = NOW, ...extra } = {}) {
  const m = bytes('get_expiries', String(ts), ...hashes);
  const p = { ...authFields(acct, a, m), messages: hashes, timestamp: ts };
  return mkCase(id, 'get_expiries', m, p, expect, extra);
}
function expire(id, acct, a, expect, hashes, expiries, { mode = '', ...extra } = {}) {
  const m = bytes('expire', mode, ...expiries.map(String), ...hashes);
  const p = { ...authFields(acct, a, m), messages: hashes, expiry: expiries.length === 1 ? expiries[0] : expiries };
  if (mode) p[mode] = true;
  return mkCase(id, 'expire', m, p, expect, extra);
}
function revoke(id, method, acct, toks, expect, { ts = NOW, signer, list = true, withSub, ...extra } = {}) {
  const key = method === 'revoke_subaccount' ? 'revoke' : 'unrevoke';
  const m = bytes(method, String(ts), ...toks);
  const p = { pubkey: acct.id };
  if (acct.kind === '05') p.pubkey_ed25519 = acct.ed;
  if (withSub) { p.subaccount = b64(withSub); p.subaccount_sig = b64(sign(withSub, acct.kp.privateKey)); }
  p[key] = list ? toks.map(b64) : b64(toks[0]);
  p.timestamp = ts;
  p.signature = b64(sign(m, (signer ?? acct.kp).privateKey));
  return mkCase(id, method, m, p, expect, extra);
}
function revokedList(id, acct, expect, { ts = NOW, ...extra } = {}) {
  const m = bytes('revoked_subaccounts', String(ts));
  const p = { pubkey: acct.id };
  if (acct.kind === '05') p.pubkey_ed25519 = acct.ed;
  p.timestamp = ts;
  p.signature = b64(sign(m, acct.kp.privateKey));
  return mkCase(id, 'revoked_subaccounts', m, p, expect, extra);
}

const E401 = (method) => ({ status: 401, body: `${method} signature verification failed` });
const OK = 'ok';

// ---- per-account token table and cases ------------------------------------------------------
function tokensFor(acct) {
  const other = acct.prefix === 0x03 ? 0x05 : 0x03;
  const t = {
    R: token(acct.prefix, F.Read, sub.publicKey),
    W: token(acct.prefix, F.Write, sub.publicKey),
    D: token(acct.prefix, F.Delete, sub.publicKey),
    WD: token(acct.prefix, F.Write | F.Delete, sub.publicKey),
    RWD: token(acct.prefix, F.Read | F.Write | F.Delete, sub.publicKey),
    R_otherprefix: token(other, F.Read, sub.publicKey),
    R_AnyPrefix_otherprefix: token(other, F.Read | F.AnyPrefix, sub.publicKey),
    RWD_AnyPrefix: token(acct.prefix, F.Read | F.Write | F.Delete | F.AnyPrefix, sub.publicKey),
    R_reserved_ff: token(acct.prefix, F.Read, sub.publicKey, [0xff, 0xff]),
    R_unknown_flag_0x10: token(acct.prefix, F.Read | 0x10, sub.publicKey),
  };
  const table = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, {
    flags: v[1], flag_names: flagNames(v[1]), prefix: hex([v[0]]), hex: hex(v), base64: b64(v),
    subaccount_sig: b64(sign(v, acct.kp.privateKey)) }]));
  return { t, table };
}

function accountVectors(acct) {
  const { t, table } = tokensFor(acct);
  const S = (tok, more = {}) => ({ tok, ...more });
  const admin = {};
  const is03 = acct.kind === '03';
  const rNs = is03 ? 11 : 0;
  const cases = [];

  // Two real messages (stored with the account key) whose hashes the expire/get_expiries cases use.
  const stA = store(`${acct.kind}_setup_store_A`, acct, admin, OK, { data: 'message A' });
  const stB = store(`${acct.kind}_setup_store_B`, acct, admin, OK, { data: 'message B' });
  cases.push(stA, stB);

  cases.push(retrieve(`${acct.kind}_retrieve_read`, acct, S(t.R), OK, { ns: rNs }));
  cases.push(retrieve(`${acct.kind}_retrieve_read_hex_token`, acct, S(t.R, { tokEnc: 'hex' }), OK,
    { ns: rNs, note: 'subaccount may be hex (72 chars) instead of base64 (48 chars)' }));
  cases.push(store(`${acct.kind}_store_ns11_write`, acct, S(t.W), OK));
  cases.push(deleteAll(`${acct.kind}_delete_all_ns11_delete`, acct, S(t.D), OK));
  cases.push(deleteAll(`${acct.kind}_delete_all_nsall_delete`, acct, S(t.D), OK, { ns: 'all' }));
  cases.push(getExpiries(`${acct.kind}_get_expiries_read`, acct, S(t.R), OK, [stA.expected_hash, stB.expected_hash]));

  cases.push(retrieve(`${acct.kind}_retrieve_token_lacks_read`, acct, S(t.WD), E401('retrieve'), { ns: rNs }));
  cases.push(retrieve(`${acct.kind}_retrieve_subaccount_sig_wrong_key`, acct, S(t.R, { tokSigKey: wrong }), E401('retrieve'), { ns: rNs }));
  cases.push(retrieve(`${acct.kind}_retrieve_wrong_prefix_no_anyprefix`, acct, S(t.R_otherprefix), E401('retrieve'), { ns: rNs }));
  cases.push(retrieve(`${acct.kind}_retrieve_other_prefix_with_anyprefix`, acct, S(t.R_AnyPrefix_otherprefix), OK, { ns: rNs }));
  cases.push(retrieve(`${acct.kind}_retrieve_request_signed_by_account_key_not_subaccount`, acct,
    S(t.R, { reqKey: acct.kp }), E401('retrieve'), { ns: rNs, note: 'with a subaccount the request signature must be by the token\'s key' }));
  cases.push(retrieve(`${acct.kind}_retrieve_reserved_bytes_nonzero`, acct, S(t.R_reserved_ff), OK,
    { ns: rNs, note: 'the server never inspects the reserved bytes (sotto may choose to be stricter; upstream accepts)' }));
  cases.push(retrieve(`${acct.kind}_retrieve_unknown_flag_bit`, acct, S(t.R_unknown_flag_0x10), OK,
    { ns: rNs, note: 'unknown flag bits are ignored upstream' }));
  cases.push(retrieve(`${acct.kind}_retrieve_missing_subaccount_sig`, acct, S(t.R, { omitSubSig: true }),
    { status: 400, body: 'invalid request: invalid subaccount: subaccount_sig is required when using subaccount' }, { ns: rNs }));
  {
    const short = t.R.subarray(0, 33);
    cases.push(retrieve(`${acct.kind}_retrieve_bad_token_length`, acct, S(t.R, { tokEnc: 'raw', tokRaw: b64(short) }),
      { status: 400, body: 'invalid request: invalid subaccount: expected base64 or hex-encoded subaccount token' },
      { ns: rNs, note: 'subaccount is base64 of the first 33 token bytes (44 chars): neither 48-char base64 nor 72-char hex. '
        + '(Upstream quirk not exercised here: a 48-char *padded* base64 of 34 or 35 bytes passes the length/is_base64 check and is zero-filled to 36 bytes.)' }));
  }
  // store into a public outbox (-(20n+1)) implicitly deletes, so it needs Write|Delete
  cases.push(store(`${acct.kind}_store_public_outbox_write_only`, acct, S(t.W), E401('store'), { ns: -21, data: 'outbox' }));
  cases.push(store(`${acct.kind}_store_public_outbox_write_delete`, acct, S(t.WD), OK, { ns: -21, data: 'outbox' }));

  // expire with an expiry array. Request order is descending by hash so that the server's
  // ascii-sorted "updated" list (and the expiries paired with it) come back in the other order.
  const hashes = [stA.expected_hash, stB.expected_hash].sort().reverse();
  const exps = [NOW + 3600000, NOW + 7200000];
  cases.push(expire(`${acct.kind}_expire_array_account_key`, acct, admin, OK, hashes, exps));
  cases.push(expire(`${acct.kind}_expire_array_sub_write`, acct, S(t.W), OK, hashes, exps,
    { note: 'Write without Delete: accepted, server silently applies extend-only (no "unchanged" in the reply because extend was not given)' }));
  cases.push(expire(`${acct.kind}_expire_array_sub_write_extend`, acct, S(t.W), OK, hashes, exps, { mode: 'extend' }));
  cases.push(expire(`${acct.kind}_expire_array_sub_write_shorten`, acct, S(t.W),
    { status: 400, body: 'expire: shorten parameter cannot be used with this subaccount token (missing delete access)' },
    hashes, exps, { mode: 'shorten' }));
  cases.push(expire(`${acct.kind}_expire_array_sub_write_delete_shorten`, acct, S(t.WD), OK, hashes, exps, { mode: 'shorten' }));
  cases.push(expire(`${acct.kind}_expire_array_sub_read_only`, acct, S(t.R), { status: 401, body: 'expire: signature verification failed' }, hashes, exps));
  cases.push(expire(`${acct.kind}_expire_array_length_mismatch`, acct, admin,
    { status: 400, body: "invalid request: 'expiry' must be a single expiry, or the same length as 'messages'" },
    hashes, [...exps, NOW + 10800000]));
  cases.push(expire(`${acct.kind}_expire_array_expiry_in_past`, acct, admin,
    { status: 401, body: 'expire: timestamp should be >= current time' }, hashes, [NOW - 61000, NOW + 3600000],
    { note: 'every expiry must be >= now - 60 s; checked before the signature' }));

  // revocation (account key only)
  cases.push(revoke(`${acct.kind}_revoke_single_string`, 'revoke_subaccount', acct, [t.R], OK, { list: false }));
  cases.push(revoke(`${acct.kind}_revoke_list`, 'revoke_subaccount', acct, [t.R, t.W], OK));
  cases.push(revoke(`${acct.kind}_revoke_signed_by_subaccount`, 'revoke_subaccount', acct, [t.R], E401('revoke_subaccount'),
    { signer: sub, withSub: t.RWD, note: 'subaccount/subaccount_sig are not even parsed for revoke; the signature is checked against the account key only' }));
  cases.push(revoke(`${acct.kind}_unrevoke_single_string`, 'unrevoke_subaccount', acct, [t.R], OK, { list: false }));
  cases.push(revoke(`${acct.kind}_unrevoke_list`, 'unrevoke_subaccount', acct, [t.R, t.W], OK));
  cases.push(revokedList(`${acct.kind}_revoked_subaccounts`, acct, is03 ? OK : E401('revoked_subaccounts'),
    is03 ? {} : { note: 'upstream quirk: revoked_subaccounts passes no pubkey_ed25519 to verify_signature, so for 05 accounts it verifies against the X25519 bytes and always fails' }));

  // 05-specific: without pubkey_ed25519 the token signature is checked against the X25519 bytes
  if (!is03)
    cases.push(retrieve(`05_retrieve_read_without_pubkey_ed25519`, acct, S(t.R, { omitPkEd: true }), E401('retrieve'), { ns: 0 }));

  // Stateful scenario: revocation, the -(100n+11) exception, unrevocation.
  const T = (k) => NOW + k * 1000;
  const scenario = [
    stA,
    store(`${acct.kind}_scn_store_ns_minus11`, acct, admin, OK, { ns: -11, data: 'you were removed', ts: T(1) }),
    retrieve(`${acct.kind}_scn_retrieve_before_revoke`, acct, S(t.R), OK, { ns: 11, ts: T(2) }),
    revoke(`${acct.kind}_scn_revoke`, 'revoke_subaccount', acct, [t.R], OK, { ts: T(3) }),
    retrieve(`${acct.kind}_scn_retrieve_revoked`, acct, S(t.R), E401('retrieve'), { ns: 11, ts: T(4) }),
    retrieve(`${acct.kind}_scn_retrieve_revoked_ns_minus11`, acct, S(t.R), OK, { ns: -11, ts: T(5), note: '-(100n+11) namespaces skip the revocation check for retrieve only' }),
    retrieve(`${acct.kind}_scn_retrieve_revoked_ns_minus111`, acct, S(t.R), OK, { ns: -111, ts: T(6), note: '-111 = -(100*1+11): unrevocable too (empty result)' }),
    retrieve(`${acct.kind}_scn_retrieve_revoked_ns_minus12`, acct, S(t.R), E401('retrieve'),
      { ns: -12, ts: T(7), note: '-12 is not of the form -(100n+11): revoked token refused' }),
    getExpiries(`${acct.kind}_scn_get_expiries_revoked`, acct, S(t.R), E401('get_expiries'), [stA.expected_hash], { ts: T(8) }),
    retrieve(`${acct.kind}_scn_other_token_same_key_not_revoked`, acct, S(t.RWD), OK, { ns: 11, ts: T(9),
      note: 'revocation is per exact 36-byte token, not per subaccount pubkey' }),
    revokedList(`${acct.kind}_scn_revoked_list`, acct, is03 ? { status: 200, revoked_subaccounts: [b64(t.R)] } : E401('revoked_subaccounts'), { ts: T(10) }),
    revoke(`${acct.kind}_scn_unrevoke`, 'unrevoke_subaccount', acct, [t.R], { status: 200, per_member: { count: 1 } }, { ts: T(11) }),
    retrieve(`${acct.kind}_scn_retrieve_after_unrevoke`, acct, S(t.R), OK, { ns: 11, ts: T(12) }),
  ];

  // Modelled node responses (node key = 32 x 0x11) for the expire array case.
  const nodeSig = (m) => b64(sign(m, nodeKp.privateKey));
  const sorted = [...hashes].map((h, i) => [h, Math.min(exps[i], NOW + 30 * 86400000)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const respAll = bytes(acct.id, ...sorted.map(([, e]) => String(e)), ...hashes, ...sorted.map(([h]) => h));
  // extend mode where the message at hashes[0] already expires later (cur) and stays unchanged:
  const cur = NOW + 20 * 86400000;
  const upd = [[hashes[1], exps[1]]];
  const respExt = bytes(acct.id, String(exps[1]), ...hashes, hashes[1], hashes[0], String(cur));
  const revokeResp = bytes(acct.id, String(NOW), t.R, t.W);
  const models = {
    node: { seed: hex(new Uint8Array(32).fill(0x11)), ed25519: hex(nodeKp.publicKey) },
    [`${acct.kind}_expire_array_account_key`]: {
      assumption: 'both messages exist with expiries below the requested ones',
      member: { expiry: sorted.map(([, e]) => e), updated: sorted.map(([h]) => h), signature: nodeSig(respAll) },
      signed_string: respAll.toString('latin1'),
    },
    [`${acct.kind}_expire_array_sub_write_extend`]: {
      assumption: `message ${hashes[0]} already expires at ${cur} (later than requested), ${hashes[1]} expires earlier`,
      member: { expiry: upd.map(([, e]) => e), updated: upd.map(([h]) => h), unchanged: { [hashes[0]]: cur }, signature: nodeSig(respExt) },
      signed_string: respExt.toString('latin1'),
    },
    [`${acct.kind}_revoke_list`]: {
      member: { signature: nodeSig(revokeResp) },
      signed_hex: hex(revokeResp),
      note: 'PUBKEY_HEX || timestamp || token bytes...; revoke reply has no "count" in the code (header doc claims one); unrevoke adds "count"',
    },
  };

  return {
    account: { kind: acct.kind, seed: acct.seed, ed25519_pk: acct.ed, x25519_pk: acct.x, account_id: acct.id },
    subaccount: { seed: hex(new Uint8Array(32).fill(0x5a)), ed25519_pk: hex(sub.publicKey) },
    wrong_key: { seed: hex(new Uint8Array(32).fill(0xee)), ed25519_pk: hex(wrong.publicKey) },
    tokens: table,
    cases,
    scenario,
    response_models: models,
  };
}

const result = {
  note: 'generated by tools/vectors/subaccount.mjs (libsodium.js). Seeds are 32 copies of one byte. Server clock assumed = now_ms; every request targets a node of the right swarm. '
      + 'expect "ok" = HTTP 200 (signature/permission accepted); otherwise {status, body} (body is the plain-text error). '
      + 'signed_string is latin1 of signed_hex (token bytes are binary). Scenario steps run in order on one node with an empty DB.',
  now_ms: NOW,
  flags: F,
  group_03: accountVectors(group),
  user_05: accountVectors(user),
};
writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
console.error(`wrote ${out}: ${result.group_03.cases.length + result.user_05.cases.length} cases, `
  + `${result.group_03.scenario.length + result.user_05.scenario.length} scenario steps`);
