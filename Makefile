# mxlab: top-level build.
#
#   make            build mxlab, the fakes and scenario-run into build/
#   make test       install what is missing, check the formatting, unit
#                   tests, then every scenario
#                   (report: build/report/html/index.html, junit.xml)
#   make asan       the same suite with AddressSanitizer + UBSan
#   make conformance  build the reference Exim 4.98.2, run the suite against
#                   it, compare with harness/conformance/expected
#                   (EXIM=/path/to/exim: against your own build)
#   make lab        install what is missing, build what changed, start the
#                   lab: mxlab and every fake, and print a tour (docs/lab.md)
#   make format     clang-format every C file
#   make docs-check README's status table, docs/learn.md and the man pages
#                   against the code (part of make test); make learn
#                   rewrites docs/learn.md
#   make logtools   Exim's eximstats and exigrep on a main log of mxlab's
#
# Experimental features are on by default; EXPERIMENTAL_<NAME>=no leaves
# one out (NAME: ARC DCC BMI DSN_INFO QUEUEFILE XCLIENT ESMTP_LIMITS).

BUILD    ?= build
CC       ?= cc
# Scenarios at once: most of a scenario is waiting (for a daemon, a peer,
# a time-out), so 10 is the fastest on 2 cores (docs/performance.md).
JOBS     ?= 10
PKGS      = libpcre2-8 openssl
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD      = -std=gnu11
OPT      ?= -O2 -g
SAN      ?=
CPPFLAGS += -Isrc -D_GNU_SOURCE
CFLAGS   += $(CSTD) $(OPT) $(WARN) $(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -llmdb -lspf2 -pthread
LDFLAGS  += $(SAN)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

FEATURES = ARC DCC BMI DSN_INFO QUEUEFILE XCLIENT ESMTP_LIMITS
$(foreach f,$(FEATURES),$(eval EXPERIMENTAL_$(f) ?= yes))
FEATURE_DEFS = $(foreach f,$(FEATURES),$(if $(filter yes,$(EXPERIMENTAL_$(f))),-DEXPERIMENTAL_$(f)))
CPPFLAGS += $(FEATURE_DEFS)
# As Exim's ALT_CONFIG_PREFIX: make ALT_CONFIG_PREFIX=/etc/mxlab/ makes
# -C accept only files under that directory (docs/security.md).
ifneq ($(ALT_CONFIG_PREFIX),)
CPPFLAGS += -DALT_CONFIG_PREFIX='"$(ALT_CONFIG_PREFIX)"'
endif
# The compiled-in exim_user and exim_group (default mxlab, which
# ci/install-deps.sh creates): make EXIM_USER=name EXIM_GROUP=name.
ifneq ($(EXIM_USER),)
CPPFLAGS += -DEXIM_USER='"$(EXIM_USER)"'
endif
ifneq ($(EXIM_GROUP),)
CPPFLAGS += -DEXIM_GROUP='"$(EXIM_GROUP)"'
endif

# Source files that belong to one experimental feature.  A feature's files
# are left out of the build together with the feature.
FEATURE_SRCS_ARC          = $(wildcard src/arc/*.c)
FEATURE_SRCS_DCC          = $(wildcard src/dcc/*.c)
FEATURE_SRCS_BMI          = $(wildcard src/bmi/*.c src/bmi/sdk/*.c)
FEATURE_SRCS_DSN_INFO     = $(wildcard src/deliver/dsn_info*.c)
FEATURE_SRCS_QUEUEFILE    = $(wildcard src/transport/queuefile*.c)
FEATURE_SRCS_XCLIENT      = $(wildcard src/smtp/xclient*.c)
FEATURE_SRCS_ESMTP_LIMITS = $(wildcard src/smtp/limits*.c src/transport/smtp_limits*.c)
FEATURE_OFF_SRCS = $(foreach f,$(FEATURES),$(if $(filter yes,$(EXPERIMENTAL_$(f))),,$(FEATURE_SRCS_$(f))))

ALL_SRCS  = $(shell find src -name '*.c' | sort)
TEST_SRCS = $(filter-out $(FEATURE_OFF_SRCS),$(filter %.c,$(foreach f,$(ALL_SRCS),$(if $(filter test-%,$(notdir $(f))),$(f)))))
LIB_SRCS  = $(filter-out src/main.c $(TEST_SRCS) $(FEATURE_OFF_SRCS),$(ALL_SRCS))
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BINS = $(foreach t,$(TEST_SRCS),$(BUILD)/tests/$(subst /,_,$(patsubst src/%.c,%,$(t))))

RUNNER_SRCS = $(sort $(wildcard harness/runner/*.c))
RUNNER_OBJS = $(RUNNER_SRCS:%.c=$(BUILD)/obj/%.o)

FAKE_DIRS  = $(filter-out fakes/common,$(patsubst %/,%,$(sort $(dir $(wildcard fakes/*/*.c)))))
FAKE_COMMON_SRCS = $(wildcard fakes/common/*.c)
FAKE_COMMON_OBJS = $(FAKE_COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
# fakes/dovecot builds fake-dovecot-auth, fakes/bmi fake-bmid (rules below).
FAKE_NAME  = $(patsubst bmi,bmid,$(patsubst dovecot,dovecot-auth,$(1)))
FAKE_BINS  = $(foreach d,$(FAKE_DIRS),$(BUILD)/fakes/fake-$(call FAKE_NAME,$(notdir $(d))))

# Brightmail: mxlab's stand-in for the client SDK, as a shared library and
# its header for an MTA built against it (Exim's EXPERIMENTAL_BRIGHTMAIL).
BMI_SDK_SRCS = $(wildcard src/bmi/sdk/*.c)
BMI_SDK_PIC  = $(BMI_SDK_SRCS:%.c=$(BUILD)/obj-pic/%.o)
BMI_SDK_OUT  = $(if $(filter yes,$(EXPERIMENTAL_BMI)),$(BUILD)/lib/libbmiclient_single.so $(BUILD)/include/bmi_api.h)

DEPS = $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

.PHONY: all test unit scenarios asan lab format deps clean check-format options-doc \
	conformance conformance-update
.DEFAULT_GOAL := all

all: $(BUILD)/mxlab $(BUILD)/scenario-run $(FAKE_BINS) $(BUILD)/quitrst $(BMI_SDK_OUT) \
     $(BUILD)/option-audit

# Objects depend on the flags they were built with: $(BUILD)/.flags is
# rewritten whenever the compiler, the flags or the feature set change, so
# that a build with EXPERIMENTAL_<NAME>=no never links stale objects.
FLAGS_STAMP = $(BUILD)/.flags
FLAGS_NOW   = $(CC) $(CPPFLAGS) $(CFLAGS)
$(shell mkdir -p $(BUILD) && echo '$(FLAGS_NOW)' | cmp -s - $(FLAGS_STAMP) \
    || echo '$(FLAGS_NOW)' > $(FLAGS_STAMP))

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libmxlab.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# -z now: the daemon resolves every library symbol once at start-up;
# with lazy binding each forked session process resolved them again
# (ld.so was 6 % of a session's CPU; docs/performance.md).
$(BUILD)/mxlab: $(BUILD)/obj/src/main.o $(BUILD)/libmxlab.a
	$(CC) $(LDFLAGS) -Wl,-z,now -o $@ $^ $(LDLIBS)

# docs/configuration.md's table of Exim's options beside mxlab's
# (harness/options/check.sh compares; make options-doc rewrites it).
$(BUILD)/option-audit: $(BUILD)/obj/harness/options/audit.o $(BUILD)/libmxlab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

options-doc: $(BUILD)/option-audit
	@sh harness/options/check.sh --update $(BUILD)/option-audit

$(BUILD)/scenario-run: $(RUNNER_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A fake is every .c file in its folder, plus fakes/common, compiled with
# the same flags as mxlab.
define FAKE_RULE
$(BUILD)/fakes/fake-$(2): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(1)/*.c)) $(FAKE_COMMON_OBJS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach d,$(FAKE_DIRS),$(eval $(call FAKE_RULE,$(d),$(call FAKE_NAME,$(notdir $(d))))))

$(BUILD)/obj-pic/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(BUILD)/lib/libbmiclient_single.so: $(BMI_SDK_PIC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libbmiclient_single.so -o $@ $^

$(BUILD)/include/bmi_api.h: src/bmi/sdk/bmi_api.h
	@mkdir -p $(dir $@)
	cp $< $@

# A unit test is src/<area>/test-<name>.c linked against the library.
define UNIT_TEST_RULE
$(BUILD)/tests/$(subst /,_,$(patsubst src/%.c,%,$(1))): $(BUILD)/obj/$(1:.c=.o) $(BUILD)/libmxlab.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(CHECK_LIBS) $$(LDLIBS)
endef
$(foreach t,$(TEST_SRCS),$(eval $(call UNIT_TEST_RULE,$(t))))

# Set-up: install what a fresh Debian 12 machine lacks.
deps:
	@sh ci/install-deps.sh

unit: $(TEST_BINS)
	@sh ci/run-unit.sh $(TEST_BINS)

# Run as root, each scenario's directory is given to mxlab's own user
# (exim_user, which ci/install-deps.sh creates), which mxlab drops to.
MTA_USER = $(if $(filter 0,$(shell id -u)),--mta-user mxlab)
# The suite's wall time is printed after it (issue 20 asks for it from
# make test's own run).
scenarios: all
	@t0=$$(date +%s%N); \
	 echo "$(BUILD)/scenario-run -j $(JOBS) --mta $(BUILD)/mxlab $(MTA_USER) ..."; \
	 $(BUILD)/scenario-run -j $(JOBS) --mta $(BUILD)/mxlab $(MTA_USER) \
	    --junit $(BUILD)/report/junit.xml --html $(BUILD)/report/html \
	    --title "mxlab: the scenario suite"; rc=$$?; \
	 echo "scenario suite: $$((($$(date +%s%N) - t0) / 1000000)) ms wall, -j $(JOBS), $$(nproc) CPUs"; \
	 exit $$rc
	@sh ci/dovecot-real.sh $(BUILD) $(JOBS)
	@sh harness/selftest/run.sh $(BUILD)/scenario-run $(BUILD)/mxlab
	@sh harness/selftest/html-chromium.sh $(BUILD)

test: deps
	$(MAKE) check-format
	$(MAKE) all
	$(MAKE) unit
	@sh ci/feature-off.sh
	@sh harness/options/check.sh $(BUILD)/option-audit
	$(MAKE) scenarios
	$(if $(filter yes,$(EXPERIMENTAL_ARC)),$(MAKE) arc-suite)
	$(if $(filter yes,$(EXPERIMENTAL_ARC)),$(MAKE) arc-suite-sign)
	$(MAKE) docs-check
	$(MAKE) logtools
	$(MAKE) crash-test

asan: deps
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" unit scenarios \
	    crash-test

# The suite against a real Exim: the reference Exim 4.98.2 that
# ci/build-exim.sh builds, or EXIM=/path/to/exim (docs/conformance.md).
EXIM ?=
conformance: all
	@sh harness/conformance/run.sh $(BUILD) $(JOBS) $(EXIM)
	@sh harness/logtools/run.sh $(BUILD)

# Exim's eximstats and exigrep (installed by ci/build-exim.sh) on a main
# log mxlab writes; skipped without them.
.PHONY: logtools
logtools: all
	@sh harness/logtools/run.sh $(BUILD)

conformance-update: all
	@sh harness/conformance/run.sh --update $(BUILD) $(JOBS) $(EXIM)

# The documentation against the code (harness/docs/): README's status
# table against -bV and the scenario folders; docs/learn.md against the
# scenarios; each binary's --help against its page in docs/man/.
.PHONY: docs-check
docs-check: all
	@/usr/bin/python3 harness/docs/check-status.py $(BUILD)/mxlab README.md
	@/usr/bin/python3 harness/docs/learn.py --check
	@sh harness/docs/check-man.sh $(BUILD)

# docs/learn.md, the scenarios as a learning path, written anew.
.PHONY: learn
learn:
	@/usr/bin/python3 harness/docs/learn.py

# mxlab's DKIM signatures byte for byte against Exim's: the signing
# scenarios' goldens (mxlab's output, the delivered message with its
# DKIM-Signature fields) must match what Exim delivers (docs/dkim.md).
DKIM_EXIM_SCENARIOS = $(wildcard scenarios/dkim/sign-* scenarios/dkim/opendkim-verify-*)
.PHONY: dkim-exim
dkim-exim: all
	@[ -n "$(EXIM)" ] || sh ci/build-exim.sh $(BUILD)
	$(BUILD)/scenario-run -j $(JOBS) --mta $(if $(EXIM),$(EXIM),$(BUILD)/exim/mta) \
	    --mta-user $(or $(EXIM_USER),eximlab) $(DKIM_EXIM_SCENARIOS)

lab: deps
	$(MAKE) all
	@sh ci/lab.sh $(BUILD)

format:
	clang-format -i $$(find src harness fakes -name '*.[ch]')

check-format:
	clang-format --dry-run --Werror $$(find src harness fakes -name '*.[ch]')

clean:
	rm -rf build build-asan build-featoff

-include $(DEPS)

# libFuzzer targets, one per parser: harness/fuzz/fuzz-NAME.c, with its
# seed corpus in harness/fuzz/corpus/NAME and, if present, a dictionary
# harness/fuzz/NAME.dict. The library is built with clang into
# build-fuzz/. "make fuzz-NAME" runs one target for FUZZ_SECONDS, "make
# fuzz" runs them all, FUZZ_JOBS at a time (CI: 60 s each). Findings go
# into build-fuzz/NAME-crash-* (libFuzzer's artifact prefix); "make fuzz"
# ends with a table of every target's result (harness/fuzz/summary.sh). The seed corpora
# come from the scenarios: python3 harness/fuzz/seeds.py.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
# libFuzzer's -runs (inputs, -1: no limit) and -timeout (seconds for one
# input, wall time: a fuzzer at a low priority on a loaded machine waits)
FUZZ_RUNS    ?= -1
FUZZ_TIMEOUT ?= 10
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS  = $(patsubst harness/fuzz/fuzz-%.c,%,$(wildcard harness/fuzz/fuzz-*.c))
.PHONY: fuzz fuzz-lib $(foreach t,$(FUZZ_TARGETS),fuzz-$(t) fuzz-$(t)-build)
fuzz-lib: deps
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" build-fuzz/libmxlab.a

define FUZZ_RULE
fuzz-$(1)-build: fuzz-lib
	$$(FUZZ_CC) $$(CPPFLAGS) $$(CSTD) -O1 -g $$(WARN) $$(FUZZ_SAN) -fsanitize=fuzzer \
	    $$(shell pkg-config --cflags $$(PKGS) 2>/dev/null) \
	    -o build-fuzz/fuzz-$(1) harness/fuzz/fuzz-$(1).c \
	    build-fuzz/libmxlab.a $$(LDLIBS)

fuzz-$(1): fuzz-$(1)-build
	@mkdir -p build-fuzz/corpus-$(1)
	@rm -f build-fuzz/rc-$(1)
	{ build-fuzz/fuzz-$(1) -max_total_time=$$(FUZZ_SECONDS) -runs=$$(FUZZ_RUNS) \
	    -timeout=$$(FUZZ_TIMEOUT) \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/$(1)- \
	    $$(if $$(wildcard harness/fuzz/$(1).dict),-dict=harness/fuzz/$(1).dict) \
	    build-fuzz/corpus-$(1) harness/fuzz/corpus/$(1) 2>&1; \
	  echo $$$$? > build-fuzz/rc-$(1); } | tee build-fuzz/fuzz-$(1).log
	@exit $$$$(cat build-fuzz/rc-$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

# FUZZ_JOBS targets run at once (2: CI has two cores); each one's output
# is printed when it ends (--output-sync), and -k lets the others finish
# when one finds something.
FUZZ_JOBS ?= 2
fuzz: fuzz-lib
	@rm -f build-fuzz/rc-*
	$(MAKE) --no-print-directory -k -j$(FUZZ_JOBS) --output-sync=target \
	    FUZZ_SECONDS=$(FUZZ_SECONDS) $(addprefix fuzz-,$(FUZZ_TARGETS)); \
	  rc=$$?; sh harness/fuzz/summary.sh build-fuzz $(FUZZ_TARGETS); exit $$rc

# The long run (issue 19, not in CI): make fuzz with each target run to 10
# million inputs or for one hour, whichever comes first, at a low priority
# and with 60 s for one input. "make fuzz-long FUZZ_TARGETS='a b'" runs some.
.PHONY: fuzz-long
fuzz-long:
	nice -n 15 $(MAKE) fuzz FUZZ_SECONDS=3600 FUZZ_RUNS=10000000 FUZZ_TIMEOUT=60

# Exim's own bmi_spam.c against mxlab's SDK and fake-bmid (needs an
# unpacked Exim 4.98.2 source tree: make bmi-exim EXIM_SRC=DIR).
.PHONY: bmi-exim
bmi-exim: all
	sh harness/bmi-exim/run.sh $(EXIM_SRC) $(BUILD)

# Load and endurance (issue 19, harness/soak/soak.sh; not in make test):
# SOAK_SESSIONS parallel sessions send SOAK_MESSAGES messages of mixed
# sizes to a daemon that delivers as they come, while two silent clients
# wait for smtp_receive_timeout and one trickling client is cut by
# smtp_session_max_time (SOAK_SESSION_MAX seconds, default 900); every
# 250 must be in the maildir or the spool, no zombie, no refusal, fds and
# RSS flat. Samples (second, fds, RSS, children) go to
# $(BUILD)/soak/samples; the run before is kept in $(BUILD)/soak.prev.
SOAK_SESSIONS ?= 200
SOAK_MESSAGES ?= 100000
.PHONY: soak
soak: $(BUILD)/mxlab $(BUILD)/smtpload
	rm -rf $(BUILD)/soak.prev
	if [ -d $(BUILD)/soak ]; then mv $(BUILD)/soak $(BUILD)/soak.prev; fi
	bash harness/soak/soak.sh $(BUILD) $(SOAK_SESSIONS) $(SOAK_MESSAGES) $(CURDIR)/$(BUILD)/soak

# valgrind (issue 19): the scenarios listed in harness/valgrind/sample,
# with mxlab run under memcheck (harness/valgrind/mxlab-vg, every child
# traced). Passes when every scenario passes and no process reported a
# memcheck error; the reports are kept in $(VG_LOGDIR). Not in make test
# (a few minutes on two cores). Run as root, as the runner gives each
# scenario's directory to the user mxlab.
VG_LOGDIR ?= $(CURDIR)/$(BUILD)/valgrind
# Every mxlab process takes seconds to start under memcheck: the runner's
# limits (10 s to listen, 30 s a command) are stretched this many times.
VG_TIME_FACTOR ?= 10
.PHONY: valgrind
valgrind: all
	@command -v valgrind >/dev/null || { echo "valgrind: not installed (sh ci/install-deps.sh)"; exit 1; }
	rm -rf $(VG_LOGDIR) && mkdir -p $(VG_LOGDIR) && chmod 1777 $(VG_LOGDIR)
	VG_LOGDIR=$(VG_LOGDIR) VG_MTA=$(CURDIR)/$(BUILD)/mxlab \
	    $(BUILD)/scenario-run -j 2 --time-factor $(VG_TIME_FACTOR) --mta harness/valgrind/mxlab-vg \
	    $$(id -u | grep -qx 0 && getent passwd mxlab >/dev/null && echo --mta-user mxlab) \
	    $$(grep -v '^#' harness/valgrind/sample)
	@n=$$(find $(VG_LOGDIR) -type f -size +0 | wc -l); \
	if [ "$$n" -ne 0 ]; then \
	    echo "valgrind: $$n process(es) reported errors:"; \
	    find $(VG_LOGDIR) -type f -size +0 -exec head -20 {} \; ; exit 1; \
	fi; \
	echo "valgrind: $$(ls $(VG_LOGDIR) | wc -l) processes, no memcheck error"

# Crash test (issue 4): SIGKILLs the receiving process (or the daemon's
# whole process group) at random points of DATA, before and after the 250,
# CRASH_RUNS times, then checks that every acknowledged message is whole in
# the spool and nothing half-written is listed. CRASH_SEED makes the draws.
CRASH_RUNS ?= 200
CRASH_SEED ?= 1
# Delivery (issues 5 and 19, harness/crash/deliver-crash.sh): SIGKILLs a
# delivery at a random point of a message's local and remote deliveries,
# in turn "mxlab -M", its whole process group, a queue run ("-qf") and a
# queue run's process group; finishes with a second -M, DCRASH_RUNS
# times, and checks every address got the message once (twice only where
# the kill fell between a delivery and its -J journal entry), nothing
# left on the spool. CI runs 40 (10 of each kind); the long run's figures
# are in docs/reliability.md.
DCRASH_RUNS ?= 40
.PHONY: crash-test bench bench-mem bench-deliver
# A client that resets the connection right after QUIT (protocol_detail
# scenarios).
$(BUILD)/quitrst: harness/quitrst/quitrst.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/crash-test: harness/crash/crash.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

crash-test: $(BUILD)/mxlab $(BUILD)/crash-test $(BUILD)/fakes/fake-smtp
	$(BUILD)/crash-test --mta $(BUILD)/mxlab --seed $(CRASH_SEED) \
	    --runs $(CRASH_RUNS) $(MTA_USER)
	sh harness/crash/deliver-crash.sh $(BUILD) $(CRASH_SEED) $(DCRASH_RUNS)
	sh harness/crash/syscall-kill.sh $(BUILD)

# Accept throughput, mxlab against Debian's Exim 4.96 (installed if
# missing); see docs/performance.md. Not part of make test.
$(BUILD)/smtpload: harness/bench/smtpload.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $< -pthread

$(BUILD)/smtpsink: harness/bench/smtpsink.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# DKIM signing and verifying rates, mxlab beside OpenSSL alone and
# dkimpy, in one run (docs/dkim.md). Not part of make test.
$(BUILD)/bench-dkim: harness/bench/bench-dkim.c harness/bench/benchlib.c $(BUILD)/libmxlab.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The public ARC test suite (harness/arc-suite/run.py): its validation
# cases through mxlab's verifier, with the cases' own key records.
$(BUILD)/arc-verify: harness/arc-suite/arc-verify.c $(BUILD)/libmxlab.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: arc-suite
arc-suite: $(BUILD)/arc-verify
	/usr/bin/python3 harness/arc-suite/run.py --verifier $(BUILD)/arc-verify \
	    harness/arc-suite/arc-test-suite

.PHONY: bench-dkim
bench-dkim: $(BUILD)/bench-dkim
	$(BUILD)/bench-dkim harness/dkim/keys/rsa2048.pem $(BENCH_SECONDS)
	/usr/bin/python3 harness/bench/bench-dkimpy.py harness/dkim/keys/rsa2048.pem $(BENCH_SECONDS)

# The signing cases of the ARC test suite (harness/arc-suite/sign-cases).
$(BUILD)/arc-sign-case: harness/arc-suite/arc-sign-case.c $(BUILD)/libmxlab.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: arc-suite-sign
arc-suite-sign: $(BUILD)/arc-sign-case
	/usr/bin/python3 harness/arc-suite/sign-cases $(BUILD)/arc-sign-case \
	    $(ARC_SUITE)/arc-draft-sign-tests.yml

ARC_SUITE ?= harness/arc-suite/arc-test-suite

# ARC sealing and verifying rates, mxlab beside OpenSSL alone and
# dkimpy, in one run. Not part of make test.
$(BUILD)/bench-arc: harness/bench/bench-arc.c harness/bench/benchlib.c $(BUILD)/libmxlab.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: bench-arc
bench-arc: $(BUILD)/bench-arc
	$(BUILD)/bench-arc harness/dkim/keys/rsa2048.pem $(BENCH_SECONDS)
	/usr/bin/python3 harness/bench/bench-arc-dkimpy.py harness/dkim/keys/rsa2048.pem $(BENCH_SECONDS)

BENCH_SECONDS ?= 3

bench: $(BUILD)/mxlab $(BUILD)/smtpload $(BUILD)/smtpsink
	@sh harness/bench/bench.sh $(BUILD) $(EXIM)

# Delivery rates (maildir, mbox, smtp to the null sink): a timed queue
# run of BENCH_DELIVER_MESSAGES, mxlab beside Exim 4.98.2
# (docs/performance.md). Not part of make test.
bench-deliver: $(BUILD)/mxlab $(BUILD)/smtpload $(BUILD)/smtpsink
	@sh harness/bench/bench-deliver.sh $(BUILD) $(EXIM)

# PSS per idle connection and per connection in DATA, and the daemon's RSS
# while BENCH_RSS_MESSAGES (100,000) arrive, mxlab beside Exim 4.98.2
# (docs/performance.md). Not part of make test.
bench-mem: $(BUILD)/mxlab $(BUILD)/smtpload
	@sh harness/bench/pss.sh $(BUILD) $(EXIM)
