# ace - App Container Executor. One Makefile for the whole tree (see README.md).
#
#   make            build everything into build/
#   make deps       install build and test dependencies from Debian (idempotent)
#   make check      deps + build + every test (unit, functional as root, brief fuzzing)
#   make sanitize   unit and functional tests with ASan+UBSan builds of ace and actool
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each
#   make bench      side-by-side benchmarks (bench/README.md)
#   make demo       deps + build + a demo pod
#   make install    PREFIX=/usr/local DESTDIR=
#   make format     clang-format every source file

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
DATADIR ?= $(PREFIX)/share
# Where ace looks for its default stage1 image (and vendor config). The packaged default is
# /usr/lib/ace; it follows PREFIX so that `make install PREFIX=/opt/ace` is self-consistent.
ACE_LIBDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/ace,$(LIBDIR)/ace)
DESTDIR ?=
VERSION := 0.1.0

CC ?= gcc
BUILD ?= build
SAN ?=
CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wno-format-nonliteral -Wpointer-arith -Wimplicit-fallthrough
ACE_CPPFLAGS := -I. -D_GNU_SOURCE -DACE_VERSION='"$(VERSION)"' -DACE_LIBDIR='"$(ACE_LIBDIR)"'
ACE_CFLAGS := -std=gnu11 $(WARNINGS) -fno-strict-aliasing -pipe
ifneq ($(SAN),)
ACE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ACE_LDFLAGS += -fsanitize=address,undefined
endif

