#!/usr/bin/env bash
# The demo of what sotto can do today: identity and Session-format messages, a local
# network of directory authorities and service nodes that keeps messages in replicated
# swarms, and a conversation between two accounts through onion paths with live delivery
# (sotto send / listen / history).
set -euo pipefail
bin=${1:-build/bin}
sotto="$bin/sotto"
work=$(mktemp -d)
trap '"$bin/sotto-devnet" down --dir "$work/devnet" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { local shown="$*"; printf "$ sotto %s\n" "${shown//$work\//}"; "$sotto" "$@"; }

say "1. Alice and Bob each create an account: a keypair, no phone number, no e-mail"
alice_json=$("$sotto" --profile "$work/alice" init --json)
bob_json=$("$sotto" --profile "$work/bob" init --json)
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
alice=$(field "$alice_json" session_id); bob=$(field "$bob_json" session_id)
phrase=$(field "$alice_json" recovery_phrase)
echo "Alice's account ID:      $alice"
echo "Alice's recovery phrase: $phrase"
echo "Bob's account ID:        $bob"
echo
echo "Bob shows Alice his account ID (a QR code when this runs in a terminal):"
run --profile "$work/bob" whoami

say "2. Alice loses her phone and restores her account from the 13 words alone"
printf '$ echo "<13 words>" | sotto --profile alice-new-phone restore\n'
echo "$phrase" | "$sotto" --profile "$work/alice-new-phone" restore
restored=$("$sotto" --profile "$work/alice-new-phone" whoami --json)
[ "$(field "$restored" session_id)" = "$alice" ] && echo "-> same account ID as before: restored."

say "3. Alice encrypts a message that only Bob can read (Session's format, sealed to Bob's key)"
printf '$ sotto --profile alice-new-phone dev encrypt --to %s "..."\n' "${bob:0:12}…"
data=$("$sotto" --profile "$work/alice-new-phone" dev encrypt --to "$bob" "Hi Bob, it's Alice. Dinner on Friday?")
echo "storage data, ${#data} base64 characters: ${data:0:60}…"

say "4. Bob decrypts it and sees it is signed by Alice"
printf '$ sotto --profile bob dev decrypt <data>\n'
"$sotto" --profile "$work/bob" dev decrypt "$data"

say "5. Anyone else gets nothing"
"$sotto" --profile "$work/eve" init --json >/dev/null
printf '$ sotto --profile eve dev decrypt <data>\n'
"$sotto" --profile "$work/eve" dev decrypt "$data" || echo "-> exit $?: Eve cannot read it."

say "6. A single flipped byte is detected"
tampered=$(python3 -c 'import base64,sys; b=bytearray(base64.b64decode(sys.argv[1])); b[-30]^=1; print(base64.b64encode(b).decode())' "$data")
"$sotto" --profile "$work/bob" dev decrypt "$tampered" || echo "-> exit $?: rejected."

say "7. A local network: 3 directory authorities and 12 service nodes, each its own process"
echo '$ sotto-devnet up --dir devnet --nodes 12'
"$bin/sotto-devnet" up --dir "$work/devnet" --nodes 12

say "8. Alice's and Bob's clients take the network's consensus only if a majority of the authorities signed it"
echo '$ sotto --profile alice network use devnet/network.json && sotto --profile alice network update'
"$sotto" --profile "$work/alice" network use "$work/devnet/network.json" >/dev/null
"$sotto" --profile "$work/alice" network update
"$sotto" --profile "$work/bob" network use "$work/devnet/network.json" >/dev/null
"$sotto" --profile "$work/bob" network update >/dev/null
run --profile "$work/alice" contacts add "$bob" bob
run --profile "$work/bob" contacts add "$alice" alice

# Prints each line of stdin with the time it arrived (ms), for the delivery latencies.
stamp() { python3 -u -c 'import sys,time
for line in sys.stdin: print(int(time.time()*1000), line, end="", flush=True)'; }
now_ms() { python3 -c 'import time; print(int(time.time()*1000))'; }
# converse FROM TO NAME_OF_TO MESSAGES...: TO listens (a retrieve that waits, through its
# own onion path), FROM sends each message through a 3-hop path to a member of TO's swarm.
converse() {
  local from=$1 to=$2 to_name=$3; shift 3
  "$sotto" --profile "$work/$to" listen --count $# --timeout 60 | stamp > "$work/$to.in" &
  local listener=$!
  sleep 1.5  # until the listener's retrieve waits at a member of its swarm
  : > "$work/$from.sent"
  for text in "$@"; do
    printf '$ sotto --profile %s send %s "%s"\n' "$from" "$to_name" "$text"
    echo "$(now_ms) $text" >> "$work/$from.sent"
    "$sotto" --profile "$work/$from" send "$to_name" "$text" | sed 's/^/  /'
  done
  wait "$listener"
  python3 - "$work/$from.sent" "$work/$to.in" "$from" "$to" <<'PY'
import json, sys
sent = {}
for line in open(sys.argv[1]):
    t, text = line.rstrip("\n").split(" ", 1); sent[text] = int(t)
print(f"{sys.argv[4]}'s `sotto listen` printed, as each message arrived:")
for line in open(sys.argv[2]):
    t, rest = line.split(" ", 1); m = json.loads(rest)
    who = m.get("nickname", m["from"][:10] + "…")
    print(f"  from {who}: {m['body']!r}  (delivered {int(t) - sent[m['body']]} ms after {sys.argv[3]} pressed send)")
PY
}

say "9. Alice writes to Bob, who is listening: each message goes through a 3-hop onion path (no node sees both her address and Bob's account), every member of Bob's swarm stores it and signs a receipt Alice checks, and Bob's waiting retrieve answers at once"
converse alice bob bob "Hi Bob, it's Alice. Dinner on Friday?" "I found that little Georgian place."

say "10. Bob answers through paths of his own"
converse bob alice alice "Friday works! 8 pm?" "See you there."

say "11. The conversation, as each keeps it in the local database of their profile"
run --profile "$work/alice" history bob
run --profile "$work/bob" history alice

say "12. Mistakes get a sentence, not a stack trace"
run --profile "$work/alice" send carol "hello?" || true
run --profile "$work/alice" send 05abcdef "hello?" || true

say "13. A key file can be encrypted at rest with a passphrase (Argon2id + XChaCha20-Poly1305)"
printf 'correct horse battery staple\n' > "$work/pass"
"$sotto" --profile "$work/carol" init --passphrase-file "$work/pass" --json >/dev/null
echo '$ sotto --profile carol whoami            # no passphrase, no terminal to ask on'
setsid -w "$sotto" --profile "$work/carol" whoami </dev/null || true
echo '$ sotto --profile carol whoami --passphrase-file pass'
"$sotto" --profile "$work/carol" whoami --passphrase-file "$work/pass" | head -1

say "Done. Profiles were in a temporary directory and have been removed."
