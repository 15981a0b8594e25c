# joindots: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
BUILD_DIR := build
JOINDOTS := $(BUILD_DIR)/bin/joindots
DEMO_DIR ?= demo
SEED ?= 20251231

.PHONY: all deps web build test demo demo-encoded bench bench-peers study fuzz sanitize format clean

all: build

deps:
	@scripts/install-deps

# The page (web/): npm ci when the lock file is newer than the install, the type check
# (tsc --noEmit: esbuild strips types without checking them), then the bundle.
web: deps
	@cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd web && npm run --silent typecheck && npm run --silent build

build: deps web
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then cmake --preset release >/dev/null; fi
	@cmake --build $(BUILD_DIR) --parallel $$(nproc)

test: build
	@ctest --preset release

demo: build
	@scripts/demo "$(JOINDOTS)" "$(DEMO_DIR)" "$(SEED)"

# The same pipeline with the names left at the agencies: encode, ingest the encodings, link
# on them (into $(DEMO_DIR)/encoded).
demo-encoded: build
	@scripts/demo-encoded "$(JOINDOTS)" "$(DEMO_DIR)" "$(SEED)"

bench: build
	@scripts/bench

# The study across generating mechanisms (issue 11; hours on two cores): raw rows in
# study-results/ (gitignored), the table on stdout. STUDY_ARGS passes options through, e.g.
# STUDY_ARGS="--populations 30 --end-to-end 5 --scenarios baseline,duplicates_mild".
study: build
	@mkdir -p study-results
	@$(BUILD_DIR)/bin/joindots_mechanism_study --joindots $(JOINDOTS) --csv study-results/mechanisms-$$(date +%Y%m%d-%H%M%S).csv $(STUDY_ARGS)

# Peers side by side (bench only, never needed by test or CI): installs R's conting and
# python3-statsmodels when missing, then bench/peers/run.
bench-peers: build
	@scripts/install-bench-peers
	@bench/peers/run

# The libFuzzer targets (fuzz/README.md): clang-14 and libFuzzer, which only this needs, are
# installed by scripts/install-deps --fuzz. FUZZ_SECONDS per target (default 60),
# FUZZ_TARGETS to pick some; corpora grow in build-fuzz/corpus (outside git).
fuzz:
	@scripts/install-deps --fuzz
	@scripts/fuzz

# The whole suite under ASan and UBSan (the debug preset), then the fuzz corpora replayed
# through the sanitized targets. Long (a full debug build): by hand, not in CI.
sanitize: deps web
	@scripts/sanitize

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(DEMO_DIR)
