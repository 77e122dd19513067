# The two commands of the README: `make run` and `make test`. CMake does the real work.
BUILD ?= build
CMD ?= /bin/uname -a
JOBS ?= $(shell nproc)

.PHONY: all deps build run test asan bench clean format compat

all: build

deps:
	@./scripts/setup-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/warden do -- $(CMD)

test: build
	@./scripts/setup-deps.sh e2e
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300
	@$(MAKE) --no-print-directory asan

# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DWARDEN_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS) -L unit --timeout 300

bench: build
	@./scripts/setup-deps.sh bench
	./bench/run.sh $(BUILD)

# SYSCALLS.md, the compatibility table, regenerated from sentry/syscalls/table.h.
compat: build
	@./scripts/gen-compat.sh $(BUILD)/warden > SYSCALLS.md

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD)-asan
