#!/usr/bin/env bash
# Checks the layering rules of docs/architecture.md by grepping includes:
#   sodium.h only in src/crypto/; asio/beast only in src/net/; sqlite3.h only in src/db/;
#   generated protobuf headers only in src/proto/*.cpp; Qt only in apps/desktop/;
#   each layer of src/ includes only itself and the layers below it (node/ is four:
#   node/storage, node/swarm, node/rpc, and the node's identity and metrics);
#   nothing in src/ includes apps/ (every project include in src/ names its layer);
#   below apps/, daemon/ is the only layer that includes both node/ and net/;
#   the CLI includes only libsotto's public API (include/sotto/) and its own files;
#   sotto-node and sotto-authority are wiring over daemon/.
set -u
root=${1:-.}
cd "$root" || exit 2
fail=0
bad() { echo "layering: $*"; fail=1; }

only_in() {  # only_in PATTERN ALLOWED_PREFIX WHAT
  while IFS= read -r f; do
    case "$f" in $2*) ;; *) bad "$f includes $3 (only $2 may)";; esac
  done < <(grep -rlE --include='*.[ch]pp' "#include[[:space:]]*[<\"]($1)" src apps 2>/dev/null)
}
only_in 'sodium' 'src/crypto/' 'sodium.h'
only_in 'boost/asio|boost/beast|asio' 'src/net/' 'asio/beast'
only_in 'sqlite3' 'src/db/' 'sqlite3.h'
only_in 'Q[A-Z][A-Za-z]+|QtCore|QtQuick|QtGui' 'apps/desktop/' 'Qt'
while IFS= read -r f; do
  case "$f" in src/proto/*.cpp) ;; *) bad "$f includes generated protobuf code (only src/proto/*.cpp may)";; esac
done < <(grep -rl --include='*.[ch]pp' -E '#include[[:space:]]*[<"].*\.pb\.h' src apps 2>/dev/null)

# The layer of a path inside src/ ("node/swarm/peer_wire.hpp" -> node/swarm; "node/metrics.hpp" -> node).
layer_of() {
  local p=$1
  case "$p" in
    node/storage/*|node/swarm/*|node/rpc/*) echo "${p%/*}" | cut -d/ -f1-2 ;;
    */*) echo "${p%%/*}" ;;
    *) echo "" ;;
  esac
}

# Allowed dependencies, layer -> the layers it may include.
declare -A allowed=(
  [base]="base"
  [crypto]="base crypto"
  [proto]="base crypto proto"
  [onion]="base crypto proto onion"
  [directory]="base crypto directory"
  [db]="base db"
  [node/storage]="base crypto proto db node/storage"
  [node]="base crypto node"
  [node/swarm]="base crypto proto directory db node/storage node/swarm"
  [node/rpc]="base crypto proto directory db node/storage node/swarm node/rpc"
  [client]="base crypto proto onion directory db client"
  [net]="base net"
  [daemon]="base crypto proto onion directory db node node/storage node/swarm node/rpc net daemon"
  [api]="base crypto proto onion directory db client net api sotto"
)
while IFS= read -r file; do
  rel=${file#src/}
  from=$(layer_of "$rel")
  [ -n "${allowed[$from]+x}" ] || { bad "$file is in no known layer ($from)"; continue; }
  while IFS= read -r inc; do
    to=$(layer_of "$inc")
    if [ -z "$to" ]; then
      bad "$file includes \"$inc\": a project header in src/ is named by its layer"
    elif [[ " ${allowed[$from]} " != *" $to "* ]]; then
      bad "$file includes $inc: $from may not depend on $to"
    fi
  done < <(grep -hoE '#include "[^"]+"' "$file" | sed -E 's/#include "([^"]+)"/\1/')
done < <(find src -name '*.[ch]pp' -not -path '*/gen/*')

# Below apps/, only daemon/ may include both node/ and net/.
for layer in "${!allowed[@]}"; do
  [ "$layer" = daemon ] && continue
  deps=" ${allowed[$layer]} "
  if [[ "$deps" == *" net "* && "$deps" =~ " node" ]]; then bad "the rules let $layer include both node/ and net/"; fi
done

# The apps: the CLI over the public API alone; the daemons over daemon/.
check_app() {  # check_app DIR ALLOWED_PREFIXES...
  local dir=$1
  shift
  while IFS=: read -r file inc; do
    local ok=0 p
    for p in "$@"; do [[ "$inc" == "$p"/* ]] && ok=1; done
    [[ "$inc" != */* ]] && ok=1  # a file of the app itself
    [ $ok -eq 1 ] || bad "$file includes $inc (an app in $dir may include only: $*)"
  done < <(grep -roE --include='*.[ch]pp' -H '#include "[^"]+"' "$dir" 2>/dev/null | sed -E 's/#include "([^"]+)"/\1/')
}
check_app apps/cli cli sotto
check_app apps/node daemon base net
check_app apps/authority daemon base net

[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
