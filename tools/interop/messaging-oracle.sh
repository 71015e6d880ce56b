#!/usr/bin/env bash
# Developer check, not a test (the tests must not depend on the oracle): on a fresh devnet,
# an independent Session-format client (../shared/tools/session-oracle) and the `sotto` CLI
# exchange 1:1 DMs both ways: the oracle stores a DM that `sotto listen` / `history` show,
# and decrypts what `sotto send` stored; then both again with the reader already waiting
# (`sotto listen` started first; the oracle's own retrieve with sotto's `wait` extension).
#
#   tools/interop/messaging-oracle.sh [BUILD_BIN_DIR] [ORACLE_DIR]
#
# Needs node 20 and npm (the oracle's packages are installed into a temporary copy).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/bin}
oracle_src=${2:-$root/../shared/tools/session-oracle}
work=$(mktemp -d)
lp=; rp=
trap 'for p in $lp $rp; do kill "$p" 2>/dev/null || true; done
      "$bin/sotto-devnet" down --dir "$work/devnet" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cp -r "$oracle_src" "$work/oracle"
(cd "$work/oracle" && npm install --no-package-lock --silent >/dev/null)
oracle() { (cd "$work/oracle" && node oracle.mjs "$@"); }
js() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
fail=0
ck() {  # label, python condition on d (the JSON), JSON
  if python3 -c 'import json,sys
try: d=json.loads(sys.argv[2]); ok=bool(eval(sys.argv[1]))
except Exception: ok=False
sys.exit(0 if ok else 1)' "$2" "$3"; then echo "ok     $1"
  else echo "FAILED $1"; echo "       got: ${3:0:600}"; fail=1; fi
}

"$bin/sotto-devnet" up --dir "$work/devnet" --nodes 12 >/dev/null
net=$work/devnet/network.json
sotto() { "$bin/sotto" --profile "$work/profile" "$@"; }
me=$(js "$(sotto init --json)" 'd["session_id"]')
keys=$(oracle keygen)
osid=$(js "$keys" 'd["session_id"]'); seed=$(js "$keys" 'd["seed"]')
node1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][0]["url"])' "$work/devnet/devnet.json")
member() {  # URL of a swarm member for account $1, from node-1's get_swarm
  local out; out=$(oracle rpc --url "$node1" --method get_swarm --params "{\"pubkey\":\"$1\"}")
  js "$out" '"https://%s:%s" % (d["body"]["snodes"][0]["ip"], d["body"]["snodes"][0]["port_https"])'
}
store() {  # text: the oracle stores a DM to sotto's account at node-1, following a 421
  local out url; out=$(oracle store-dm --url "$node1" --sender-seed "$seed" --to "$me" --text "$1")
  if [ "$(js "$out" 'd["http_status"]')" = 421 ]; then
    url=$(js "$out" '"https://%s:%s" % (d["body"]["snodes"][0]["ip"], d["body"]["snodes"][0]["port_https"])')
    out=$(oracle store-dm --url "$url" --sender-seed "$seed" --to "$me" --text "$1")
  fi
  echo "$out"
}
msg_ok() { echo "d['from'] == '$1' and d['body'] == '$2' and d['hash'] == '$3'"; }

# 1. oracle -> sotto, stored before listen starts.
t1="oracle to sotto, stored first ($RANDOM)"
st=$(store "$t1"); h1=$(js "$st" 'd.get("expected_hash")')
ck "oracle store-dm to sotto's swarm (hash, member signatures)" 'd["http_status"] == 200 and d["hash_ok"] and d["all_members_ok"]' "$st"
out=$(sotto listen --count 1 --timeout 30 --network "$net" 2>&1 | head -n 1) || true
ck "sotto listen shows the oracle's DM (from, body, hash)" "$(msg_ok "$osid" "$t1" "$h1")" "$out"
out=$(sotto --json history "$osid" 2>&1 | jq -cs . || true)
ck "sotto history <oracle> shows it as received" "any(m['direction'] == 'in' and m['from'] == '$osid' and m['body'] == '$t1' and m['hash'] == '$h1' for m in d)" "$out"

# 2. sotto -> oracle.
t2="sotto to oracle ($RANDOM)"
snd=$(sotto send "$osid" "$t2" --network "$net" --json 2>&1) || true
ck "sotto send to the oracle's account (confirmed)" 'd["confirmations"] >= 1 and d["confirmations"] <= d["swarm_size"]' "$snd"
h2=$(js "$snd" 'd.get("hash")' 2>/dev/null || echo none)
ourl=$(member "$osid")
out=$(oracle retrieve --url "$ourl" --seed "$seed")
ck "oracle retrieves and decrypts sotto's DM (sender, body, hash)" "any(m['hash'] == '$h2' and m['hash_ok'] and m['decrypted']['sender_session_id'] == '$me' and m['decrypted']['body'] == '$t2' for m in d['messages'])" "$out"

# 3a. oracle -> sotto with `sotto listen` already waiting.
t3="oracle to sotto, listen waiting ($RANDOM)"
t0=$(now_ms); sotto listen --count 1 --timeout 30 --network "$net" >"$work/listen.out" 2>"$work/listen.err" & lp=$!
sleep 1; st=$(store "$t3"); ts=$(now_ms); h3=$(js "$st" 'd.get("expected_hash")')
lrc=0; wait "$lp" || lrc=$?; lp=; te=$(now_ms)
out=$(head -n 1 "$work/listen.out")
ck "waiting sotto listen prints the oracle's DM (exit $lrc; $((te - ts)) ms after the store, $((te - t0)) ms in all)" \
   "$(msg_ok "$osid" "$t3" "$h3") and $lrc == 0 and $((te - t0)) < 30000" "$out"

# 3b. sotto -> oracle with the oracle's retrieve already waiting (wait 20 s, after the last hash).
t4="sotto to oracle, retrieve waiting ($RANDOM)"
t0=$(now_ms)
oracle rpc --url "$ourl" --method retrieve --sign-seed "$seed" --timeout 40000 \
  --params "{\"namespace\":0,\"last_hash\":\"$h2\",\"wait\":20}" >"$work/retrieve.out" & rp=$!
sleep 1; snd=$(sotto send "$osid" "$t4" --network "$net" --json 2>&1) || true; ts=$(now_ms)
h4=$(js "$snd" 'd.get("hash")' 2>/dev/null || echo none)
rrc=0; wait "$rp" || rrc=$?; rp=; te=$(now_ms)
out=$(cat "$work/retrieve.out")
data=$(js "$out" '[m["data"] for m in d["body"]["messages"] if m["hash"] == "'"$h4"'"][0]' 2>/dev/null || echo none)
dec=$(oracle dm-decrypt --seed "$seed" --data "$data" 2>&1 || true)
ck "oracle's waiting retrieve returns sotto's DM (exit $rrc; $((te - ts)) ms after the send, $((te - t0)) ms in all)" \
   "d['http_status'] == 200 and any(m['hash'] == '$h4' for m in d['body']['messages']) and $((te - t0)) < 20000" "$out"
ck "oracle decrypts it (sender, body)" "d['sender_session_id'] == '$me' and d['body'] == '$t4'" "$dec"
exit $fail
