// Generates tests/directory/consensus_vectors.json: test vectors for sotto's directory votes and
// consensus (method 1), written only from docs/wire/directory.md (sections "Common rules",
// "network.json", "Node descriptor", "Vote", "Consensus (method 1)", "Fetching and validity")
// and docs/wire/swarm-space.md, independently of sotto's C++ code (none of src/ or tests/ was
// read). libsodium.js gives Ed25519, the Ed25519 -> X25519 conversion and BLAKE2b-256; all u64
// arithmetic is BigInt. Not run by the build or CI. Deterministic: fixed seeds, fixed clocks,
// deterministic Ed25519 signatures, so two runs write the same bytes.
//
// Contents:
//   rng       next()/uniform(n) of the swarm RNG for two seeds, with the counter after each call
//   gap_ids   the new-swarm-id rule (largest gap, ties to the lowest start, wrap-around)
//   consensus scenarios: network.json, signed votes, the expected consensus document, its
//             canonical JSON, digest and the authorities' detached signatures (or a refusal)
//   validity  accept/reject cases for a fetched consensus (built from scenario small_genesis)
//   bad_votes votes that must be refused whole, with the reason
//
// Run (libsodium-wrappers-sumo is resolved from the current directory, or NODE_PATH), e.g.:
//   cp -r shared/tools/session-oracle /tmp/consvec && cd /tmp/consvec && npm install --no-package-lock
//   cd /tmp/consvec && node /path/to/tools/vectors/consensus.mjs [out.json]
// Default output: tests/directory/consensus_vectors.json next to this script's repository.
//
// Readings of the spec where it is ambiguous are listed in the output's "readings" array; each
// one is the most literal reading, and any change to the spec should be reflected here.
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const sodium = createRequire(join(process.cwd(), 'resolve-from-here.js'))('libsodium-wrappers-sumo');
await sodium.ready;

const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../../tests/directory/consensus_vectors.json');

// ---- basics ----------------------------------------------------------------------------------
const U64 = 1n << 64n;
const U63 = 1n << 63n;
const UNASSIGNED = U64 - 1n;
const hex = (b) => Buffer.from(b).toString('hex');
const fromHex = (h) => Buffer.from(h, 'hex');
const b2b = (bytes) => sodium.crypto_generichash(32, bytes);
const u64be = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return b; };
const hex16 = (v) => v.toString(16).padStart(16, '0');
const seedKp = (byte) => sodium.crypto_sign_seed_keypair(new Uint8Array(32).fill(byte));

// Canonical JSON: keys sorted bytewise at every level, arrays keep their order, no whitespace.
// Only integers and ASCII strings appear in these documents.
function canonicalize(v) {
  if (Array.isArray(v)) return v.map(canonicalize);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return Object.fromEntries(keys.map((k) => [k, canonicalize(v[k])]));
  }
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`non-integer number ${v}`);
  if (typeof v === 'string' && !/^[\x20-\x7e]*$/.test(v)) throw new Error(`non-ASCII string ${v}`);
  return v;
}
const canonical = (o) => JSON.stringify(canonicalize(o));
const signedBytes = (domain, o) => Buffer.concat([Buffer.from(domain), Buffer.from([0]), Buffer.from(canonical(o))]);
const digestOf = (domain, o) => hex(b2b(signedBytes(domain, o)));
const DOM = { descriptor: 'sotto-descriptor-v1', vote: 'sotto-vote-v1', consensus: 'sotto-consensus-v1' };
const sign = (domain, o, kp) => hex(sodium.crypto_sign_detached(signedBytes(domain, o), kp.privateKey));
const verify = (domain, o, sigHex, pkHex) => {
  if (!/^[0-9a-f]{128}$/.test(sigHex) || !/^[0-9a-f]{64}$/.test(pkHex)) return false;
  try { return sodium.crypto_sign_verify_detached(fromHex(sigHex), signedBytes(domain, o), fromHex(pkHex)); } catch { return false; }
};
const cmpHex = (a, b) => (a < b ? -1 : a > b ? 1 : 0);   // lowercase hex: string order = byte order
const majority = (n) => Math.floor(n / 2) + 1;

// ---- the swarm RNG (Consensus step 3, "Randomness") -------------------------------------------
function makeRng(seed) {
  let i = 0n;
  return {
    get counter() { return i; },
    next() {
      const h = b2b(Buffer.concat([Buffer.from(seed), u64be(i)]));
      i += 1n;
      return Buffer.from(h).readBigUInt64BE(0);
    },
    uniform(n) {
      n = BigInt(n);
      if (n < 1n) throw new Error('uniform(0)');
      const rem = U64 % n;
      for (;;) {
        const r = this.next();
        if (rem === 0n || r < U64 - rem) return r % n;
      }
    },
  };
}

// ---- new swarm id (Consensus step 3, "Split") -------------------------------------------------
// Returns the new id, or null when the largest gap is < 2 (stop splitting).
function newSwarmId(idsIn) {
  const ids = [...idsIn].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (ids.length === 0) return U63;
  let best = null;                               // {start, gap}; candidates visited by ascending start
  for (let j = 0; j + 1 < ids.length; j++) {
    const gap = ids[j + 1] - ids[j];
    if (best === null || gap > best.gap) best = { start: ids[j], gap };
  }
  const wrap = ids[0] + U64 - ids[ids.length - 1]; // with one id: 2^64; its start is the highest id
  if (best === null || wrap > best.gap) best = { start: ids[ids.length - 1], gap: wrap };
  if (best.gap < 2n) return null;
  return (best.start + best.gap / 2n) % U64;
}

