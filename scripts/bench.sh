#!/usr/bin/env bash
# make bench: runs every benchmark of bench/ (each prints its figures and writes
# bench/results/<name>.json), the offered-load curve of sotto-loadgen on a 12-node devnet,
# and the 100-node scale run; then scripts/bench-report.py writes BENCHMARKS.md and its plots.
# Everything runs one thing at a time: the benchmarks share this machine's cores. A part
# that fails is named, the report is written from the others, and the exit status is 1.
set -euo pipefail
bin=${1:?usage: bench.sh BIN_DIR}
bin=$(cd "$bin" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
results="$root/bench/results"

# A devnet left behind by an aborted test or benchmark would share the cores with this run.
running=()
for comm in /proc/[0-9]*/comm; do
  name=$(cat "$comm" 2>/dev/null || true)
  [[ "$name" == sotto-node || "$name" == sotto-authority ]] && running+=("$(basename "$(dirname "$comm")") $name")
done
if [ ${#running[@]} -gt 0 ]; then
  echo "make bench: ${#running[@]} sotto-node or sotto-authority processes are running already; stop them first (they would skew every figure):" >&2
  printf '  %s\n' "${running[@]:0:5}" >&2
  exit 1
fi

# The commit, and whether the tree differs from it, read before the old results (tracked
# files) are removed.
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit (with uncommitted changes)"
rm -rf "$results"
mkdir -p "$results"
export SOTTO_BENCH_RESULTS="$results"
scratch=$(mktemp -d)
down() {
  for d in "$scratch"/net*; do
    [ -e "$d/devnet.json" ] && "$bin/sotto-devnet" down --dir "$d" >/dev/null 2>&1 || true
  done
}
trap 'down; rm -rf "$scratch"' EXIT
start=$(date +%s)
started_utc=$(date -u '+%Y-%m-%d %H:%M UTC')
failed=()
step() { echo; echo "== make bench: $* ($(( $(date +%s) - start )) s so far)"; }

for b in crypto_bench storage_bench node_rpc replication onion e2e backup; do
  step "$b"
  args=()
  # The join phase stores this many messages first (100,000 by default: 12 minutes here).
  [ "$b" = replication ] && args=(--messages 30000)
  "$bin/$b" "${args[@]}" 2>&1 | tee "$results/${b%_bench}.txt" || failed+=("$b")
done

step "sotto-loadgen: offered load on a 12-node devnet"
if "$bin/sotto-devnet" up --dir "$scratch/net12" --nodes 12 --authorities 3 --wait 120 >/dev/null; then
  "$bin/sotto-loadgen" --devnet "$scratch/net12" --accounts 40 --rates 10,25,50,100,200,400 --duration 10 --drain 15 \
    --json "$results/loadgen.json" 2>&1 | tee "$results/loadgen.txt" || failed+=(sotto-loadgen)
  "$bin/sotto-devnet" down --dir "$scratch/net12" >/dev/null
else
  failed+=("sotto-devnet up (12 nodes)")
fi

step "scale: 100 nodes"
printf 'threads = 1\n' >"$scratch/node.toml"
t0=$(date +%s.%N)
if "$bin/sotto-devnet" up --dir "$scratch/net100" --nodes 100 --authorities 3 --epoch-seconds 10 --wait 600 \
     --node-config "$scratch/node.toml" >/dev/null; then
  t1=$(date +%s.%N)
  python3 - "$t0" "$t1" >"$results/scale_up.json" <<'PY'
import json, sys
print(json.dumps({"nodes": 100, "authorities": 3, "node_threads": 1, "epoch_seconds": 10,
                  "up_seconds": float(sys.argv[2]) - float(sys.argv[1])}))
PY
  "$bin/sotto-loadgen" --devnet "$scratch/net100" --accounts 40 --rates 10,25,50,100 --duration 10 --drain 15 --idle 10 \
    --json "$results/scale.json" 2>&1 | tee "$results/scale.txt" || failed+=("sotto-loadgen (100 nodes)")
  "$bin/sotto-devnet" down --dir "$scratch/net100" >/dev/null
else
  failed+=("sotto-devnet up (100 nodes)")
fi

echo "{\"seconds\": $(( $(date +%s) - start )), \"started_utc\": \"$started_utc\", \"commit\": \"$commit\"}" >"$results/timing.json"
step "BENCHMARKS.md"
# Debian's python3, where python3-matplotlib is (a python3 earlier in PATH may lack it).
/usr/bin/python3 "$root/scripts/bench-report.py" "$results" "$root/BENCHMARKS.md" "${failed[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "make bench: failed: ${failed[*]} (BENCHMARKS.md says so)" >&2
  exit 1
fi
