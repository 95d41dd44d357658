# The two commands of README.md. Both install missing Debian packages first, then configure
# (once) and build incrementally with Ninja into build/.
BUILD_DIR ?= build
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 20
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)

.PHONY: all deps peers build fuzz-build fuzz test demo bench clean

all: build

deps:
	@scripts/install-deps.sh

peers: deps
	@scripts/install-test-peers.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The fuzzers, and every unit test again, built by clang with AddressSanitizer and UBSan.
$(FUZZ_DIR)/build.ninja: | deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTARN_FUZZ=ON -DTARN_FUZZ_SECONDS=$(FUZZ_SECONDS)

fuzz-build: deps $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS)

test: build fuzz-build peers
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
	ctest --test-dir $(FUZZ_DIR) --output-on-failure -j $(JOBS)

# Longer fuzzing by hand: make fuzz FUZZ_SECONDS=600
fuzz: fuzz-build
	cmake -S . -B $(FUZZ_DIR) -DTARN_FUZZ_SECONDS=$(FUZZ_SECONDS) > /dev/null
	ctest --test-dir $(FUZZ_DIR) --output-on-failure -R '^fuzz\.'

demo: build
	./$(BUILD_DIR)/tarn demo

bench: build peers
	bench/run_all.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
