#!/usr/bin/env bash
# The demo of what sotto can do today: identity and Session-format messages (issue 2), and
# a local network of directory authorities and service nodes that keeps messages in
# replicated swarms (issues 3-4). Onion routing and live delivery come with the next
# issues and will grow this into a real conversation.
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

say "8. Alice's client takes the network's consensus only if a majority of the authorities signed it"
echo '$ sotto --profile alice network use devnet/network.json'
"$sotto" --profile "$work/alice" network use "$work/devnet/network.json"
echo '$ sotto --profile alice network update'
"$sotto" --profile "$work/alice" network update

say "9. Alice sends her message through a 3-hop onion path to a member of Bob's swarm (no node sees both her address and Bob's account); every member stores it and signs a receipt she checks"
printf '$ sotto --profile alice dev store --to %s <data>\n' "${bob:0:12}…"
"$sotto" --profile "$work/alice" dev store --to "$bob" "$data"

say "10. Bob fetches through an onion path of his own, with a request signed by his key"
echo '$ sotto --profile bob network use devnet/network.json && sotto --profile bob network update'
"$sotto" --profile "$work/bob" network use "$work/devnet/network.json" >/dev/null
"$sotto" --profile "$work/bob" network update
echo '$ sotto --profile bob dev fetch'
"$sotto" --profile "$work/bob" dev fetch

say "11. A key file can be encrypted at rest with a passphrase (Argon2id + XChaCha20-Poly1305)"
printf 'correct horse battery staple\n' > "$work/pass"
"$sotto" --profile "$work/carol" init --passphrase-file "$work/pass" --json >/dev/null
echo '$ sotto --profile carol whoami            # no passphrase, no terminal to ask on'
setsid -w "$sotto" --profile "$work/carol" whoami </dev/null || true
echo '$ sotto --profile carol whoami --passphrase-file pass'
"$sotto" --profile "$work/carol" whoami --passphrase-file "$work/pass" | head -1

say "Done. Profiles were in a temporary directory and have been removed."
