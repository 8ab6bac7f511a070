# Parta build. Plain GNU make + pkg-config.
#   make run            install missing packages, build, start the server
#   make test           build and run every test (unit, API, browser)
#   make test SANITIZE=1  the same with AddressSanitizer + UBSan
#   make fuzz           run each libFuzzer harness for FUZZ_SECONDS
#   make bench          short benchmark run (bench/run)

SANITIZE ?= 0
FUZZ_SECONDS ?= 30
CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1
else
BUILD ?= build
SAN_FLAGS :=
OPT := -O2
endif

PKGS := libuv sqlite3 libsodium libqrencode zlib
WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	-Wno-unused-parameter
ifeq ($(CI),true)
WARN += -Werror
endif
CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(SAN_FLAGS) -Isrc -I$(BUILD)/gen \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += $(SAN_FLAGS) -pthread
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhttp_parser -lstemmer -lm

LIB_SRC := $(sort $(wildcard src/base/*.c src/net/*.c src/store/*.c src/store/sqlite/*.c \
	src/domain/*.c src/api/*.c src/rt/*.c src/media/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
WEB_SRC := $(shell find web/src web/public web/index.html web/package.json web/tsconfig.json web/vite.config.* -type f 2>/dev/null)

.PHONY: all deps build run test unit webunit api e2e web fuzz bench clean fmt
all: build web

deps:
	@bash scripts/deps.sh

build: $(BUILD)/parta

$(BUILD)/parta: $(BUILD)/src/main.o $(BUILD)/src/demo.o $(BUILD)/libparta.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libparta.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	bash scripts/embed-migrations.sh $(MIGRATIONS) > $@

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libparta.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libparta.a $(LDFLAGS) $(LDLIBS) -lcmocka

web: web/dist/index.html

web/dist/index.html: $(WEB_SRC) web/package-lock.json
	cd web && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npx vite build --logLevel warn
	@touch $@

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/parta serve $(ARGS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# client logic (vitest) and the client's type check
webunit: web
	cd web && npm test

api: build web tests/node_modules/.ok
	PARTA_BIN=$(abspath $(BUILD)/parta) node --test --test-concurrency=2 tests/api/

e2e: build web tests/node_modules/.ok
	PARTA_BIN=$(abspath $(BUILD)/parta) node --test --test-concurrency=1 tests/e2e/

tests/node_modules/.ok: tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory webunit
	@$(MAKE) --no-print-directory api
	@$(MAKE) --no-print-directory e2e

# libFuzzer harnesses: clang, each linked with the library built by clang.
FUZZ_BUILD := build-fuzz
fuzz:
	@$(MAKE) --no-print-directory CC=clang BUILD=$(FUZZ_BUILD) \
		SAN_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" OPT=-O1 $(FUZZ_BUILD)/libparta.a
	@set -e; mkdir -p $(FUZZ_BUILD)/fuzz; for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		clang -std=c11 -D_GNU_SOURCE -O1 -g -Isrc -fsanitize=fuzzer,address,undefined \
			-o $(FUZZ_BUILD)/fuzz/$$n $$f $(FUZZ_BUILD)/libparta.a $(LDLIBS) -pthread; \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
		echo "== $$n for $(FUZZ_SECONDS)s"; \
		if ! $(FUZZ_BUILD)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
			-artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n \
			> $(FUZZ_BUILD)/$$n.log 2>&1; then tail -n 40 $(FUZZ_BUILD)/$$n.log; exit 1; fi; \
		tail -n 1 $(FUZZ_BUILD)/$$n.log; \
	done

# bench/load: the load generator of bench/run. It links the server's pure
# WebSocket framing and SHA-1 (and what they need), never its sockets code.
LOAD_SRC := $(sort $(wildcard bench/load/*.c))
LOAD_OBJ := $(LOAD_SRC:%.c=$(BUILD)/%.o)
LOAD_LIB := $(BUILD)/src/net/ws.o $(BUILD)/src/base/sha1.o $(BUILD)/src/base/utf8.o \
	$(BUILD)/src/base/alloc.o

$(BUILD)/bench/parta-load: $(LOAD_OBJ) $(LOAD_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libsodium 2>/dev/null || echo -lsodium)

-include $(LOAD_OBJ:.o=.d)

bench: build $(BUILD)/bench/parta-load
	bash bench/run $(if $(FULL),--full,)

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d $(BUILD)/src/demo.d
