# ggen - build, test and install.
#
#   make                build/ggen
#   make test           deps, both builds (plain and ASan+UBSan), every test,
#                       the fuzz smoke runs; last line "N passed, N failed"
#   make deps           install missing Debian packages (quiet when none)
#   make demo           deps, build, and the marketplace offline on examples/
#   make fuzz           build every fuzz/fuzz_*.c with clang + libFuzzer
#   make install PREFIX=/usr/local
#   make SANITIZE=address,undefined BUILD=build-san
#
# Every src/**/*.c except src/main.c goes into $(BUILD)/libggen.a; every
# proto/*.proto is compiled with protoc-c; every tests/unit/test_*.c is a
# cmocka program; every other tests/**/*.c is a helper program built into
# $(BUILD)/tests/.  Nothing needs listing here.

BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= cc
SANITIZE ?=
FUZZ     ?=

PKGS := libuv libcrypto libprotobuf-c sqlite3 libcurl libarchive jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla \
	-Wwrite-strings -Wno-unused-parameter
OPT  ?= -O2
CPPFLAGS += -Isrc -I$(BUILD)/gen -D_GNU_SOURCE -include src/util/compat.h
CFLAGS   += -std=c11 $(OPT) -g $(WARN) -fno-strict-aliasing -pthread \
	-MMD -MP $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm -pthread
# Link only the libraries a binary uses: libcurl is loaded on demand
# (src/market/curl_dl.h), which keeps short commands fast.
LDFLAGS  += -Wl,--as-needed

ifneq ($(SANITIZE),)
  CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
  LDFLAGS += -fsanitize=$(SANITIZE)
  OPT     := -O1
endif
ifneq ($(FUZZ),)
  CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -DGG_FUZZING
  LDFLAGS += -fsanitize=fuzzer,address,undefined
  OPT     := -O1
endif

PROTOS   := $(wildcard proto/*.proto)
GEN_C    := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
GEN_H    := $(GEN_C:.c=.h)
LIB_SRCS := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) \
	$(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(GEN_C))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOL_SRCS := $(shell find tests -name '*.c' -not -path 'tests/unit/*' \
	-not -path '*/node_modules/*' | sort)
TOOL_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(TOOL_SRCS)))
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst fuzz/%.c,build-fuzz/%,$(FUZZ_SRCS))

.PHONY: all test deps check fuzz fuzz-bins install clean tests-bins demo \
	bench-bins
.SECONDARY:

all: $(BUILD)/ggen

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=proto --c_out=$(BUILD)/gen $<

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-shadow -c $< -o $@

$(BUILD)/obj/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libggen.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ggen: $(BUILD)/obj/src/main.o $(BUILD)/libggen.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libggen.a | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libggen.a \
		$(shell pkg-config --cflags --libs cmocka) $(LDLIBS)

define tool_rule
$(BUILD)/tests/$(basename $(notdir $(1))): $(1) $(BUILD)/libggen.a | $(GEN_H)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $$@ $$< $(BUILD)/libggen.a $(LDLIBS)
endef
$(foreach t,$(TOOL_SRCS),$(eval $(call tool_rule,$(t))))

tests-bins: $(BUILD)/ggen $(UNIT_BINS) $(TOOL_BINS)

# bench/*.c: measuring programs, built on request (make bench-bins).
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
bench-bins: $(BENCH_BINS)
$(BUILD)/bench/%: bench/%.c $(BUILD)/libggen.a | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libggen.a $(LDLIBS)

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang FUZZ=1 fuzz-bins

fuzz-bins: $(FUZZ_BINS)

build-fuzz/fuzz_%: fuzz/fuzz_%.c $(BUILD)/libggen.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libggen.a $(LDLIBS)

deps:
	@sh scripts/deps.sh

demo: deps
	@$(MAKE) -s all
	@bash scripts/demo.sh

test: deps
	@bash tests/run.sh

check: test

install: $(BUILD)/ggen
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0755 $(BUILD)/ggen $(DESTDIR)$(PREFIX)/bin/ggen
	$(BUILD)/ggen manpage > $(DESTDIR)$(PREFIX)/share/man/man1/ggen.1
	$(BUILD)/ggen completions bash > \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/ggen
	$(BUILD)/ggen completions zsh > \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_ggen
	$(BUILD)/ggen completions fish > \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ggen.fish

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) build-fuzz -name '*.d' 2>/dev/null)
