# p2pshare: top-level build.  `make help` lists the targets.

KVERS_ALL := $(shell ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4 | sort -V)
KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
		else ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4 | sort -V | tail -n1; fi)
BUILD := build
HARNESS_DIR ?= /var/cache/p2pshare/tools/testing/selftests
QEMU_PLUGIN_INC ?= /var/cache/p2pshare/qemu/include/qemu

CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Werror -std=gnu11 -D_GNU_SOURCE
CPPFLAGS += -Ikmod/uapi -Ikmod -Iuserspace -Iuserspace/lib
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
SODIUM_LIBS := $(shell pkg-config --libs libsodium 2>/dev/null)
MNL_LIBS := $(shell pkg-config --libs libmnl 2>/dev/null)
# LAN discovery (p2pctl discover, get --trust-discovered) needs libavahi-client;
# without its -dev package p2pctl still builds, and discover says what is missing.
AVAHI_CFLAGS := $(shell pkg-config --cflags avahi-client 2>/dev/null && echo -DP2P_HAVE_AVAHI)
AVAHI_LIBS := $(shell pkg-config --libs avahi-client 2>/dev/null)

LIB_SRCS := $(wildcard userspace/lib/*.c) kmod/wire.c
P2PCTL_SRCS := $(wildcard userspace/*.c)
TWIN_SRCS := $(wildcard userspace/p2pd/*.c) kmod/ratelimit.c
HDRS := $(wildcard kmod/uapi/*.h kmod/wire.h kmod/ratelimit.h userspace/*.h userspace/lib/*.h userspace/p2pd/*.h)

HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/tests/host/%,$(wildcard tests/host/test_*.c))
# build/tests/guest holds the guest test programs and nothing else: tests/run
# runs every program there.  The programs the guest tests call with their
# arguments (tests/helpers/) go to build/tests/helpers.
GUEST_TESTS := $(patsubst tests/guest/%.c,$(BUILD)/tests/guest/%,$(wildcard tests/guest/*.c))
# kTLS: the host kernel has none, so this host test runs in the guest too.
GUEST_TESTS += $(BUILD)/tests/guest/evil_server
TEST_HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(wildcard tests/helpers/*.c))
# The host test programs again, with AddressSanitizer and UBSan: make check-asan.
ASAN_DIR := $(BUILD)/asan
ASAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
ASAN_TESTS := $(patsubst tests/host/%.c,$(ASAN_DIR)/tests/host/%,$(wildcard tests/host/test_*.c))
BENCH_BIN := $(BUILD)/bench/bin
BENCH_TOOLS := $(BENCH_BIN)/p2pbench $(BENCH_BIN)/rawd $(BENCH_BIN)/mark $(BUILD)/bench/insn_count.so

.PHONY: all module modules-all modules-selftest p2pctl twin bench bench-profile bench-swarm bench-tools tests tests-asan deps \
	check check-host check-asan check-guest lint fuzz demo clean help ynl-gen ynl-check

all: module p2pctl twin

help:
	@echo 'make                build kmod/p2pshare.ko (KVER=$(KVER)) and userspace/p2pctl'
	@echo 'make modules-all    build the module for every installed kernel: build/KVER/kmod/'
	@echo 'make modules-selftest  the same with its load-time self-test: build/selftest/KVER/kmod/'
	@echo 'make twin           build userspace/p2pd/p2pd, the userspace twin server'
	@echo 'make bench          boot a guest, run every server and peer on the same data (~30 min): build/bench/'
	@echo 'make bench-profile  where the small-file instructions go, per kernel function: build/bench/profile/'
	@echo 'make bench-swarm    one file to 3-15 hosts behind slow uplinks, client-server vs swarm: build/bench/swarm/'
	@echo 'make check          deps + lint + builds + host tests + guest tests on every kernel'
	@echo 'make ynl-gen        regenerate kmod/uapi/p2pshare_nl.h, kmod/netlink-gen.[ch] from docs/netlink.yaml'
	@echo 'make ynl-check      fail if regenerating them would change anything'
	@echo 'make lint           checkpatch on kmod/, shellcheck on scripts/ and tests/, cycles (docs/LINT.md)'
	@echo 'make check-asan     the host tests built with ASan and UBSan: build/asan/'
	@echo 'make fuzz           libFuzzer targets, FUZZ_TIME seconds each (default 60)'
	@echo 'make demo           boot a guest, load the module and use it'
	@echo 'make deps           install what make check needs (root; scripts/deps.sh demo/bench/all for the others)'
	@echo 'make install        p2pctl, man pages, completion, systemd unit, module source for DKMS'
	@echo '                    (PREFIX=$(PREFIX), DESTDIR); make uninstall removes them'
	@echo 'make dkms-install   make install, then DKMS builds the module for every kernel (root)'
	@echo 'make deb            build/deb/p2pshare-dkms_*.deb and p2pctl_*.deb, checked by lintian'

module:
	@[ -n "$(KVER)" ] || { echo "make: no kernel headers in /lib/modules/*/build (make deps)"; exit 1; }
	@[ "$(KVER)" = "$$(uname -r)" ] || [ "$(origin KVER)" != file ] || \
		echo "make: the running kernel $$(uname -r) has no headers; building for $(KVER) (set KVER=)"
	+@scripts/build-module.sh $(KVER)
	@cp $(BUILD)/$(KVER)/kmod/p2pshare.ko kmod/p2pshare.ko

modules-all:
	+@set -e; for k in $(KVERS_ALL); do scripts/build-module.sh $$k; done

modules-selftest:
	+@set -e; for k in $(KVERS_ALL); do scripts/build-module.sh --selftest $$k; done

p2pctl: userspace/p2pctl

userspace/p2pctl: $(P2PCTL_SRCS) $(LIB_SRCS) $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(NL_CFLAGS) $(AVAHI_CFLAGS) -o $@ $(P2PCTL_SRCS) $(LIB_SRCS) \
		$(LDFLAGS) $(NL_LIBS) $(SODIUM_LIBS) $(AVAHI_LIBS) -lpthread

twin: userspace/p2pd/p2pd

userspace/p2pd/p2pd: $(TWIN_SRCS) $(LIB_SRCS) $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(TWIN_SRCS) $(LIB_SRCS) $(SODIUM_LIBS) -lpthread

bench-tools: $(BENCH_TOOLS)

$(BENCH_BIN)/p2pbench: bench/p2pbench.c $(LIB_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB_SRCS) $(SODIUM_LIBS) -lpthread

$(BENCH_BIN)/rawd: bench/rawd.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lpthread

# Static, without libc: the phase mark adds few instructions of its own.
$(BENCH_BIN)/mark: bench/mark.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -static -nostdlib -ffreestanding -fno-stack-protector \
		-fno-pie -no-pie -o $@ $<

$(BUILD)/bench/insn_count.so: bench/insn_count.c
	@test -r $(QEMU_PLUGIN_INC)/qemu-plugin.h || \
		{ echo "no $(QEMU_PLUGIN_INC)/qemu-plugin.h: run scripts/deps.sh bench"; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -fPIC -I$(QEMU_PLUGIN_INC) -o $@ $< -lpthread

# scripts/bench.sh installs its packages (scripts/deps.sh bench), then builds.
bench:
	@scripts/bench.sh

# Where the instructions of the small-file phase go, per kernel function (docs/BENCHMARKS.md).
bench-profile:
	@scripts/bench.sh --profile

# One guest, a seed and up to 15 hosts behind tc-limited uplinks (docs/BENCHMARKS.md, "Swarm").
bench-swarm:
	@scripts/bench-swarm.sh

# The twin is a guest test program too (tests/guest/dp_conformance_twin.sh).
# A program left in build/tests/guest by an older tree (a helper that lived
# there, a test since renamed) would run as a test: it goes.
tests: $(HOST_TESTS) $(GUEST_TESTS) $(TEST_HELPERS) userspace/p2pd/p2pd
	@find $(BUILD)/tests/guest -maxdepth 1 -type f \
		$(patsubst %,! -path %,$(GUEST_TESTS)) -delete

$(BUILD)/tests/host/%: tests/host/%.c $(LIB_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(HARNESS_DIR) $(CFLAGS) -o $@ $< $(LIB_SRCS) $(SODIUM_LIBS)

tests-asan: $(ASAN_TESTS)

$(ASAN_DIR)/tests/host/%: tests/host/%.c $(LIB_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(HARNESS_DIR) $(CFLAGS) $(ASAN_CFLAGS) -o $@ $< $(LIB_SRCS) $(SODIUM_LIBS)

$(BUILD)/tests/guest/evil_server: tests/host/test_evil_server.c $(LIB_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(HARNESS_DIR) $(CFLAGS) -o $@ $< $(LIB_SRCS) $(SODIUM_LIBS)

$(BUILD)/tests/guest/%: tests/guest/%.c $(LIB_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(HARNESS_DIR) $(CFLAGS) -o $@ $< $(LIB_SRCS) \
		$(MNL_LIBS) $(SODIUM_LIBS)

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(LIB_SRCS) $(HDRS) $(wildcard tests/helpers/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB_SRCS) $(MNL_LIBS) $(SODIUM_LIBS)

deps:
	@if [ "$$(id -u)" = 0 ]; then scripts/deps.sh test; else sudo scripts/deps.sh test; fi

check:
	@scripts/check.sh

# The netlink code generated from docs/netlink.yaml by the kernel's ynl-gen-c.py.
ynl-gen:
	@scripts/ynl-gen.sh

ynl-check:
	@scripts/ynl-gen.sh --check

check-host: tests
	@tests/run --host

check-asan: tests-asan
	@tests/run --host-asan

# make lint: docs/LINT.md.  LINT_CYCLES=fail makes a cycle between the files
# of kmod/ or of userspace/ an error; warn only prints it.
LINT_CYCLES ?= fail
LINT_OBJS := $(patsubst %.c,$(BUILD)/lint/%.o,$(P2PCTL_SRCS) $(TWIN_SRCS) $(wildcard userspace/lib/*.c))

lint: $(LINT_OBJS)
	+@scripts/build-module.sh $(KVER)
	@LINT_CYCLES=$(LINT_CYCLES) scripts/lint.sh $(KVER)

# Objects only for nm (scripts/cycles.py): which file calls which, unoptimised
# so that every call in the source is one; the real builds check the warnings.
$(BUILD)/lint/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(CC) $(CPPFLAGS) -std=gnu11 -D_GNU_SOURCE -O0 -w $(NL_CFLAGS) $(AVAHI_CFLAGS) -c -o $@ $<

check-guest: all tests
	@tests/run --guest $(KVER)

fuzz:
	@$(MAKE) -s -f fuzz/Makefile run

demo:
	@scripts/demo.sh

clean:
	rm -rf $(BUILD) kmod/p2pshare.ko userspace/p2pctl userspace/p2pd/p2pd

# Installation: docs/INSTALL.md.  With DESTDIR set, nothing outside it is touched.
VERSION := $(shell sed -n 's/^\#define P2P_MODULE_VERSION "\(.*\)"/\1/p' kmod/version.h)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DKMSSRCDIR ?= /usr/src/p2pshare-$(VERSION)
INSTALL ?= install
DKMS_SRCS := Kbuild kmod/Kbuild \
	$(filter-out %.mod.c,$(wildcard kmod/*.[ch] kmod/uapi/*.h kmod/selftest/*.[ch]))
INSTALLED := $(BINDIR)/p2pctl $(MANDIR)/man8/p2pctl.8 $(MANDIR)/man7/p2pshare.7 \
	$(MANDIR)/man5/p2pshare.conf.5 \
	$(COMPLETIONDIR)/p2pctl $(SYSTEMDUNITDIR)/p2pshare.service

.PHONY: install install-dkms-src uninstall dkms-install deb

install: p2pctl install-dkms-src
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	$(INSTALL) -m 0755 userspace/p2pctl $(DESTDIR)$(BINDIR)/p2pctl
	$(INSTALL) -m 0644 man/p2pctl.8 $(DESTDIR)$(MANDIR)/man8/p2pctl.8
	$(INSTALL) -m 0644 man/p2pshare.7 $(DESTDIR)$(MANDIR)/man7/p2pshare.7
	$(INSTALL) -m 0644 man/p2pshare.conf.5 $(DESTDIR)$(MANDIR)/man5/p2pshare.conf.5
	$(INSTALL) -m 0644 completion/p2pctl $(DESTDIR)$(COMPLETIONDIR)/p2pctl
	sed 's|/usr/bin/p2pctl|$(BINDIR)/p2pctl|g' systemd/p2pshare.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/p2pshare.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/p2pshare.service

install-dkms-src:
	@set -e; for f in $(DKMS_SRCS); do \
		$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(DKMSSRCDIR)/$$f; done
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DESTDIR)$(DKMSSRCDIR)/dkms.conf
	chmod 0644 $(DESTDIR)$(DKMSSRCDIR)/dkms.conf

# DKMS keeps its own record of the module: drop it before its source goes.
uninstall:
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && \
	    [ -n "$$(dkms status -m p2pshare -v $(VERSION) 2>/dev/null)" ]; then \
		echo "dkms remove p2pshare/$(VERSION) --all"; \
		dkms remove p2pshare/$(VERSION) --all; fi
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rm -rf $(DESTDIR)$(DKMSSRCDIR)

# The version stays while the code changes: drop what DKMS built from the old source.
dkms-install: install
	@[ -z "$(DESTDIR)" ] || { echo "dkms-install: DKMS acts on this system, not DESTDIR" >&2; exit 1; }
	@if [ -n "$$(dkms status -m p2pshare -v $(VERSION))" ]; then \
		echo "dkms remove p2pshare/$(VERSION) --all"; dkms remove p2pshare/$(VERSION) --all; fi
	dkms add p2pshare/$(VERSION)
	@set -e; for k in $(KVERS_ALL); do echo "dkms install p2pshare/$(VERSION) -k $$k"; \
		dkms install p2pshare/$(VERSION) -k $$k; done

deb:
	@scripts/deb.sh
