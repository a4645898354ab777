# The two commands a newcomer needs:
#   make run    set up what is missing, build (release), create ~/.haven if needed, serve
#   make test   set up what is missing, build, run every test (Swift, then end to end)
#   make bench  the benchmarks: inference against llama-server, the data store against cp

SWIFT_BUILD_FLAGS ?=

# Where scripts/setup puts the pinned llama.cpp build and the default model.
export PKG_CONFIG_PATH := $(shell scripts/path llama-pkgconfig)$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
export HAVEN_TEST_MODEL ?= $(shell scripts/path default-model)
export HAVEN_DEFAULT_MODEL ?= $(shell scripts/path default-model)

.PHONY: run test bench build setup-run setup-test unit e2e clean

run: setup-run
	scripts/embed-web
	swift build -c release --product haven $(SWIFT_BUILD_FLAGS)
	scripts/run

test: setup-test
	scripts/embed-web
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build
	scripts/e2e

# Benchmarks: inference against llama-server from the same llama.cpp source (built only
# here), and the data store against cp. `make bench BENCH=data` runs one of them.
bench: setup-test
	scripts/embed-web
	swift build -c release --product haven $(SWIFT_BUILD_FLAGS)
	swift build -c release --product haven-bench $(SWIFT_BUILD_FLAGS)
	scripts/bench $(BENCH)

build:
	scripts/embed-web
	swift build $(SWIFT_BUILD_FLAGS)

setup-run:
	scripts/setup run

setup-test:
	scripts/setup test

unit:
	swift test

e2e:
	scripts/e2e

clean:
	rm -rf .build
