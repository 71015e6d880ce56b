#!/usr/bin/env bash
# Runs every libFuzzer target in BIN_DIR for SECONDS each, starting from its seed corpus
# in tests/fuzz/corpus/<target>/. New inputs go to a scratch directory, never to the repo.
# Fails if any target finds a crash, a leak or a sanitizer report.
set -euo pipefail
bin=${1:?usage: run-fuzzers.sh BIN_DIR SECONDS}
seconds=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$root/tests/fuzz/artifacts"
targets=("$bin"/*_fuzz)
[ -e "${targets[0]}" ] || { echo "fuzz: no fuzz targets in $bin" >&2; exit 1; }
passed=0 failed=0
# The targets that read JSON from the network take inputs up to 1 MiB, and start from deep
# nesting as well as their seeds (made here: a MiB of it does not belong in the repo).
json_targets=" json json_top storage_rpc onion_layer onion_peel consensus vote descriptor client_replies backup peer_wire "
deep="$scratch/deep-seeds"
mkdir -p "$deep"
python3 - "$deep" <<'PY'
import sys
d = sys.argv[1]
n = 1 << 20
open(f"{d}/arrays", "w").write("[" * (n // 2) + "]" * (n // 2))
open(f"{d}/objects", "w").write('{"a":' * (n // 6) + "1" + "}" * (n // 6))
open(f"{d}/unclosed", "w").write('[{"a":' * (n // 6))
open(f"{d}/in_a_field", "w").write('{"method":"expire","params":{"expiry":' + "[" * (n // 3) + "]" * (n // 3) + "}}")
PY
# One target per core at a time; each writes its verdict to a file, read in order at the end.
jobs=${FUZZ_JOBS:-$(nproc)}
run_one() {
  local t=$1 name seeds corpus limits
  name=$(basename "$t")
  mkdir -p "$scratch/$name"
  seeds="$root/tests/fuzz/corpus/${name%_fuzz}"
  corpus=("$scratch/$name")
  [ -d "$seeds" ] && corpus+=("$seeds")
  limits=()
  if [[ "$json_targets" == *" ${name%_fuzz} "* ]]; then
    limits=(-max_len=1048576)
    corpus+=("$deep")
  fi
  if "$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "${limits[@]}" \
       -artifact_prefix="$root/tests/fuzz/artifacts/$name-" "${corpus[@]}" >"$scratch/$name.log" 2>&1; then
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$scratch/$name.log" | grep -oE '[0-9]+$' || echo '?')
    echo "fuzz: $name ok ($execs inputs in ${seconds} s${limits:+, up to 1 MiB})" >"$scratch/$name.verdict"
  else
    {
      echo "fuzz: $name FAILED; the report:"
      # The finding itself (sanitizer report, failed check, leak, timeout), then the log's end.
      grep -E -A 25 'ERROR: |runtime error:|fuzz check failed|==[0-9]+==|SUMMARY:|ALARM' "$scratch/$name.log" | head -n 80 || true
      echo "fuzz: $name: the end of its log:"
      tail -n 15 "$scratch/$name.log"
    } >"$scratch/$name.verdict"
    touch "$scratch/$name.failed"
  fi
}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$t" &
done
wait
for t in "${targets[@]}"; do
  name=$(basename "$t")
  if [ -f "$scratch/$name.verdict" ]; then cat "$scratch/$name.verdict"; else echo "fuzz: $name FAILED: it left no verdict"; touch "$scratch/$name.failed"; fi
  if [ -e "$scratch/$name.failed" ]; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
done
echo "fuzz: $passed targets clean, $failed with findings"
[ "$failed" -eq 0 ]
