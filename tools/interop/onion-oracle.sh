#!/usr/bin/env bash
# Developer check, not a test (the tests must not depend on the oracle): an independent
# Session-format client (../shared/tools/session-oracle) stores and retrieves through a
# 3-hop onion path of a fresh devnet, with xchacha20 and aes-gcm, and decrypts the replies.
#
#   tools/interop/onion-oracle.sh [BUILD_BIN_DIR] [ORACLE_DIR]
#
# Needs node 20 and npm (the oracle's packages are installed into a temporary copy).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/bin}
oracle_src=${2:-$root/../shared/tools/session-oracle}
work=$(mktemp -d)
trap '"$bin/sotto-devnet" down --dir "$work/devnet" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cp -r "$oracle_src" "$work/oracle"
(cd "$work/oracle" && npm install --no-package-lock --silent >/dev/null)
oracle() { (cd "$work/oracle" && node oracle.mjs "$@"); }

"$bin/sotto-devnet" up --dir "$work/devnet" --nodes 12 >/dev/null
keys=$(oracle keygen)
sid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["session_id"])' "$keys")
seed=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seed"])' "$keys")
# A path of 3 nodes outside the account's swarm, and a member as the destination.
read -r hops dest < <(python3 - "$work/devnet/devnet.json" "$sid" <<'PY'
import json, ssl, sys, urllib.request
state = json.load(open(sys.argv[1])); sid = sys.argv[2]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
body = json.dumps({"method": "get_swarm", "params": {"pubkey": sid}}).encode()
swarm = json.loads(urllib.request.urlopen(urllib.request.Request(state["nodes"][0]["url"] + "/storage_rpc/v1", data=body), context=ctx).read())
members = [m["pubkey_ed25519"] for m in swarm["snodes"]]
others = [n for n in state["nodes"] if n["ed25519"] not in members][:3]
print(json.dumps([{"ed25519_hex": n["ed25519"], "url": n["url"]} for n in others], separators=(",", ":")),
      json.dumps({"ed25519_hex": members[0]}, separators=(",", ":")))
PY
)
check() {  # label, expected status, oracle output
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
label, want, out = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
ok = out.get("http_status") == 200 and out.get("decrypted") and out.get("status") == want
print(("ok   " if ok else "FAIL ") + label + ": http " + str(out.get("http_status")) + ", inner status " + str(out.get("status")))
sys.exit(0 if ok else 1)
PY
}
fail=0
for enc in xchacha20 aes-gcm; do
  ts=$(($(date +%s) * 1000))
  out=$(oracle onion --hops "$hops" --dest "$dest" --enc-type "$enc" --method store \
        --params "{\"pubkey\":\"$sid\",\"namespace\":0,\"ttl\":86400000,\"timestamp\":$ts,\"data\":\"aGVsbG8gZnJvbSB0aGUgb3JhY2xl\"}")
  check "store through 3 hops ($enc)" 200 "$out" || fail=1
done
out=$(oracle onion --hops "$hops" --dest "$dest" --method retrieve --params "{\"pubkey\":\"$sid\",\"namespace\":0}" --sign-seed "$seed")
check "signed retrieve through 3 hops" 200 "$out" || fail=1
python3 -c 'import json,sys; b=json.loads(json.loads(sys.argv[1])["body"]); n=len(b["messages"]); print("     retrieved", n, "message(s)"); sys.exit(0 if n == 1 else 1)' "$out" || fail=1
out=$(oracle onion --hops "$hops" --dest "$dest" --method retrieve --params "{\"pubkey\":\"$sid\",\"namespace\":0}")
check "unsigned retrieve is refused inside the onion (400: no signature)" 400 "$out" || fail=1
exit $fail
