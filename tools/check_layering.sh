#!/usr/bin/env bash
# Checks the layering rules of docs/architecture.md by grepping includes:
#   sodium.h only in src/crypto/; asio/beast only in src/net/; sqlite3.h only in
#   src/db/; generated protobuf headers only in src/proto/*.cpp; and each layer
#   includes only itself and the layers below it.
set -u
root=${1:-.}
cd "$root" || exit 2
fail=0
bad() { echo "layering: $*"; fail=1; }

while IFS= read -r f; do
  case "$f" in src/crypto/*) ;; *) bad "$f includes sodium.h (only src/crypto/ may)";; esac
done < <(grep -rl --include='*.[ch]pp' -E '#include[[:space:]]*[<"]sodium' src apps 2>/dev/null)
while IFS= read -r f; do
  case "$f" in src/net/*) ;; *) bad "$f includes asio/beast (only src/net/ may)";; esac
done < <(grep -rlE --include='*.[ch]pp' '#include[[:space:]]*[<"](boost/asio|boost/beast|asio)' src apps 2>/dev/null)
while IFS= read -r f; do
  case "$f" in src/db/*) ;; *) bad "$f includes sqlite3.h (only src/db/ may)";; esac
done < <(grep -rl --include='*.[ch]pp' -E '#include[[:space:]]*[<"]sqlite3' src apps 2>/dev/null)
while IFS= read -r f; do
  case "$f" in src/proto/*.cpp) ;; *) bad "$f includes generated protobuf code (only src/proto/*.cpp may)";; esac
done < <(grep -rl --include='*.[ch]pp' -E '#include[[:space:]]*[<"].*\.pb\.h' src apps 2>/dev/null)

# Allowed dependencies, layer -> the layers it may include.
declare -A allowed=(
  [base]="base"
  [crypto]="base crypto"
  [proto]="base crypto proto"
  [onion]="base crypto proto onion"
  [directory]="base crypto directory"
  [db]="base db"
  [node]="base crypto proto onion directory db node"
  [client]="base crypto proto onion directory db client"
  [net]="base crypto proto onion directory node client net"
  [api]="base crypto proto onion directory db client net api sotto"
)
for layer in "${!allowed[@]}"; do
  [ -d "src/$layer" ] || continue
  while IFS=: read -r file inc; do
    dep=${inc%%/*}
    [[ " ${allowed[$layer]} " == *" $dep "* ]] || bad "$file includes $inc: $layer may not depend on $dep"
  done < <(grep -rhoE --include='*.[ch]pp' -H '#include "[a-z_]+/[^"]+"' "src/$layer" | sed -E 's/#include "([^"]+)"/\1/')
done
[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
