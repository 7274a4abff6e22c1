# Kabar: a news server for Gemini and Gopher.
# `make run` serves the sample capsule; `make test` runs every test.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

VERSION := 0.1.0
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -D_GNU_SOURCE -DKABAR_VERSION='"$(VERSION)"' \
           -Iinclude -MMD -MP
LDLIBS  += -lssl -lcrypto -lmagic -lyaml -lmd4c -lutf8proc -lpthread

# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.SECONDARY:

.PHONY: all bench run test test-unit test-sanitize test-valgrind build-san-units deps clean

all: $(BUILD)/kabar

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/test_%.o: tests/unit/test_%.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -Itests/unit -c -o $@ $<

# Tests link against this archive, so each takes only the modules it uses.
$(BUILD)/libkabar.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/kabar: $(BUILD)/obj/main.o $(BUILD)/libkabar.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/%.o $(BUILD)/libkabar.a | $(BUILD)/tests
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

# Installs the Debian packages the build and the tests need, when missing.
deps:
	sh scripts/install-deps.sh test

run:
	sh scripts/install-deps.sh build
	$(MAKE) $(BUILD)/kabar
	sh scripts/run-sample.sh $(BUILD)/kabar

# In CI (CI set) the suite runs twice, the second time on a clang build with
# ASan and UBSan, and the integration tests named in VALGRIND_TESTS run a
# third time under valgrind; one closing line counts them all.
VALGRIND_TESTS ?= gemini,gopher,publish

test:
	sh scripts/install-deps.sh test
	$(MAKE) $(BUILD)/kabar $(UNIT_BIN)
ifdef CI
	$(MAKE) BUILD=build-san SAN=1 CC=clang build-san/kabar build-san-units
	python3 tests/run.py --build $(BUILD) --build build-san --valgrind $(VALGRIND_TESTS)
else
	python3 tests/run.py --build $(BUILD)
endif

build-san-units: $(UNIT_BIN)

test-unit: $(UNIT_BIN)
	python3 tests/run.py --build $(BUILD) --unit-only

# The whole suite, built with ASan and UBSan into its own folder.
test-sanitize:
	sh scripts/install-deps.sh test
	$(MAKE) BUILD=build-san SAN=1 CC=clang build-san/kabar build-san-units
	python3 tests/run.py --build build-san

# The integration tests under valgrind (slow: a few minutes).
test-valgrind:
	sh scripts/install-deps.sh test
	$(MAKE) $(BUILD)/kabar
	python3 tests/run.py --build $(BUILD) --valgrind-only $(VALGRIND_TESTS)

# The load generator is a separate program of its own: it shares no module.
$(BUILD)/loadgen: bench/loadgen.c | $(BUILD)/obj
	$(CC) -O2 -g -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lssl -lcrypto -lpthread

# Kabar beside Molly Brown and Gophernicus; writes BENCHMARKS.md.
bench:
	sh scripts/install-deps.sh build
	$(MAKE) $(BUILD)/kabar $(BUILD)/loadgen
	python3 bench/bench.py --build $(BUILD)

clean:
	rm -rf build build-san

-include $(wildcard $(BUILD)/obj/*.d)
