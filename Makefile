# fairshake: thin wrapper over CMake.
#   make deps   install missing build dependencies with apt-get (no-op when present)
#   make        build (Release with debug info) into build/main
#   make demo   run the sample audit against the reference model, print the report path
#   make deps-test  install what the tests need (chromium, for the HTML report test)
#   make test   build and run every test (ctest)
#   make asan   build and test with AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench  build and run the benchmarks (figures, never pass/fail)

BUILD    ?= build/main
ASAN_DIR ?= build/asan
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

DEB_PACKAGES = build-essential cmake pkg-config libcurl4-openssl-dev libicu-dev libcjson-dev \
               libcunit1-dev libsqlite3-dev libssl-dev libmicrohttpd-dev

.PHONY: all deps deps-test build demo test asan bench clean

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# e2e.html renders report.html in headless Chromium and fails when it is missing.
deps-test:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing: chromium"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	}

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@sh scripts/demo.sh $(BUILD)/bin

test: build deps-test
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps deps-test
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DFS_SANITIZE=address,undefined
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@sh scripts/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_DIR)
