# sotto: the two commands that do everything on a fresh Debian 12 machine (as root):
#   make demo   installs what is missing, builds, and runs the demo
#   make test   installs what is missing, builds, and runs every test (and the fuzzers briefly)
# Other targets: make build, make bench, make fuzz, make clean.

BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
BENCH_BUILD ?= build-bench
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 15
# Unity builds (8 sources a compiler run) and line-table debug info: a fresh `make test`
# compiles everything twice (g++, then clang with sanitizers), and these halve that time.
# Backtraces and sanitizer reports keep file:line; for a debugger, configure your own
# build directory (e.g. cmake -B dbg -DCMAKE_BUILD_TYPE=Debug). Every source must compile
# in a unity batch: names in a .cpp's anonymous namespace must not repeat within a target.
UNITY ?= ON
CONFIG_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOTTO_WERROR=ON \
  -DCMAKE_UNITY_BUILD=$(UNITY) -DCMAKE_UNITY_BUILD_BATCH_SIZE=8

.PHONY: all deps build demo test unit-test fuzz-build fuzz bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) $(CONFIG_FLAGS) -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)/bin

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same code built by clang 14 with AddressSanitizer and UndefinedBehaviorSanitizer:
# the unit tests run again under the sanitizers, and the libFuzzer targets are built.
$(FUZZ_BUILD)/build.ninja: | deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) $(CONFIG_FLAGS) \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" \
	  -DSOTTO_FUZZ=ON -DSOTTO_SANITIZE=address,undefined -DSOTTO_BENCH=OFF

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: fuzz-build
	@scripts/run-fuzzers.sh $(FUZZ_BUILD)/bin $(FUZZ_SECONDS)

test: unit-test fuzz-build
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS) -E '^layering$$'
	@scripts/run-fuzzers.sh $(FUZZ_BUILD)/bin $(FUZZ_SECONDS)
	@echo "make test: all tests passed"

$(BENCH_BUILD)/build.ninja: | deps
	cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOTTO_TESTS=OFF

# Every benchmark, the load curve and the 100-node run; writes bench/results/ and BENCHMARKS.md.
bench: $(BENCH_BUILD)/build.ninja
	@scripts/install-deps.sh python3-matplotlib
	cmake --build $(BENCH_BUILD) -j $(JOBS)
	@scripts/bench.sh $(BENCH_BUILD)/bin

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(BENCH_BUILD)
