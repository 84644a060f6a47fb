# Herdwatch: `make run` serves the hook with a demo queue, `make test` runs the test suite.
# Both install the system libraries they need first (Debian 12; run as root or with sudo available).

SYSTEM_PACKAGES := libpcre2-dev libhyperscan-dev libsqlite3-dev publicsuffix pkg-config
SWIFT_BUILD_FLAGS ?=

.PHONY: run test build deps pydeps lint-rules

deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The RFC 9421 interoperability tests check our signatures against a second implementation from PyPI.
pydeps:
	@python3 -c 'import http_message_signatures' 2>/dev/null || python3 -m pip install --quiet 'http-message-signatures==3.0.0'

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

run: deps
	swift run $(SWIFT_BUILD_FLAGS) herdwatch serve --demo

test: deps pydeps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build $(SWIFT_BUILD_FLAGS)
	swift run $(SWIFT_BUILD_FLAGS) herdwatch rules lint Rules
	swift run $(SWIFT_BUILD_FLAGS) herdwatch rules test Rules
