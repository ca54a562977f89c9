# sanqu — one plain Makefile.
#   make            build ./sanqu (with the web UI embedded)
#   make run        install missing packages, build, create a demo db if none, serve :8080
#   make test       install missing packages, then every test: normal build and ASan+UBSan
#   make check-pg   the unit store tests and the end-to-end suite on a throwaway PostgreSQL
#                   (joins make test once the PostgreSQL engine passes it: docs/testing.md)
#   make asan       build build/asan/sanqu with AddressSanitizer + UBSan
#   make bench      benchmarks (see BENCHMARKS.md)
#   make soak       long mixed load: no errors, RSS and descriptors stable (SOAK_SECONDS)
#   make fuzz       every libFuzzer target for FUZZ_SECONDS each (default 60), clang
#   make valgrind   the end-to-end suite with the server under valgrind memcheck
CC      ?= gcc
PKGS     = libmicrohttpd jansson sqlite3 libsodium libcurl pwquality
MODE    ?= rel
B        = build/$(MODE)
GEN      = build/gen
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS = -std=c11 -D_GNU_SOURCE -Isrc $(shell pkg-config --cflags $(PKGS))
LIBS     = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
ifeq ($(MODE),asan)
OPT      = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(MODE),fuzz)
# libFuzzer builds: the library is instrumented, only the targets link the fuzzer main
CC       = clang
OPT      = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
OPT      = -O2 -g
endif
CFLAGS   = $(OPT) $(WARN)
DB      ?= sanqu.db

SRC      = $(wildcard src/*.c src/*/*.c)
LIB_SRC  = $(filter-out src/main.c,$(SRC))
LIB_OBJ  = $(LIB_SRC:src/%.c=$(B)/obj/%.o) $(B)/obj/gen/migrations.o $(B)/obj/gen/web_assets.o $(B)/obj/gen/docs.o
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)
E2E_SRC  = $(wildcard tests/e2e/t_*.c)
E2E_BIN  = $(E2E_SRC:tests/e2e/%.c=$(B)/tests/e2e/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/tests/fuzz/%)
FUZZ_SECONDS ?= 60
WEB_SRC  = $(shell find web/src web/index.html web/vite.config.* web/package.json web/package-lock.json -type f 2>/dev/null)

.PHONY: soak all run test asan check check-pg deps deps-test bench clean web fmt routes fuzz fuzz-build fuzz-smoke valgrind
all: sanqu

sanqu: $(B)/sanqu docs/openapi.json
	cp $(B)/sanqu sanqu.tmp && mv -f sanqu.tmp sanqu

# Generated from the route tables and docs/openapi-base.json (sanqu openapi);
# committed so that it can be read without a build, checked by t_openapi.
docs/openapi.json: $(B)/sanqu
	$(B)/sanqu openapi > $@.tmp && mv -f $@.tmp $@

$(B)/sanqu: $(B)/obj/main.o $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LIBS)

$(B)/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/obj/gen/%.o: $(GEN)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -O0 -c -o $@ $<

build/embed: tools/embed.c
	@mkdir -p build
	$(CC) -O2 -o $@ $<

$(GEN)/migrations.c: build/embed $(wildcard migrations/*.sql)
	@mkdir -p $(GEN)
	build/embed $@ sq_migrations migrations/ $(sort $(wildcard migrations/*.sql))

# The hand-written part of the OpenAPI document; the rest comes from the
# route tables (src/core/openapi.c). docs/openapi.json is generated from both.
$(GEN)/docs.c: build/embed docs/openapi-base.json
	@mkdir -p $(GEN)
	build/embed $@ sq_docs docs/ docs/openapi-base.json

# The web UI: built with Vite when web/ has sources, precompressed, embedded.
$(GEN)/web.stamp: $(WEB_SRC)
	@mkdir -p $(GEN)
	@if [ -f web/package.json ]; then \
	  cd web && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent; \
	fi
	rm -rf $(GEN)/webdist && mkdir -p $(GEN)/webdist
	@if [ -d web/dist ]; then cp -r web/dist/. $(GEN)/webdist/ && \
	  find $(GEN)/webdist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) -size +1k -exec gzip -9 -k -n {} \; ; fi
	touch $@

$(GEN)/web_assets.c: build/embed $(GEN)/web.stamp
	build/embed $@ sq_web_assets $(GEN)/webdist/ $$(find $(GEN)/webdist -type f | sort)

web: $(GEN)/web.stamp

# ---- tests ----
# The tests reach a PostgreSQL test cluster with libpq directly (to create and
# drop their databases), whichever engine the server links.
TEST_PQ  = $(shell pkg-config --cflags --libs libpq)
$(B)/tests/unit/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LIBS) $(TEST_PQ) -lcmocka

$(B)/tests/e2e/%: tests/e2e/%.c tests/e2e/harness.c tests/e2e/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/e2e -o $@ $< tests/e2e/harness.c $(shell pkg-config --libs jansson libcurl sqlite3) $(TEST_PQ) -lpthread

# Builds and runs every unit and end-to-end test of one MODE.
check: $(B)/sanqu docs/openapi.json $(UNIT_BIN) $(E2E_BIN)
	@scripts/check-engine-seam.sh
	@scripts/run-tests.sh $(MODE) $(B)

# The unit store tests and the whole end-to-end suite again, on PostgreSQL: a
# throwaway cluster (scripts/pg-cluster.sh) started for the run and removed
# however it ends. docs/testing.md.
check-pg: $(B)/sanqu docs/openapi.json $(UNIT_BIN) $(E2E_BIN)
	@scripts/pg-cluster.sh run env SANQU_TEST_ENGINE=postgres scripts/run-tests.sh $(MODE)-pg $(B)

asan:
	$(MAKE) MODE=asan build/asan/sanqu

# ---- fuzzing (clang + libFuzzer; corpus in tests/fuzz/corpus/<target>/) ----
build/fuzz/tests/fuzz/%: tests/fuzz/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz-build:
	$(MAKE) MODE=fuzz $(FUZZ_BIN)

# Each target for FUZZ_SECONDS; new inputs go to build/fuzz/corpus, crashes to build/fuzz/.
fuzz: fuzz-build
	@scripts/run-fuzz-smoke.sh --seconds $(FUZZ_SECONDS)

# A few seconds each: the committed corpus, then a few thousand new inputs.
fuzz-smoke: fuzz-build
	@scripts/run-fuzz-smoke.sh

# The end-to-end suite with the server under valgrind memcheck (slow: minutes).
valgrind: sanqu
	@scripts/install-deps.sh valgrind
	$(MAKE) MODE=rel $(E2E_BIN)
	@scripts/run-valgrind.sh build/rel

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh test

run: deps
	$(MAKE) sanqu
	@[ -f $(DB) ] || ./sanqu demo --db $(DB)
	./sanqu serve --db $(DB)

test: deps-test
	@scripts/check-format.sh
	$(MAKE) sanqu
	$(MAKE) MODE=rel check
	$(MAKE) MODE=asan check
	$(MAKE) fuzz-smoke
	@scripts/run-browser-tests.sh

soak:
	@scripts/install-deps.sh bench
	$(MAKE) sanqu
	@scripts/soak.sh

bench:
	@scripts/install-deps.sh bench
	$(MAKE) sanqu
	@bench/run.sh

routes: sanqu
	./sanqu routes

# Formats every C file of the tree; make test fails on one that is not (scripts/check-format.sh).
fmt:
	clang-format-14 -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c')

clean:
	rm -rf build sanqu
