# ismsd: build, run the embedded default, test, benchmark, install.
# GNU make. Objects go under $(BUILD); `make SAN=1` builds a separate
# AddressSanitizer + UndefinedBehaviorSanitizer tree under build-asan.

PREFIX ?= /usr/local
PORT ?= 8443
VARDIR ?= $(CURDIR)/var
SAN ?= 0

ifeq ($(SAN),1)
BUILD ?= build-asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
OPT = -O1
else
BUILD ?= build
SANFLAGS =
OPT = -O2
endif

PKGS = libevent libevent_openssl libevent_pthreads libpq openssl jansson \
	libcurl
WARN = -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings
ifeq ($(CI),true)
WARN += -Werror
endif

CC ?= cc
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=c17 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	$(WARN) $(SANFLAGS) $(CFLAGS) \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

DAEMON_SRC = $(wildcard daemon/*.c)
DAEMON_LIB_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(filter-out daemon/main.c,$(DAEMON_SRC))) \
	$(BUILD)/gen/migrations.o
CLIENT_SRC = $(wildcard client/*.c)
CLIENT_LIB_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(filter-out client/main.c,$(CLIENT_SRC)))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
CLIENT_UNIT_BIN = $(filter $(BUILD)/tests/test_client%,$(UNIT_BIN))
DAEMON_UNIT_BIN = $(filter-out $(CLIENT_UNIT_BIN),$(UNIT_BIN))
MIGRATIONS = $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql))

DEPS_STAMP = $(BUILD)/.deps-ok

.PHONY: all deps run check check-plain check-asan unit bench install \
	uninstall clean cppcheck format

all: $(BUILD)/ismsd $(BUILD)/ismsctl

deps:
	@deploy/deps.sh

$(DEPS_STAMP): deploy/deps.sh
	@mkdir -p $(@D)
	@deploy/deps.sh
	@touch $@

$(BUILD)/daemon/%.o: daemon/%.c $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Idaemon -MMD -MP -c -o $@ $<

$(BUILD)/client/%.o: client/%.c $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iclient -MMD -MP -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) daemon/embed-sql.sh
	@mkdir -p $(@D)
	daemon/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

# A migration is one long string literal; C17 only promises 4095 bytes,
# and GCC and Clang take any length.
$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -Idaemon -c -o $@ $<

$(BUILD)/libismsd.a: $(DAEMON_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libismsctl.a: $(CLIENT_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/ismsd: $(BUILD)/daemon/main.o $(BUILD)/libismsd.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/ismsctl: $(BUILD)/client/main.o $(BUILD)/libismsctl.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# A unit test links one module archive directly, so it can call every
# public function of the daemon (test_*.c) or the client (test_client*.c).
$(CLIENT_UNIT_BIN): $(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h \
		$(BUILD)/libismsctl.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iclient -Itests/unit -o $@ $< \
		$(BUILD)/libismsctl.a $(ALL_LDFLAGS) $(LDLIBS)

$(DAEMON_UNIT_BIN): $(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h \
		$(BUILD)/libismsd.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Idaemon -Itests/unit -o $@ $< \
		$(BUILD)/libismsd.a $(ALL_LDFLAGS) $(LDLIBS)

unit: all $(UNIT_BIN)

# The embedded default: private PostgreSQL under $(VARDIR), development
# certificates, an admin token, the daemon in the foreground.
run: all
	@deploy/dev/run.sh --build $(CURDIR)/$(BUILD) --var $(VARDIR) \
		--port $(PORT)

# All tests, once with the normal build and once with the sanitizer build.
check:
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory cppcheck
	@$(MAKE) --no-print-directory SAN=1 unit
	@tests/run.sh --build $(CURDIR)/build --asan-build $(CURDIR)/build-asan

check-plain: unit
	@tests/run.sh --build $(CURDIR)/$(BUILD)

bench: all
	@tests/bench/run.sh --build $(CURDIR)/$(BUILD)

cppcheck: $(DEPS_STAMP)
	cppcheck --quiet --enable=warning,performance,portability \
		--error-exitcode=1 --inline-suppr -I daemon -I client \
		--suppress=missingIncludeSystem daemon client tests/unit

format:
	clang-format -i daemon/*.c daemon/*.h client/*.c client/*.h

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ismsd/controls
	install -m 0755 $(BUILD)/ismsd $(BUILD)/ismsctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 controls/*.json $(DESTDIR)$(PREFIX)/share/ismsd/controls/
	install -d $(DESTDIR)$(PREFIX)/share/doc/ismsd
	install -m 0644 deploy/ismsd.conf.example deploy/ismsd.service \
		README.md docs/api.md $(DESTDIR)$(PREFIX)/share/doc/ismsd/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ismsd $(DESTDIR)$(PREFIX)/bin/ismsctl
	rm -rf $(DESTDIR)$(PREFIX)/share/ismsd $(DESTDIR)$(PREFIX)/share/doc/ismsd

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
