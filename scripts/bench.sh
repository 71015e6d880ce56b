#!/usr/bin/env bash
# make bench: runs every benchmark of bench/ (each prints its figures and writes
# bench/results/<name>.json), the offered-load curve of sotto-loadgen on a 12-node devnet,
# and the 100-node scale run; then scripts/bench-report.py writes BENCHMARKS.md and its plots.
# Everything runs one thing at a time: the benchmarks share this machine's cores.
set -euo pipefail
bin=${1:?usage: bench.sh BIN_DIR}
bin=$(cd "$bin" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
results="$root/bench/results"
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
step() { echo; echo "== make bench: $* ($(( $(date +%s) - start )) s so far)"; }

# A devnet left behind by an aborted test or benchmark would share the cores with this run.
if pgrep -x sotto-node >/dev/null || pgrep -x sotto-authority >/dev/null; then
  echo "make bench: sotto-node or sotto-authority processes are running already; stop them first (they would skew every figure):" >&2
  pgrep -ax 'sotto-node|sotto-authority' | head -5 >&2
  exit 1
fi

for b in crypto_bench storage_bench node_rpc replication onion e2e backup; do
  step "$b"
  args=()
  # The join phase stores this many messages first (100,000 by default: 12 minutes here).
  [ "$b" = replication ] && args=(--messages 30000)
  "$bin/$b" "${args[@]}" 2>&1 | tee "$results/$b.txt"
done

step "sotto-loadgen: offered load on a 12-node devnet"
"$bin/sotto-devnet" up --dir "$scratch/net12" --nodes 12 --authorities 3 --wait 120 >/dev/null
"$bin/sotto-loadgen" --devnet "$scratch/net12" --accounts 40 --rates 10,25,50,100,200,400 --duration 10 --drain 15 \
  --json "$results/loadgen.json" 2>&1 | tee "$results/loadgen.txt"
"$bin/sotto-devnet" down --dir "$scratch/net12" >/dev/null

step "scale: 100 nodes"
printf 'threads = 1\n' >"$scratch/node.toml"
t0=$(date +%s.%N)
"$bin/sotto-devnet" up --dir "$scratch/net100" --nodes 100 --authorities 3 --epoch-seconds 10 --wait 600 \
  --node-config "$scratch/node.toml" >/dev/null
t1=$(date +%s.%N)
python3 - "$t0" "$t1" >"$results/scale_up.json" <<'EOF'
import json, sys
print(json.dumps({"nodes": 100, "authorities": 3, "node_threads": 1, "epoch_seconds": 10,
                  "up_seconds": float(sys.argv[2]) - float(sys.argv[1])}))
EOF
"$bin/sotto-loadgen" --devnet "$scratch/net100" --accounts 40 --rates 10,25,50,100 --duration 10 --drain 15 --idle 10 \
  --json "$results/scale.json" 2>&1 | tee "$results/scale.txt"
"$bin/sotto-devnet" down --dir "$scratch/net100" >/dev/null

echo "{\"seconds\": $(( $(date +%s) - start ))}" >"$results/timing.json"
step "BENCHMARKS.md"
# Debian's python3, where python3-matplotlib is (a python3 earlier in PATH may lack it).
/usr/bin/python3 "$root/scripts/bench-report.py" "$results" "$root/BENCHMARKS.md"