// ---- keys and documents -----------------------------------------------------------------------
const NODE = new Map();
function nodeKeys(n) {                           // node n: Ed25519 seed = 32 bytes of n (1..120)
  if (!NODE.has(n)) {
    const kp = seedKp(n);
    NODE.set(n, { n, kp, ed: hex(kp.publicKey), x: hex(sodium.crypto_sign_ed25519_pk_to_curve25519(kp.publicKey)) });
  }
  return NODE.get(n);
}
const ipOf = (n) => `10.0.${n % 7}.${n}`;         // /24 = 10.0.(n mod 7): ~1/7 of nodes share one
const slash24 = (ip) => ip.split('.').slice(0, 3).join('.');
const AUTH_SEEDS = [0xa1, 0xa2, 0xa3];
const AUTH = AUTH_SEEDS.map((s) => { const kp = seedKp(s); return { seed: s, kp, ed: hex(kp.publicKey) }; });
const OUTSIDER = (() => { const kp = seedKp(0xa4); return { seed: 0xa4, kp, ed: hex(kp.publicKey) }; })();
const GENESIS = 1795700000;
const EPOCH_S = 60;
const NETWORK_ID = 'sotto-vectors';

function network(min, ideal, max) {
  return canonicalize({
    network_id: NETWORK_ID, genesis: GENESIS, epoch_seconds: EPOCH_S,
    swarm: { min, ideal, max }, tolerance_seconds: 259200,
    authorities: AUTH.map((a, i) => ({ ed25519: a.ed, url: `https://127.0.0.1:2300${i + 1}` })),
    seed_nodes: [],
  });
}
const validAfter = (net, epoch) => net.genesis + epoch * net.epoch_seconds;
// Descriptors of epoch E are published 30 s before valid_after (a fixed choice).
const publishedFor = (net, epoch) => (validAfter(net, epoch) - 30) * 1000;

function descriptor(n, { published, port = 22021, software = '0.1.0', ip = ipOf(n), networkId = NETWORK_ID } = {}) {
  const k = nodeKeys(n);
  const d = { type: 'descriptor', network_id: networkId, ed25519: k.ed, x25519: k.x, ip, port_https: port, software, published };
  return canonicalize({ descriptor: d, signature: sign(DOM.descriptor, d, k.kp) });
}

function makeVote(auth, net, epoch, prevDigest, descs, { methods = [1], networkId = net.network_id, sort = true, authorityKey = auth.ed, signer = auth.kp } = {}) {
  const nodes = sort ? [...descs].sort((a, b) => cmpHex(a.descriptor.ed25519, b.descriptor.ed25519)) : descs;
  const v = { type: 'vote', network_id: networkId, epoch, authority: authorityKey, methods, prev_digest: prevDigest, nodes };
  return canonicalize({ vote: v, signature: sign(DOM.vote, v, signer) });
}

// ---- vote validation ("Vote") -----------------------------------------------------------------
function checkDescriptor(sd) {
  const d = sd.descriptor;
  if (!d || typeof d !== 'object' || !/^[0-9a-f]{64}$/.test(d.ed25519 ?? '')) return 'malformed';
  return verify(DOM.descriptor, d, sd.signature, d.ed25519) ? null : 'bad_descriptor_signature';
}
function checkVote(net, epoch, sv) {
  const v = sv.vote;
  if (!v || v.type !== 'vote' || !Array.isArray(v.nodes) || !Array.isArray(v.methods)) return 'malformed';
  if (v.network_id !== net.network_id) return 'wrong_network';
  if (v.epoch !== epoch) return 'wrong_epoch';
  if (!net.authorities.some((a) => a.ed25519 === v.authority)) return 'not_authority';
  if (!verify(DOM.vote, v, sv.signature, v.authority)) return 'bad_signature';
  for (let i = 1; i < v.nodes.length; i++) {
    const c = cmpHex(v.nodes[i - 1].descriptor.ed25519, v.nodes[i].descriptor.ed25519);
    if (c === 0) return 'duplicate_node';
    if (c > 0) return 'unsorted';
  }
  for (const sd of v.nodes) { const e = checkDescriptor(sd); if (e) return e; }
  return null;
}