# ace and actool link only LINK_PKGS; the LAZY_PKGS are loaded with dlopen by the commands that
# use them (common/lazylib.h), and linked by the test and fuzz binaries only.
LINK_PKGS := json-c libcrypto sqlite3 libseccomp libcap
LAZY_PKGS := libarchive libssl gpgme libcurl libxml-2.0 libmicrohttpd liblzma
PKG_CFLAGS = $(shell pkg-config --cflags $(LINK_PKGS) $(LAZY_PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null)
TEST_PKG_LIBS = $(shell pkg-config --libs $(LINK_PKGS) $(LAZY_PKGS) 2>/dev/null)
CRIT_LIBS = $(shell pkg-config --libs criterion 2>/dev/null)

# Sources are found by directory, so a new module is one new file.
LIB_SRCS := $(sort $(wildcard common/*.c schema/*.c discovery/*.c))
STAGE0_SRCS := $(sort $(filter-out stage0/main.c,$(wildcard stage0/*.c stage0/*/*.c)))
ACTOOL_SRCS := $(sort $(wildcard actool/*.c))
STAGE1_SRCS := $(sort $(wildcard stage1/*.c))
STAGE2_SRCS := $(sort $(wildcard stage2/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
FUNC_SRCS := $(sort $(wildcard tests/functional/*.c))
TESTLIB_SRCS := $(sort $(wildcard tests/lib/*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
sobj = $(patsubst %.c,$(BUILD)/sobj/%.o,$(1))

LIBACE := $(BUILD)/libace.a
LIBSTAGE0 := $(BUILD)/libace-stage0.a
LIBACE_STATIC := $(BUILD)/libace-static.a
ACE := $(BUILD)/ace
ACTOOL := $(BUILD)/actool
STAGE1_BIN := $(BUILD)/stage1/ace-stage1
STAGE2_BIN := $(BUILD)/stage1/ace-stage2
PROBE := $(BUILD)/tests/probe
STAGE1_ACI := $(BUILD)/stage1.aci
UNIT_TESTS := $(BUILD)/tests/unit-tests
FUNC_TESTS := $(BUILD)/tests/functional-tests

BINS := $(if $(ACTOOL_SRCS),$(ACTOOL)) $(if $(wildcard stage0/main.c),$(ACE)) \
	$(if $(STAGE1_SRCS),$(STAGE1_BIN) $(STAGE2_BIN) $(STAGE1_ACI)) \
	$(if $(wildcard tests/probe/probe.c),$(PROBE))

.PHONY: all deps check test test-unit test-functional sanitize fuzz fuzz-build bench demo \
	install uninstall format clean
all: $(BINS)

# ---- objects -------------------------------------------------------------------------------
# Dynamic objects (ace, actool, tests) and static ones (stage1/stage2, linked with -static).
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ACE_CPPFLAGS) $(ACE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/sobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ACE_CPPFLAGS) -std=gnu11 $(WARNINGS) -fno-strict-aliasing $(PKG_CFLAGS) $(CFLAGS) \
		-MMD -MP -c $< -o $@

# curl's compile-time checks of curl_easy_setopt/getinfo arguments (typecheck-gcc.h) are
# macros around the real calls; common/lazy_curl.h routes the calls through its table instead, so
# http.c is compiled once more with curl's macros kept, for the checks only (never linked).
CURL_TYPECHECK := $(BUILD)/obj/discovery/http.curl-typecheck.o
$(CURL_TYPECHECK): discovery/http.c
	@mkdir -p $(dir $@)
	$(CC) $(ACE_CPPFLAGS) -DLAZY_CURL_TYPECHECK $(ACE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP \
		-c $< -o $@

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

$(LIBACE): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(LIBSTAGE0): $(call obj,$(STAGE0_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(LIBACE_STATIC): $(call sobj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

# ---- binaries -----------------------------------------------------------------------------
$(ACTOOL): $(call obj,$(ACTOOL_SRCS)) $(LIBACE) $(CURL_TYPECHECK)
	$(CC) $(ACE_LDFLAGS) $(LDFLAGS) -o $@ $(call obj,$(ACTOOL_SRCS)) $(LIBACE) $(PKG_LIBS)

# The verb table references verbs weakly, so the stage0 archive is linked whole.
$(ACE): $(call obj,stage0/main.c) $(LIBSTAGE0) $(LIBACE) $(CURL_TYPECHECK)
	$(CC) $(ACE_LDFLAGS) $(LDFLAGS) -o $@ $(call obj,stage0/main.c) \
		-Wl,--whole-archive $(LIBSTAGE0) -Wl,--no-whole-archive $(LIBACE) $(PKG_LIBS)

# stage1 and stage2 are static: they run inside the pod and must not load anything from it.
STATIC_LIBS := -Wl,-Bstatic -ljson-c -lseccomp -lcap -Wl,-Bdynamic
$(STAGE1_BIN): $(call sobj,$(STAGE1_SRCS)) $(LIBACE_STATIC)
	@mkdir -p $(dir $@)
	$(CC) -static $(LDFLAGS) -o $@ $(call sobj,$(STAGE1_SRCS)) $(LIBACE_STATIC) -ljson-c -lseccomp -lcap

# stage2's default seccomp filter, built once here by the generator (stage2/seccomp.h) with
# the same static libseccomp as stage2.
SECCOMP_GEN := $(BUILD)/gen/seccomp-default-gen
SECCOMP_INC := $(BUILD)/gen/seccomp_default_bpf.inc
$(SECCOMP_GEN): $(call sobj,stage2/gen/seccomp_default_gen.c stage2/seccomp.c stage2/seccomp_groups.c) $(LIBACE_STATIC)
	@mkdir -p $(dir $@)
	$(CC) -static $(LDFLAGS) -o $@ $^ -ljson-c -lseccomp -lcap
$(SECCOMP_INC): $(SECCOMP_GEN)
	$(SECCOMP_GEN) > $@.tmp && mv $@.tmp $@
$(BUILD)/sobj/stage2/seccomp_default.o $(BUILD)/obj/tests/unit/mod_stage2_seccomp.o: $(SECCOMP_INC)
$(BUILD)/sobj/stage2/seccomp_default.o $(BUILD)/obj/tests/unit/mod_stage2_seccomp.o: \
	ACE_CPPFLAGS += -I$(BUILD)/gen

$(STAGE2_BIN): $(call sobj,$(STAGE2_SRCS)) $(LIBACE_STATIC)
	@mkdir -p $(dir $@)
	$(CC) -static $(LDFLAGS) -o $@ $(call sobj,$(STAGE2_SRCS)) $(LIBACE_STATIC) -ljson-c -lseccomp -lcap

$(PROBE): tests/probe/probe.c
	@mkdir -p $(dir $@)
	$(CC) -static $(ACE_CPPFLAGS) -std=gnu11 $(WARNINGS) -O2 -o $@ $<

# The stage1 image: an ACI built with our own actool from the static binaries.
$(STAGE1_ACI): $(STAGE1_BIN) $(STAGE2_BIN) $(if $(ACTOOL_SRCS),$(ACTOOL)) stage1/aci-manifest.json stage1/build-aci.sh
	sh stage1/build-aci.sh $(BUILD) $(ACTOOL) $(STAGE1_BIN) $(STAGE2_BIN) $@

# ---- tests --------------------------------------------------------------------------------
$(UNIT_TESTS): $(call obj,$(UNIT_SRCS) $(TESTLIB_SRCS)) $(LIBSTAGE0) $(LIBACE)
	@mkdir -p $(dir $@)
	$(CC) $(ACE_LDFLAGS) $(LDFLAGS) -o $@ $(call obj,$(UNIT_SRCS) $(TESTLIB_SRCS)) $(LIBSTAGE0) $(LIBACE) $(TEST_PKG_LIBS) $(CRIT_LIBS)

$(FUNC_TESTS): $(call obj,$(FUNC_SRCS) $(TESTLIB_SRCS)) $(LIBSTAGE0) $(LIBACE)
	@mkdir -p $(dir $@)
	$(CC) $(ACE_LDFLAGS) $(LDFLAGS) -o $@ $(call obj,$(FUNC_SRCS) $(TESTLIB_SRCS)) $(LIBSTAGE0) $(LIBACE) $(TEST_PKG_LIBS) $(CRIT_LIBS)

# Test binaries find the built tools through ACE_BUILD.
TEST_ENV := ACE_BUILD=$(abspath $(BUILD)) ACE_SRC=$(abspath .)
CRITERION_FLAGS ?= --jobs=2

test-unit: all $(UNIT_TESTS)
	$(TEST_ENV) $(UNIT_TESTS) $(CRITERION_FLAGS)

test-functional: all $(FUNC_TESTS)
	$(TEST_ENV) $(FUNC_TESTS) $(CRITERION_FLAGS)

test: test-unit $(if $(FUNC_SRCS),test-functional) fuzz-smoke

NPROC := $(shell nproc 2>/dev/null || echo 2)
check: deps
	$(MAKE) -j$(NPROC) all $(UNIT_TESTS) $(if $(FUNC_SRCS),$(FUNC_TESTS)) $(if $(FUZZ_SRCS),fuzz-build)
	$(MAKE) test

# Third-party leaks (libcriterion's) are suppressed; ours fail the run (tests/lsan.supp).
SAN_ENV := LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0
sanitize: deps
	$(MAKE) BUILD=build-san SAN=1 all
	$(SAN_ENV) $(MAKE) BUILD=build-san SAN=1 test-unit $(if $(FUNC_SRCS),test-functional)

# ---- fuzzing (clang libFuzzer) --------------------------------------------------------------
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_BUILD := build-fuzz
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB_SRCS := $(LIB_SRCS)

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS)
	@mkdir -p $(dir $@)
	clang $(ACE_CPPFLAGS) -std=gnu11 $(FUZZ_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(FUZZ_LIB_SRCS) $(TEST_PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

define run_fuzzer
	mkdir -p $(FUZZ_BUILD)/corpus/$(notdir $(1)) && \
	$(1) -max_total_time=$(2) -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		$(FUZZ_BUILD)/corpus/$(notdir $(1)) tests/fuzz/corpus/$(notdir $(1)) 2>&1 | tail -n 12
endef

fuzz: fuzz-build
	@set -e; $(foreach f,$(FUZZ_BINS),$(call run_fuzzer,$(f),$(FUZZ_SECONDS));)

fuzz-smoke: $(if $(FUZZ_SRCS),fuzz-build)
	@set -e; $(foreach f,$(FUZZ_BINS),$(call run_fuzzer,$(f),$(FUZZ_SMOKE_SECONDS));)

# ---- benchmarks, demo -------------------------------------------------------------------------
bench: all
	sh bench/run.sh $(BUILD)

demo: deps
	$(MAKE) all
	sh tests/demo.sh $(BUILD)

# ---- dependencies -----------------------------------------------------------------------------
DEB_PKGS := build-essential pkg-config clang libclang-rt-14-dev clang-format \
	libarchive-dev liblzma-dev libjson-c-dev libssl-dev libgpgme-dev libseccomp-dev libcurl4-openssl-dev \
	libxml2-dev libsqlite3-dev libmicrohttpd-dev libcap-dev libcriterion-dev \
	appc-spec busybox-static nginx-light containernetworking-plugins gnupg openssl \
	iproute2 iptables crun hyperfine zstd xz-utils bzip2 libarchive-tools uuid-runtime \
	systemd strace

deps:
	@missing=$$(dpkg-query -W -f='$${Package} $${db:Status-Abbrev}\n' $(DEB_PKGS) 2>/dev/null \
		| awk '$$2 != "ii" {print $$1}'; \
		for p in $(DEB_PKGS); do dpkg-query -W $$p >/dev/null 2>&1 || echo $$p; done); \
	missing=$$(echo $$missing | tr ' ' '\n' | sort -u | tr '\n' ' '); \
	if [ -n "$$(echo $$missing | tr -d ' ')" ]; then \
		echo "deps: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi

# ---- install ----------------------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(ACE_LIBDIR)
	install -m 0755 $(ACTOOL) $(DESTDIR)$(BINDIR)/actool
	$(if $(wildcard stage0/main.c),install -m 0755 $(ACE) $(DESTDIR)$(BINDIR)/ace)
	$(if $(STAGE1_SRCS),install -m 0644 $(STAGE1_ACI) $(DESTDIR)$(ACE_LIBDIR)/stage1.aci)
	$(if $(wildcard Documentation/man/*.1),install -d $(DESTDIR)$(DATADIR)/man/man1 && \
		install -m 0644 Documentation/man/*.1 $(DESTDIR)$(DATADIR)/man/man1/)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/actool $(DESTDIR)$(BINDIR)/ace $(DESTDIR)$(ACE_LIBDIR)/stage1.aci

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-fuzz
