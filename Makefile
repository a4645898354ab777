# The two commands a newcomer needs:
#   make run    set up what is missing, build (release), create ~/.haven if needed, serve
#   make test   set up what is missing, build, run every test (Swift, a bounded fuzz, then end to end)
#   make bench  the benchmarks, each beside its reference (scripts/bench lists them; BENCH=NAME runs one)
#   make fuzz   every parser of untrusted bytes under libFuzzer, FUZZ_SECONDS (default 30) each
#   make test-training   the LoRA training tests (installs torch + PEFT into the cache first, 4.9 GB)

SWIFT_BUILD_FLAGS ?=

# Where scripts/setup puts the pinned llama.cpp build and the default model.
export PKG_CONFIG_PATH := $(shell scripts/path llama-pkgconfig)$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
export HAVEN_TEST_MODEL ?= $(shell scripts/path default-model)
export HAVEN_DEFAULT_MODEL ?= $(shell scripts/path default-model)

.PHONY: run test test-training bench soak fuzz build setup-run setup-test setup-training unit e2e clean

run: setup-run
	scripts/embed-web
	swift build -c release --product haven $(SWIFT_BUILD_FLAGS)
	scripts/run

# make test fuzzes too, for a bounded time: every target fed mutated seeds for FUZZ_QUICK_SECONDS
# (default 3) in the normal build, without coverage feedback (haven-fuzz --mutate). Findings go
# to Fuzz/Crashes/ and fail the run. `make fuzz` is the thorough, coverage-guided run.
FUZZ_QUICK_SECONDS ?= 3
test: setup-test
	scripts/embed-web
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build
	"$$(swift build --show-bin-path $(SWIFT_BUILD_FLAGS))/haven-fuzz" --mutate --seconds $(FUZZ_QUICK_SECONDS)
	scripts/e2e

# Training: the optional torch + PEFT environment (scripts/setup training; never installed by
# `make run` or `make test`), the trainer's own tests under that environment's Python, then the
# end-to-end training tests through the server.
test-training: setup-test setup-training
	scripts/embed-web
	swift build $(SWIFT_BUILD_FLAGS)
	HAVEN_LLAMA_PYTHON="$$(scripts/path llama-python)" "$$(scripts/path training-python)" -m pytest -p no:cacheprovider tests/training
	HAVEN_TRAINING_PYTHON="$$(scripts/path training-python)" scripts/e2e tests/e2e/test_training.py

# Benchmarks, each beside its reference in one run: inference and upstream chat against
# llama-server from the same llama.cpp source, the data store against cp, knowledge, exchange,
# ledger and market, S3 ingest through Haven against boto3 (the list is in scripts/bench).
# `make bench BENCH=data` runs one of them.
bench: setup-test
	scripts/embed-web
	swift build -c release --product haven $(SWIFT_BUILD_FLAGS)
	swift build -c release --product haven-bench $(SWIFT_BUILD_FLAGS)
	scripts/bench $(BENCH)

# The soak: one release server under mixed, concurrent load for SOAK_SECONDS (default 600), then
# its checks; errors, p99s and memory over time in .build/soak/report.json. `make test` runs a minute.
SOAK_SECONDS ?= 600
soak: setup-test
	scripts/embed-web
	swift build -c release --product haven $(SWIFT_BUILD_FLAGS)
	SOAK_SECONDS=$(SOAK_SECONDS) scripts/soak

# Fuzzing: each target of HavenFuzzing under libFuzzer and ASan (built in .build-fuzz) for
# FUZZ_SECONDS; `make fuzz FUZZ_TARGETS="jws car"` runs some. Findings go to Fuzz/Crashes/.
FUZZ_SECONDS ?= 30
fuzz: setup-test
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz $(FUZZ_TARGETS)

build:
	scripts/embed-web
	swift build $(SWIFT_BUILD_FLAGS)

setup-run:
	scripts/setup run

setup-test:
	scripts/setup test

setup-training:
	scripts/setup training

unit:
	swift test

e2e:
	scripts/e2e

clean:
	rm -rf .build