// ---- the consensus (method 1) -----------------------------------------------------------------
// votes: valid signed votes for `epoch`, at most one per authority. prev: {doc, digest} or null.
// Returns {doc} or {refused: reason}; trace lists what the swarm steps did, for debugging.
function computeConsensus(net, epoch, votes, prev) {
  const N = net.authorities.length, maj = majority(N), held = votes.length;
  if (held < maj) return { refused: 'no_majority' };
  // 1. Method.
  const methods = [...new Set(votes.flatMap((sv) => sv.vote.methods))].sort((a, b) => b - a);
  const method = methods.find((m) => 3 * votes.filter((sv) => sv.vote.methods.includes(m)).length > 2 * held);
  if (method === undefined) return { refused: 'no_method' };
  if (method !== 1) return { refused: 'unknown_method' };
  // 2. Nodes.
  const byKey = new Map();
  for (const sv of votes) for (const sd of sv.vote.nodes) {
    const d = sd.descriptor;
    if (!byKey.has(d.ed25519)) byKey.set(d.ed25519, []);
    byKey.get(d.ed25519).push(d);
  }
  const included = [];
  for (const [key, ds] of byKey) {
    if (ds.length < maj) continue;
    const tuples = new Map();                    // tuple -> {count, d, digest}
    for (const d of ds) {
      const t = JSON.stringify([d.ip, d.port_https, d.software, d.published]);
      if (!tuples.has(t)) tuples.set(t, { count: 0, d, digest: digestOf(DOM.descriptor, d) });
      tuples.get(t).count++;
    }
    const best = [...tuples.values()].sort((a, b) => b.count - a.count || b.d.published - a.d.published || cmpHex(a.digest, b.digest))[0];
    included.push(best.d);
  }
  if (included.length === 0) return { refused: 'zero_nodes' };
  included.sort((a, b) => cmpHex(a.ed25519, b.ed25519));
  const info = new Map(included.map((d) => [d.ed25519, d]));
  // 3. Swarms.
  const { min, ideal, max } = net.swarm;
  const seed = prev ? fromHex(prev.digest) : Buffer.alloc(32);
  const rng = makeRng(seed);
  const trace = [];
  const swarms = new Map();                      // id (BigInt) -> sorted member keys
  let pool = [];                                 // sorted keys
  const sortKeys = (a) => a.sort(cmpHex);
  const ids = () => [...swarms.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sizesAsc = () => [...swarms.values()].map((m) => m.length).sort((a, b) => a - b);
  const smallest = () => ids().reduce((best, id) => (best === null || swarms.get(id).length < swarms.get(best).length ? id : best), null);
  const largest = (skip) => ids().filter((id) => id !== skip).reduce((best, id) => (best === null || swarms.get(id).length > swarms.get(best).length ? id : best), null);
  const excess = () => [...swarms.values()].reduce((s, m) => s + Math.max(0, m.length - min), 0) + pool.length;
  // Start.
  const prevAssign = new Map();
  if (prev) for (const n of prev.doc.nodes) { const id = BigInt('0x' + n.swarm_id); if (id !== UNASSIGNED) prevAssign.set(n.ed25519, id); }
  for (const d of included) {
    const id = prevAssign.get(d.ed25519);
    if (id === undefined) { pool.push(d.ed25519); continue; }
    if (!swarms.has(id)) swarms.set(id, []);
    swarms.get(id).push(d.ed25519);
  }
  trace.push(`start: ${swarms.size} swarms from P, pool ${pool.length}`);
  // Dissolve.
  for (const id of ids()) {
    if (swarms.get(id).length < min) {
      trace.push(`dissolve ${hex16(id)} (${swarms.get(id).length} members)`);
      pool.push(...swarms.get(id)); swarms.delete(id);
    }
  }
  sortKeys(pool);
  // Place.
  const place = (label) => {
    const rest = [];
    for (const key of pool) {
      const open = ids().filter((id) => swarms.get(id).length < max);
      if (open.length === 0) { rest.push(key); continue; }
      const sizes = sizesAsc(), k = sizes.length, p25 = sizes[Math.floor((k - 1) / 4)];
      const net24 = slash24(info.get(key).ip);
      const cands = open.filter((id) => swarms.get(id).length <= p25 && !swarms.get(id).some((m) => slash24(info.get(m).ip) === net24));
      let to;
      if (cands.length > 0) to = cands[Number(rng.uniform(cands.length))];
      else to = open.reduce((b, id) => (b === null || swarms.get(id).length < swarms.get(b).length ? id : b), null);
      swarms.get(to).push(key); sortKeys(swarms.get(to));
      trace.push(`${label} ${key.slice(0, 8)} -> ${hex16(to)} (${cands.length} candidates, rng ${rng.counter})`);
    }
    pool = rest;
  };
  place('place');
  // Split.
  for (;;) {
    const k = swarms.size;
    if (excess() < ideal + 2 * k) break;
    const id = newSwarmId(ids());
    if (id === null) { trace.push('split: gap < 2, stop'); break; }
    const s = []; swarms.set(id, s);
    while (s.length < ideal) {
      if (pool.length > 0) { s.push(pool.shift()); continue; }
      const big = largest(id);                   // reading: the new swarm itself is not a donor
      if (big === null || swarms.get(big).length <= min) break;
      const lit = largest(null);
      if (lit === id && s.length > min) trace.push('NOTE: the new swarm is the largest (literal reading would differ)');
      const members = swarms.get(big);
      const j = Number(rng.uniform(members.length));
      const [key] = members.splice(j, 1);
      s.push(key);
      trace.push(`split-take ${key.slice(0, 8)} from ${hex16(big)} (rng ${rng.counter})`);
    }
    sortKeys(s);
    trace.push(`split: new swarm ${hex16(id)} with ${s.length} members, pool ${pool.length}`);
  }
  // Seed swarm.
  if (swarms.size === 0 && pool.length > 0) {
    swarms.set(U63, pool.slice(0, max));
    pool = pool.slice(max);
    trace.push(`seed swarm ${hex16(U63)} with ${swarms.get(U63).length} members`);
  }
  // Place again.
  place('place2');
  // Balance.
  for (;;) {
    const sizes = sizesAsc(), k = sizes.length;
    if (k === 0) break;
    const low = smallest(), high = largest(null), p75 = sizes[Math.floor((3 * (k - 1)) / 4)];
    const ls = swarms.get(low).length, hs = swarms.get(high).length;
    if (!(ls < min && hs > p75 && hs > min)) break;
    const j = Number(rng.uniform(hs));
    const [key] = swarms.get(high).splice(j, 1);
    swarms.get(low).push(key); sortKeys(swarms.get(low));
    trace.push(`balance ${key.slice(0, 8)} ${hex16(high)} -> ${hex16(low)} (rng ${rng.counter})`);
  }
  trace.push(`done: rng counter ${rng.counter}, unassigned ${pool.length}`);
  // 4. Document.
  const swarmOf = new Map();
  for (const [id, m] of swarms) for (const key of m) swarmOf.set(key, id);
  const va = validAfter(net, epoch);
  const doc = canonicalize({
    type: 'consensus', network_id: net.network_id, epoch, method: 1,
    valid_after: va, fresh_until: va + net.epoch_seconds, valid_until: va + 3 * net.epoch_seconds,
    prev_epoch: prev ? prev.doc.epoch : -1, prev_digest: prev ? prev.digest : '',
    params: { swarm_min: min, swarm_ideal: ideal, swarm_max: max },
    votes: votes.map((sv) => digestOf(DOM.vote, sv.vote)).sort(cmpHex),
    nodes: included.map((d) => ({ ed25519: d.ed25519, x25519: d.x25519, ip: d.ip, port_https: d.port_https, software: d.software,
                                  swarm_id: hex16(swarmOf.has(d.ed25519) ? swarmOf.get(d.ed25519) : UNASSIGNED) })),
  });
  const summary = {
    swarms: ids().map((id) => ({ swarm_id: hex16(id), size: swarms.get(id).length })),
    unassigned: pool.length, rng_counter_end: rng.counter.toString(),
  };
  return { doc, trace, summary };
}

const sigObj = (doc, auth) => canonicalize({ epoch: doc.epoch, digest: digestOf(DOM.consensus, doc), authority: auth.ed, signature: sign(DOM.consensus, doc, auth.kp) });

// ---- consensus validity ("Fetching and validity") ---------------------------------------------
// held: epoch held or null; now: unix seconds. Checks in this order; each vector has one fault.
function checkConsensus(net, doc, sigs, held, now) {
  if (doc.network_id !== net.network_id) return 'wrong_network';
  const dg = digestOf(DOM.consensus, doc);
  const good = new Set();
  let bad = 0;
  for (const s of sigs) {
    if (!net.authorities.some((a) => a.ed25519 === s.authority)) continue;         // unknown signer: ignored
    if (s.digest === dg && s.epoch === doc.epoch && verify(DOM.consensus, doc, s.signature, s.authority)) good.add(s.authority);
    else bad++;
  }
  if (good.size < majority(net.authorities.length)) return bad > 0 ? 'forged' : 'under_signed';
  if (held !== null && doc.epoch <= held) return 'replayed';
  if (now > doc.valid_until + net.tolerance_seconds) return 'stale';
  if (now < doc.valid_after - net.epoch_seconds - 60) return 'early';
  return 'ok';
}

// ---- scenarios --------------------------------------------------------------------------------
const results = new Map();                       // name -> {doc, digest}
const scenarios = [];

function scenario(name, { net, epoch, chainOn = null, votes, description, extra = {} }) {
  const prev = chainOn ? results.get(chainOn) : null;
  for (const sv of votes) { const e = checkVote(net, epoch, sv); if (e) throw new Error(`${name}: own vote invalid: ${e}`); }
  const r = computeConsensus(net, epoch, votes, prev);
  const rec = {
    name, description, chain_on: chainOn, network: net,
    authority_seeds: AUTH.map((a) => hex(new Uint8Array(32).fill(a.seed))),
    epoch, prev_consensus_digest: prev ? prev.digest : '',
    votes, vote_digests: votes.map((sv) => digestOf(DOM.vote, sv.vote)),
    ...extra,
  };
  if (r.refused) {
    rec.expected = { consensus: null, refused: r.refused };
  } else {
    const digest = digestOf(DOM.consensus, r.doc);
    results.set(name, { doc: r.doc, digest });
    rec.expected = { consensus: r.doc, canonical: canonical(r.doc), digest, signatures: AUTH.map((a) => sigObj(r.doc, a)) };
    rec.summary = r.summary;
    rec.trace = r.trace;
  }
  scenarios.push(rec);
  return r;
}
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// a. small_genesis
const netSmall = network(2, 3, 4);
{
  const P0 = publishedFor(netSmall, 0);
  const common = [1, 2, 3, 4, 5, 6, 7, 8];
  const perVote = [
    // A1
    [...common.map((n) => descriptor(n, { published: P0 })),
     descriptor(9, { published: P0, port: 22021 }), descriptor(10, { published: P0 }), descriptor(12, { published: P0, port: 22021 })],
    // A2
    [...common.map((n) => descriptor(n, { published: P0 })),
     descriptor(9, { published: P0, port: 22024 }), descriptor(10, { published: P0 }), descriptor(12, { published: P0 + 5000, port: 22022 })],
    // A3
    [...common.map((n) => descriptor(n, { published: P0 })),
     descriptor(9, { published: P0, port: 22025 }), descriptor(10, { published: P0 + 10000, port: 22023 }), descriptor(11, { published: P0 })],
  ];
  scenario('small_genesis', {
    net: netSmall, epoch: 0,
    votes: perVote.map((ds, i) => makeVote(AUTH[i], netSmall, 0, '', ds)),
    description: 'swarm 2/3/4, 12 nodes, genesis, 3 votes. Node 11 is only in A3 (excluded). Node 12 is in A1 (published P0, port 22021) and A2 '
      + '(P0+5000, port 22022): count tie, newest published wins (22022). Node 10: A1 and A2 list (P0, 22021), A3 (P0+10000, 22023): the most listed '
      + 'tuple wins (22021). Node 9: three tuples with the same published (ports 22021/22024/22025): lowest descriptor digest wins.',
    extra: { node_numbers: range(1, 12), descriptor_digests_node9: perVote.map((ds) => ds.find((sd) => sd.descriptor.ed25519 === nodeKeys(9).ed)).map((sd) => ({ port_https: sd.descriptor.port_https, digest: digestOf(DOM.descriptor, sd.descriptor) })) },
  });
}
// b. small_next
{
  const prev = results.get('small_genesis');
  const P1 = publishedFor(netSmall, 1);
  const nodes = [1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15];     // removed 3 and 7, added 13, 14, 15
  const v1 = makeVote(AUTH[0], netSmall, 1, prev.digest, [...nodes, 11].map((n) => descriptor(n, { published: P1 })));
  const v2 = makeVote(AUTH[1], netSmall, 1, prev.digest, nodes.map((n) => descriptor(n, { published: P1 })));
  scenario('small_next', {
    net: netSmall, epoch: 1, chainOn: 'small_genesis', votes: [v1, v2],
    description: 'chains on small_genesis: epoch 1, votes from A1 and A2 only (2 = majority(3)); nodes 3 and 7 removed, 13, 14, 15 added; node 11 only in A1 (excluded).',
    extra: { node_numbers: nodes, removed: [3, 7], added: [13, 14, 15] },
  });
}
// c. tiny
const netSim = network(5, 7, 10);
{
  const votes = AUTH.map((a) => makeVote(a, netSim, 0, '', [1, 2, 3].map((n) => descriptor(n, { published: publishedFor(netSim, 0) }))));
  scenario('tiny', { net: netSim, epoch: 0, votes, description: 'swarm 5/7/10, 3 nodes at genesis: no split (excess 3 < 7), the seed swarm 2^63 takes all 3.', extra: { node_numbers: [1, 2, 3] } });
}
// d. sim_60 / sim_90 / sim_70
const simVotes = (epoch, nodes, prevDigest) => AUTH.map((a) => makeVote(a, netSim, epoch, prevDigest, nodes.map((n) => descriptor(n, { published: publishedFor(netSim, epoch) }))));
scenario('sim_60', { net: netSim, epoch: 0, votes: simVotes(0, range(1, 60), ''), description: 'swarm 5/7/10, nodes 1..60 at genesis, 3 identical votes.', extra: { node_numbers: range(1, 60) } });
scenario('sim_90', { net: netSim, epoch: 1, chainOn: 'sim_60', votes: simVotes(1, range(1, 90), results.get('sim_60').digest), description: 'chains on sim_60: epoch 1, nodes 1..90 (61..90 new), 3 identical votes.', extra: { node_numbers: range(1, 90) } });
{
  // Remove 20 nodes: bring the 3 lowest-id swarms of sim_90 under min (keep min-1 members each),
  // then take one member from each of the largest other swarms until 20 are removed.
  const p = results.get('sim_90').doc;
  const numOf = new Map(range(1, 120).map((n) => [nodeKeys(n).ed, n]));
  const groups = new Map();
  for (const nd of p.nodes) { if (!groups.has(nd.swarm_id)) groups.set(nd.swarm_id, []); groups.get(nd.swarm_id).push(numOf.get(nd.ed25519)); }
  const sids = [...groups.keys()].filter((s) => s !== 'ffffffffffffffff').sort();
  const removed = [];
  const dissolveTargets = sids.slice(0, 3);
  for (const s of dissolveTargets) { const m = groups.get(s); removed.push(...m.slice(0, m.length - (netSim.swarm.min - 1))); }
  const others = sids.slice(3).sort((a, b) => groups.get(b).length - groups.get(a).length || (a < b ? -1 : 1));
  for (let i = 0; removed.length < 20; i = (i + 1) % others.length) {
    const m = groups.get(others[i]).filter((n) => !removed.includes(n));
    removed.push(m[0]);
  }
  removed.sort((a, b) => a - b);
  const nodes = range(1, 90).filter((n) => !removed.includes(n));
  scenario('sim_70', {
    net: netSim, epoch: 2, chainOn: 'sim_90', votes: simVotes(2, nodes, results.get('sim_90').digest),
    description: `chains on sim_90: epoch 2, 20 nodes removed so that swarms ${dissolveTargets.join(', ')} keep ${netSim.swarm.min - 1} (< min) members and dissolve; 3 identical votes.`,
    extra: { node_numbers: nodes, removed, dissolved_expected: dissolveTargets },
  });
}
// e. all_full: 11 nodes with 5/7/10 at genesis.
scenario('all_full', {
  net: netSim, epoch: 0, votes: simVotes(0, range(1, 11), ''),
  description: 'swarm 5/7/10, 11 nodes at genesis: the split makes one swarm of 7 (excess 11 >= 7); then excess 2+4 = 6 < 7+2 = 9 stops it; '
    + 'place fills it to max (10) and the 11th node finds every swarm full and stays unassigned (swarm_id ffffffffffffffff).',
  extra: { node_numbers: range(1, 11) },
});
// f. no_majority
scenario('no_majority', {
  net: netSmall, epoch: 0, votes: [makeVote(AUTH[0], netSmall, 0, '', range(1, 5).map((n) => descriptor(n, { published: publishedFor(netSmall, 0) })))],
  description: 'one vote of 3 (< majority(3) = 2): no consensus for the epoch.', extra: { node_numbers: range(1, 5) },
});
// g. no_nodes
scenario('no_nodes', {
  net: netSmall, epoch: 0, votes: AUTH.map((a) => makeVote(a, netSmall, 0, '', [])),
  description: '3 valid votes listing zero nodes: the consensus would have zero nodes, so none is made or signed.', extra: { node_numbers: [] },
});
// g2. no_nodes by exclusion: every node in only one vote.
scenario('no_nodes_split_votes', {
  net: netSmall, epoch: 0, votes: AUTH.map((a, i) => makeVote(a, netSmall, 0, '', [i + 1].map((n) => descriptor(n, { published: publishedFor(netSmall, 0) })))),
  description: 'each vote lists a different single node (1, 2, 3): no node reaches majority(3) = 2, zero nodes, refused.', extra: { node_numbers: [1, 2, 3] },
});

// ---- validity cases (from small_genesis) ------------------------------------------------------
const validity = [];
{
  const net = netSmall;
  const { doc } = results.get('small_genesis');
  const sigs = AUTH.map((a) => sigObj(doc, a));
  const va = doc.valid_after;
  const add = (name, c, expected, note) => {
    const got = checkConsensus(net, c.doc ?? doc, c.sigs, c.held ?? null, c.now ?? va);
    if (got !== expected) throw new Error(`validity ${name}: got ${got}, expected ${expected}`);
    validity.push({ name, note, consensus: c.doc ?? doc, digest: digestOf(DOM.consensus, c.doc ?? doc), signatures: c.sigs,
                    held_epoch: c.held ?? null, now_s: c.now ?? va, expected });
  };
  add('all_3_sigs', { sigs }, 'ok');
  add('2_sigs', { sigs: sigs.slice(0, 2) }, 'ok', 'majority(3) = 2');
  add('1_sig', { sigs: sigs.slice(2) }, 'under_signed');
  const outsider = canonicalize({ ...sigObj(doc, OUTSIDER) });
  add('outsider_plus_1', { sigs: [outsider, sigs[0]] }, 'under_signed', 'a valid signature by a key not in network.json (seed a4) is ignored');
  add('duplicate_sig', { sigs: [sigs[1], sigs[1]] }, 'under_signed', 'the same authority counts once');
  add('outsider_plus_2', { sigs: [sigs[0], outsider, sigs[2]] }, 'ok', 'the unknown signer is ignored; 2 authorities suffice');
  const tampered = canonicalize({ ...doc, nodes: doc.nodes.map((n, i) => (i === 0 ? { ...n, port_https: n.port_https + 1 } : n)) });
  add('tampered_original_sigs', { doc: tampered, sigs }, 'forged', 'first node\'s port_https changed; the 3 original signature objects, unchanged (their digest is the original document\'s)');
  const relabelled = sigs.map((s) => canonicalize({ ...s, digest: digestOf(DOM.consensus, tampered) }));
  add('tampered_sigs_relabelled', { doc: tampered, sigs: relabelled }, 'forged', 'as above, but the signature objects carry the tampered document\'s digest; the Ed25519 signatures fail');
  const a2Bad = canonicalize({ ...sigs[1], signature: sigs[0].signature });
  add('bad_signature_plus_1', { sigs: [a2Bad, sigs[2]] }, 'forged', 'A2\'s object carries A1\'s signature bytes (fails), plus A3\'s valid one: 1 valid < 2');
  add('two_good_one_bad', { sigs: [sigs[0], a2Bad, sigs[2]] }, 'ok', 'A1 and A3 verify; A2\'s bad signature does not matter');
  add('replayed_same_epoch', { sigs, held: 0 }, 'replayed', 'the holder already has epoch 0');
  add('replayed_older', { sigs, held: 5 }, 'replayed');
  const tol = net.tolerance_seconds;
  add('last_second', { sigs, now: doc.valid_until + tol }, 'ok', 'now = valid_until + tolerance_seconds');
  add('stale', { sigs, now: doc.valid_until + tol + 1 }, 'stale', 'now = valid_until + tolerance_seconds + 1');
  add('earliest', { sigs, now: va - net.epoch_seconds - 60 }, 'ok', 'now = valid_after - epoch_seconds - 60');
  add('too_early', { sigs, now: va - net.epoch_seconds - 61 }, 'early', 'now one second before the early limit; the spec names no reason word for it');
  const other = canonicalize({ ...doc, network_id: 'sotto-other' });
  add('wrong_network', { doc: other, sigs: AUTH.map((a) => sigObj(other, a)) }, 'wrong_network', 'network_id "sotto-other", correctly signed by all 3 authorities of this network');
}

// ---- bad votes (against small_genesis: network netSmall, epoch 0) -----------------------------
const badVotes = [];
{
  const net = netSmall, epoch = 0;
  const P0 = publishedFor(net, 0);
  const ds = range(1, 5).map((n) => descriptor(n, { published: P0 }));
  const sortedDs = [...ds].sort((a, b) => cmpHex(a.descriptor.ed25519, b.descriptor.ed25519));
  const add = (name, vote, expected, note) => {
    const got = checkVote(net, epoch, vote) ?? 'ok';
    if (got !== expected) throw new Error(`bad vote ${name}: got ${got}, expected ${expected}`);
    badVotes.push({ name, note, expected_epoch: epoch, vote, expected });
  };
  add('control_ok', makeVote(AUTH[0], net, 0, '', ds), 'ok', 'a valid vote, for comparison');
  add('another_epoch', makeVote(AUTH[0], net, 1, '', ds), 'wrong_epoch', 'epoch 1 while epoch 0 is expected');
  add('another_network', makeVote(AUTH[0], net, 0, '', ds, { networkId: 'sotto-other' }), 'wrong_network');
  add('non_authority', makeVote(OUTSIDER, net, 0, '', ds), 'not_authority', 'authority = key of seed a4 (not in network.json), validly signed by it');
  add('unsorted', makeVote(AUTH[0], net, 0, '', [sortedDs[1], sortedDs[0], ...sortedDs.slice(2)], { sort: false }), 'unsorted', 'first two nodes swapped; the vote signature is valid');
  add('duplicated_node', makeVote(AUTH[0], net, 0, '', [sortedDs[0], ...sortedDs], { sort: false }), 'duplicate_node', 'the first descriptor listed twice');
  const firstN = [...NODE.values()].find((k) => k.ed === sortedDs[0].descriptor.ed25519).n;
  const dupDiff = descriptor(firstN, { published: P0 + 1000, port: 22022 });
  add('duplicated_key_different_descriptors', makeVote(AUTH[0], net, 0, '', [sortedDs[0], dupDiff, ...sortedDs.slice(1)], { sort: false }), 'duplicate_node', 'the first key listed twice with two different valid descriptors');
  const broken = canonicalize({ ...sortedDs[2], signature: sortedDs[2].signature.slice(0, 127) + (sortedDs[2].signature[127] === '0' ? '1' : '0') });
  add('bad_descriptor_signature', makeVote(AUTH[0], net, 0, '', [...sortedDs.slice(0, 2), broken, ...sortedDs.slice(3)], { sort: false }), 'bad_descriptor_signature', 'the third descriptor\'s signature has its last hex digit changed; the vote signature is valid');
  const forgedDesc = canonicalize({ descriptor: { ...sortedDs[3].descriptor, port_https: 22029 }, signature: sortedDs[3].signature });
  add('descriptor_changed_after_signing', makeVote(AUTH[0], net, 0, '', [...sortedDs.slice(0, 3), forgedDesc, ...sortedDs.slice(4)], { sort: false }), 'bad_descriptor_signature', 'the fourth descriptor\'s port changed after the node signed it');
  const good = makeVote(AUTH[0], net, 0, '', ds);
  add('bad_vote_signature', canonicalize({ ...good, signature: good.signature.slice(0, 127) + (good.signature[127] === '0' ? '1' : '0') }), 'bad_signature', 'last hex digit of the vote signature changed');
  add('signed_by_other_authority', makeVote(AUTH[0], net, 0, '', ds, { signer: AUTH[1].kp }), 'bad_signature', 'authority says A1 but A2 signed it');
}

// ---- rng and gap_ids --------------------------------------------------------------------------
const rngCases = [new Uint8Array(32), new Uint8Array(32).fill(0xab)].map((seed) => {
  const r1 = makeRng(seed);
  const next5 = Array.from({ length: 5 }, () => r1.next().toString());
  const r2 = makeRng(seed);
  const uniform = [1n, 2n, 3n, 7n, 10n, 1000n, U63 + 1n].map((n) => ({ n: n.toString(), result: r2.uniform(n).toString(), counter_after: r2.counter.toString() }));
  return { seed: hex(seed), next: next5, uniform };
});
const gapInputs = [
  ['empty', []],
  ['one_id', [5n]],
  ['one_id_high', [U63]],
  ['one_id_max', [U64 - 1n]],
  ['two_halves_tie', [0n, U63]],
  ['wrap_gap_largest', [1n << 62n, U63]],
  ['wrap_past_zero', [U63 - 5n, U63 + (1n << 62n)]],
  ['four_quarters_tie', [0n, 1n << 62n, U63, U63 + (1n << 62n)]],
  ['interior_tie', [100n, 1000n, (1n << 62n) + 1000n, (1n << 62n) * 2n + 1000n, U64 - (1n << 62n) + 100n]],
  ['unsorted_input_odd_gap', [U63 + 7n, 3n, 1000n]],
];
const gapIds = gapInputs.map(([name, ids]) => { const r = newSwarmId(ids); return { name, ids: ids.map(String), expected: r === null ? null : r.toString(), expected_hex: r === null ? null : hex16(r) }; });

// ---- output -----------------------------------------------------------------------------------
const readings = [
  'Common rules: canonical JSON sorts keys bytewise at every nesting level (signed descriptors inside a vote too); arrays keep their order.',
  'Swarm RNG seed: the 32 raw bytes of digest(P) (not its 64-char hex), or 32 zero bytes when there is no P.',
  'Node numbering here: node n has the Ed25519 seed of 32 bytes of n (n = 1..120); its ip is 10.0.(n mod 7).n, port 22021 unless stated.',
  'Vote digest and descriptor digest cover the signed bytes only (DOMAIN || 0x00 || canonical(inner object)), never the signature.',
  'Tuple rule tie on the lowest descriptor digest: digest of the descriptor object (domain sotto-descriptor-v1), compared as lowercase hex.',
  'Pool: always kept in key order, so dissolved members are merged in key order (the "ascending id" of Dissolve does not change the result).',
  'Place: k, sizes and p25 are recomputed for each node; p25 is over all swarms (full ones too); the fallback (no candidate) ignores the /24 rule.',
  'Split fill from the largest swarm: the swarm being filled is not a donor (the largest other swarm by (size desc, id asc)). The trace says NOTE if the literal reading could differ.',
  'A split swarm may end with fewer than ideal (even fewer than min) members if filling stops; it is kept, and Balance may fill it.',
  'Consensus "votes": digests of all valid votes held for the epoch, sorted as lowercase hex.',
  'Every vote lists prev_digest = digest of the previous consensus used (or empty at genesis); the consensus is computed from P as given here, not from the votes\' prev_digest.',
  'Detached consensus signatures are Ed25519 over the consensus signed bytes (sotto-consensus-v1 || 0x00 || canonical), not over the 32-byte digest; a signature object counts only if its digest and epoch equal the document\'s and the signature verifies.',
  'Validity reasons: unknown signers are ignored; if fewer than majority verify, the reason is "forged" when any signature object by an authority of network.json failed (wrong digest, wrong epoch or bad Ed25519), else "under_signed". Check order: wrong_network, signatures, replayed, stale, early; every vector has a single fault.',
  'Validity times: now_s is unix seconds; held_epoch null means no consensus held. "early" (now < valid_after - epoch_seconds - 60) has no reason word in the spec.',
  'Bad votes: reasons wrong_epoch, wrong_network, not_authority, bad_signature (vote), unsorted, duplicate_node (equal adjacent keys), bad_descriptor_signature; expected epoch 0, network of small_genesis.',
  'Descriptors inside votes are not checked against the descriptor clock window (+-1 h) or x25519 derivation by the consensus; all descriptors here are otherwise valid.',
  'Step order is taken literally: Start, Dissolve, Place, Split, Seed swarm, Place, Balance, one RNG counter for all of them. So the first Place fills surviving swarms up to max before any split (see sim_90), and Split then takes members back from them.',
  'Split threshold taken literally: excess >= ideal + 2k. The gap < 2 stop cannot occur in practice (it needs about 2^64 swarms).',
  'Seed swarm: it always takes the whole pool (a pool of ideal or more nodes with no swarm would have split), so its "first max nodes" cap never bites here.',
  'A node is unassigned only when every swarm is full at the second Place and the split threshold is not met (all_full: one swarm of 10 and 1 node left over).',
  'Signatures: every authority of network.json signs the consensus here, including one whose vote was not among those held (A3 in small_next).',
];
const result = canonicalize({
  note: 'generated by tools/vectors/consensus.mjs (libsodium.js) from docs/wire/directory.md and docs/wire/swarm-space.md only. u64 values are decimal strings, swarm ids 16 lowercase hex. See "readings" for the choices where the spec is ambiguous.',
  readings,
  rng: rngCases,
  gap_ids: gapIds,
  consensus: scenarios,
  validity,
  bad_votes: badVotes,
});
// Keep a readable top-level order (the file itself is not a signed document).
const ordered = {};
for (const k of ['note', 'readings', 'rng', 'gap_ids', 'consensus', 'validity', 'bad_votes']) ordered[k] = result[k];
writeFileSync(out, JSON.stringify(ordered, null, 1) + '\n');
for (const s of scenarios) {
  const e = s.expected;
  console.error(`${s.name}: ${e.refused ? 'refused ' + e.refused : `${e.consensus.nodes.length} nodes, swarms [${s.summary.swarms.map((w) => w.size).join(',')}], unassigned ${s.summary.unassigned}, rng ${s.summary.rng_counter_end}`}`);
  if (s.trace) for (const t of s.trace) if (t.startsWith('NOTE') || t.startsWith('dissolve') || t.startsWith('split:') || t.startsWith('seed') || t.startsWith('start')) console.error('   ' + t);
}
console.error(`wrote ${out}: rng ${rngCases.length}, gap_ids ${gapIds.length}, consensus ${scenarios.length}, validity ${validity.length}, bad_votes ${badVotes.length}`);
