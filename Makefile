# Kabar: a news server for Gemini and Gopher.
# `make run` serves the sample capsule; `make test` runs every test.

PREFIX  ?= /usr/local
DESTDIR ?=
# Where `make install` puts things; a Debian packager sets PREFIX=/usr and
# DESTDIR=debian/kabar. The configuration goes to SYSCONFDIR only when
# DESTDIR is set (a package), so a local install never touches /etc.
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/kabar
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(PREFIX)/lib/systemd/system
# The starter capsule, copied to /srv/kabar by the package (or by hand).
DATADIR    ?= $(PREFIX)/share/kabar
STARTER    := dist/capsule/index.gmi dist/capsule/news/welcome.md
MAN_PAGES  := doc/kabar.8 doc/kabar.yaml.5
EXAMPLES   := dist/kabar.yaml dist/haproxy.cfg doc/pre-commit
DOCS       := README.md doc/editors-guide.md doc/scaling.md
BUILD   ?= build
CC      ?= cc

VERSION := 0.1.0
CFLAGS  ?= -O2 -g
# The modules sit in folders by concern (doc/architecture.md); one -I a
# folder keeps `#include "NAME.h"` the same wherever a header lives.
INCLUDE_DIRS := $(sort $(wildcard include/*))
CFLAGS  += -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -D_GNU_SOURCE -DKABAR_VERSION='"$(VERSION)"' \
           $(addprefix -I,$(INCLUDE_DIRS)) -I/usr/include/libexttextcat -MMD -MP
LDLIBS  += -lssl -lcrypto -lmagic -lyaml -lmd4c -lgumbo -lutf8proc -lunibreak -lexttextcat-2.0 -lstemmer -lm -lpthread

# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# FUZZ=1 instruments the modules for libFuzzer (with ASan and UBSan).
ifeq ($(FUZZ),1)
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
endif

LIB_SRC := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

.SECONDARY:

.PHONY: all bench corpus fuzz fuzz-targets run test test-unit test-sanitize test-valgrind \
        build-san-units deps clean install uninstall lint-man

all: $(BUILD)/kabar

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/test_%.o: tests/unit/test_%.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -Itests/unit -c -o $@ $<

# Tests link against this archive, so each takes only the modules it uses.
$(BUILD)/libkabar.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/kabar: $(BUILD)/obj/cli/main.o $(BUILD)/libkabar.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/%.o $(BUILD)/libkabar.a | $(BUILD)/tests
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/%: $(BUILD)/obj/%.o $(BUILD)/libkabar.a | $(BUILD)/fuzz
	$(CC) $(LDFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests $(BUILD)/fuzz:
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

# The load generator and the floor responder are programs of their own:
# they share no module.
$(BUILD)/loadgen $(BUILD)/floor: $(BUILD)/%: bench/%.c | $(BUILD)/obj
	$(CC) -O2 -g -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lssl -lcrypto -lpthread

# Loads folders of real articles (default ../shared/corpus/*) and reports
# counts, refusals and timings.
corpus: $(BUILD)/kabar
	sh scripts/corpus.sh $(BUILD)/kabar $(CORPUS)

# Kabar beside Molly Brown and Gophernicus; writes BENCHMARKS.md. SCALE=N
# sets how many generated articles the scale figures load (default
# 100000; SCALE=1000000 is the big run, far too slow for CI).
bench:
	sh scripts/install-deps.sh build
	$(MAKE) $(BUILD)/kabar $(BUILD)/loadgen $(BUILD)/floor
	python3 bench/bench.py --build $(BUILD) $(if $(SCALE),--articles $(SCALE))

# Every libFuzzer target for FUZZ_SECONDS each, from its seed corpus in
# tests/fuzz/corpus/NAME/ (copied, so findings never dirty the tree).
fuzz:
	sh scripts/install-deps.sh test
	$(MAKE) BUILD=build-fuzz FUZZ=1 CC=clang fuzz-targets
	sh scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

fuzz-targets: $(FUZZ_BIN)

clean:
	rm -rf build build-san build-fuzz

# The binary, the manual pages, the documents and examples, the starter
# capsule, and the systemd unit with its paths filled in.
install: $(BUILD)/kabar
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/kabar $(DESTDIR)$(BINDIR)/kabar
	install -m 0644 doc/kabar.8 $(DESTDIR)$(MANDIR)/man8/kabar.8
	install -m 0644 doc/kabar.yaml.5 $(DESTDIR)$(MANDIR)/man5/kabar.yaml.5
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/kabar.service \
		> $(DESTDIR)$(UNITDIR)/kabar.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/kabar.service
	install -d $(DESTDIR)$(DATADIR)/capsule/news
	install -m 0644 dist/capsule/index.gmi $(DESTDIR)$(DATADIR)/capsule/index.gmi
	install -m 0644 dist/capsule/news/welcome.md $(DESTDIR)$(DATADIR)/capsule/news/welcome.md
ifneq ($(DESTDIR),)
	install -d $(DESTDIR)$(SYSCONFDIR)/kabar
	install -m 0644 dist/kabar.yaml $(DESTDIR)$(SYSCONFDIR)/kabar/kabar.yaml
endif

# Removes what install put, and the folders that are Kabar's own.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kabar $(DESTDIR)$(MANDIR)/man8/kabar.8 \
		$(DESTDIR)$(MANDIR)/man5/kabar.yaml.5 $(DESTDIR)$(UNITDIR)/kabar.service
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS))) \
		$(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES)))
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR)
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/capsule/,$(STARTER:dist/capsule/%=%))
	-rmdir $(DESTDIR)$(DATADIR)/capsule/news $(DESTDIR)$(DATADIR)/capsule $(DESTDIR)$(DATADIR)
ifneq ($(DESTDIR),)
	rm -f $(DESTDIR)$(SYSCONFDIR)/kabar/kabar.yaml
	-rmdir $(DESTDIR)$(SYSCONFDIR)/kabar
endif

# The manual pages, without a warning from mandoc or from man itself.
lint-man:
	mandoc -T lint -W warning $(MAN_PAGES)
	for page in $(MAN_PAGES); do \
		out=$$(MANWIDTH=80 man --warnings -l $$page 2>&1 >/dev/null); \
		if [ -n "$$out" ]; then echo "$$page: $$out"; exit 1; fi; \
	done

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/*/*.d)
