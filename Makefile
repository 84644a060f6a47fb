# Herdwatch: `make run` serves the hook with a demo queue, `make test` runs the test suite.
# Both install the system libraries they need first (Debian 12; run as root or with sudo available).

SYSTEM_PACKAGES := libpcre2-dev libhyperscan-dev libsqlite3-dev libidn2-dev libpsl-dev publicsuffix pkg-config libzbar-dev libpng-dev libturbojpeg0-dev
# Headless Chromium and Selenium for the workbench's browser tests (Tests/Browser), and venv for the real-client
# tests' Python packages; all run by `make test`.
BROWSER_PACKAGES := chromium chromium-driver python3-selenium python3-venv
SWIFT_BUILD_FLAGS ?=

.PHONY: run test build deps pydeps browserdeps browser-test lint-rules fuzz fuzz-build fuzz-smoke fuzz-merge bench-build bench bench-stream bench-serve bench-json bench-queue bench-admin-api bench-nodes bench-media

deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The RFC 9421 interoperability tests check our signatures against a second implementation from PyPI.
pydeps: browserdeps
	@python3 -c 'import http_message_signatures' 2>/dev/null || python3 -m pip install --quiet 'http-message-signatures==3.0.0'
	@# FediBlockHole and Mastodon.py, in a venv of their own (.build/python-venv) for the real-client tests.
	@.build/python-venv/bin/python -c 'import fediblockhole, mastodon' 2>/dev/null || { \
		python3 -m venv .build/python-venv && \
		.build/python-venv/bin/pip install --quiet 'fediblockhole==0.4.6' 'mastodon.py==2.3.3'; }

browserdeps:
	@missing=""; for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing packages for the browser tests:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

run: deps
	swift run $(SWIFT_BUILD_FLAGS) herdwatch serve --demo

# The PostgreSQL stores' suites run against a throwaway cluster on a loopback port (Scripts/with-postgres installs
# Debian's postgresql when it is missing, starts the cluster, and removes it afterwards).
test: deps pydeps browserdeps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	Scripts/with-postgres swift test --skip-build $(SWIFT_BUILD_FLAGS)
	swift run $(SWIFT_BUILD_FLAGS) herdwatch rules lint Rules
	swift run $(SWIFT_BUILD_FLAGS) herdwatch rules test Rules
	$(MAKE) browser-test

# The workbench in headless Chromium (Tests/Browser/workbench.py); screenshots land in .build/artifacts/browser.
browser-test: browserdeps
	swift build $(SWIFT_BUILD_FLAGS) --product herdwatch
	/usr/bin/python3 Tests/Browser/workbench.py $$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/herdwatch .build/artifacts/browser

# Benchmarks (Benchmarks/README.md): a release build of `herdwatch` and `herdwatch-bench` in one folder, then one
# benchmark each. `bench-serve` and `bench-nodes` need wrk (apt-get install -y wrk). BENCH_ARGS adds options, e.g. BENCH_ARGS="--duration 300".
BENCH_ARGS ?=
BENCH := $$(swift build -c release $(SWIFT_BUILD_FLAGS) --show-bin-path)/herdwatch-bench

bench-build: deps
	swift build -c release $(SWIFT_BUILD_FLAGS) --product herdwatch
	swift build -c release $(SWIFT_BUILD_FLAGS) --product herdwatch-bench

bench: bench-build
	$(BENCH) $(BENCH_ARGS)

bench-stream: bench-build
	$(BENCH) stream $(BENCH_ARGS)

bench-serve: bench-build
	$(BENCH) serve $(BENCH_ARGS)

bench-json: bench-build
	$(BENCH) json $(BENCH_ARGS)

bench-queue: bench-build
	$(BENCH) queue $(BENCH_ARGS)

bench-admin-api: bench-build
	$(BENCH) admin-api $(BENCH_ARGS)

# The hook on SQLite, on PostgreSQL and on two nodes sharing PostgreSQL, on a throwaway PostgreSQL cluster (or on
# $$HERDWATCH_TEST_POSTGRES_URL when set). Needs wrk.
bench-nodes: bench-build
	Scripts/with-postgres sh -c 'exec "$$0" nodes --database "$$HERDWATCH_TEST_POSTGRES_URL" "$$@"' $(BENCH) $(BENCH_ARGS)

bench-media: bench-build
	$(BENCH) media $(BENCH_ARGS)

# libFuzzer targets for the parsers of untrusted input (Fuzz/, a package of its own; see Fuzz/README.md).
# `make fuzz` runs each target until FUZZ_RUNS inputs or FUZZ_SECONDS, whichever comes first; `make fuzz-smoke`
# runs each for 60 s (CI). Both print one line per target and fail on any crash, timeout, leak or out-of-memory.
FUZZ_SECONDS ?= 3600
FUZZ_RUNS ?= 10000000
FUZZ_TIMEOUT ?= 10
FUZZ_RSS_MB ?= 2048
FUZZ_MAX_LEN ?= 65536
FUZZ_TARGETS ?=
FUZZ_BUILD_FLAGS := -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -g

fuzz-build: deps
	swift build --package-path Fuzz $(FUZZ_BUILD_FLAGS) $(SWIFT_BUILD_FLAGS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) FUZZ_RSS_MB=$(FUZZ_RSS_MB) \
		FUZZ_MAX_LEN=$(FUZZ_MAX_LEN) Fuzz/run.sh $(FUZZ_TARGETS)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=60

# Folds the inputs found by earlier runs (Fuzz/.build/corpus) into the kept corpora (Fuzz/Corpus), small ones only.
fuzz-merge: fuzz-build
	Fuzz/merge.sh $(FUZZ_TARGETS)
