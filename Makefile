# mxlab: top-level build.
#
#   make            build mxlab, the fakes and scenario-run into build/
#   make test       install what is missing, unit tests, then every scenario
#   make asan       the same suite with AddressSanitizer + UBSan
#   make conformance  build the reference Exim 4.98.2, run the suite against
#                   it, compare with harness/conformance/expected
#                   (EXIM=/path/to/exim: against your own build)
#   make lab        install, build, run the suite, start the lab daemon
#   make format     clang-format every C file
#
# Experimental features are on by default (ARC, not implemented yet, is
# off); EXPERIMENTAL_<NAME>=no leaves one out (NAME: ARC DCC BMI DSN_INFO
# QUEUEFILE XCLIENT ESMTP_LIMITS).

BUILD    ?= build
CC       ?= cc
# Scenarios at once: most of a scenario is waiting (for a daemon, a peer,
# a time-out), so 8 is the fastest on 2 cores (docs/performance.md).
JOBS     ?= 8
PKGS      = libpcre2-8 openssl
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD      = -std=gnu11
OPT      ?= -O2 -g
SAN      ?=
CPPFLAGS += -Isrc -D_GNU_SOURCE
CFLAGS   += $(CSTD) $(OPT) $(WARN) $(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -llmdb -lspf2
LDFLAGS  += $(SAN)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

FEATURES = ARC DCC BMI DSN_INFO QUEUEFILE XCLIENT ESMTP_LIMITS
# ARC is not implemented yet (only its arc_sign option table exists), so it
# is off by default: -bV must not claim it, and a configuration that uses
# arc_sign is refused as by an Exim built without ARC, instead of loading
# and then delivering unsigned. It becomes "yes" when ARC lands.
EXPERIMENTAL_ARC ?= no
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

.PHONY: all test unit scenarios asan lab format deps clean check-format \
	conformance conformance-update
.DEFAULT_GOAL := all

all: $(BUILD)/mxlab $(BUILD)/scenario-run $(FAKE_BINS) $(BUILD)/quitrst $(BMI_SDK_OUT)

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
scenarios: all
	$(BUILD)/scenario-run -j $(JOBS) --mta $(BUILD)/mxlab $(MTA_USER)
	@sh ci/dovecot-real.sh $(BUILD) $(JOBS)
	@sh harness/selftest/run.sh $(BUILD)/scenario-run $(BUILD)/mxlab

test: deps
	$(MAKE) all
	$(MAKE) unit
	@sh ci/feature-off.sh
	$(MAKE) scenarios
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

conformance-update: all
	@sh harness/conformance/run.sh --update $(BUILD) $(JOBS) $(EXIM)

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
# fuzz" runs each in turn (CI: 60 s each). Findings go into
# build-fuzz/crash-* (libFuzzer's artifact prefix).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS  = $(patsubst harness/fuzz/fuzz-%.c,%,$(wildcard harness/fuzz/fuzz-*.c))
.PHONY: fuzz fuzz-lib $(foreach t,$(FUZZ_TARGETS),fuzz-$(t) fuzz-$(t)-build)
fuzz-lib:
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
	build-fuzz/fuzz-$(1) -max_total_time=$$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/ \
	    $$(if $$(wildcard harness/fuzz/$(1).dict),-dict=harness/fuzz/$(1).dict) \
	    build-fuzz/corpus-$(1) harness/fuzz/corpus/$(1)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

fuzz:
	@for t in $(FUZZ_TARGETS); do \
	    $(MAKE) --no-print-directory fuzz-$$t FUZZ_SECONDS=$(FUZZ_SECONDS) || exit 1; \
	done

# Exim's own bmi_spam.c against mxlab's SDK and fake-bmid (needs an
# unpacked Exim 4.98.2 source tree: make bmi-exim EXIM_SRC=DIR).
.PHONY: bmi-exim
bmi-exim: all
	sh harness/bmi-exim/run.sh $(EXIM_SRC) $(BUILD)

# Crash test (issue 4): SIGKILLs the receiving process (or the daemon's
# whole process group) at random points of DATA, before and after the 250,
# CRASH_RUNS times, then checks that every acknowledged message is whole in
# the spool and nothing half-written is listed. CRASH_SEED makes the draws.
CRASH_RUNS ?= 200
CRASH_SEED ?= 1
# Delivery (issue 5, harness/crash/deliver-crash.sh): SIGKILLs "mxlab -M"
# at a random point of a message's local and remote deliveries, finishes
# with a second -M, DCRASH_RUNS times, and checks every address got the
# message once (twice only where the kill fell between a delivery and
# its -J journal entry), nothing left on the spool.
DCRASH_RUNS ?= 30
.PHONY: crash-test bench bench-mem
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
$(BUILD)/bench-dkim: harness/bench/bench-dkim.c $(BUILD)/libmxlab.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: bench-dkim
bench-dkim: $(BUILD)/bench-dkim
	$(BUILD)/bench-dkim harness/dkim/keys/rsa2048.pem $(BENCH_SECONDS)
	/usr/bin/python3 harness/bench/bench-dkimpy.py harness/dkim/keys/rsa2048.pem $(BENCH_SECONDS)

BENCH_SECONDS ?= 3

bench: $(BUILD)/mxlab $(BUILD)/smtpload $(BUILD)/smtpsink
	@sh harness/bench/bench.sh $(BUILD) $(EXIM)

# PSS per idle connection and per connection in DATA, mxlab beside Exim
# 4.98.2 (docs/performance.md). Not part of make test.
bench-mem: $(BUILD)/mxlab $(BUILD)/smtpload
	@sh harness/bench/pss.sh $(BUILD) $(EXIM)
