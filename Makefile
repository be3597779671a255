# scute: the two set-up commands are `make demo` and `make check`.
# Everything they need is installed by scripts/deps.sh (Debian packages).

PYTHON     ?= /usr/bin/python3
BUILD      ?= build
ASAN_BUILD ?= build-asan
SCUTE_CACHE ?= /var/tmp/scute-cache
export SCUTE_CACHE

.PHONY: all deps build asan demo check unit e2e check-asan bench fuzz clean

all: build

deps:
	sh scripts/deps.sh

build: deps
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) >/dev/null
	ninja -C $(BUILD)

asan: deps
	@test -f $(ASAN_BUILD)/build.ninja || meson setup $(ASAN_BUILD) \
		-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all >/dev/null
	ninja -C $(ASAN_BUILD)

# Runs scute's main job on a sample image it builds itself (debootstrap + umoci).
demo: build
	sh scripts/sample-image.sh
	$(BUILD)/src/scute inspect oci:$(SCUTE_CACHE)/sample/oci:demo
	$(BUILD)/src/scute sbom oci:$(SCUTE_CACHE)/sample/oci:demo
	@src=../shared/data/osv/pypa-advisory-database; test -d $$src || src=tests/fixtures/vuln/demo; \
	  echo "$(BUILD)/src/scute db import --db $(SCUTE_CACHE)/demo-vulndb.sqlite $$src"; \
	  $(BUILD)/src/scute db import --db $(SCUTE_CACHE)/demo-vulndb.sqlite $$src
	$(BUILD)/src/scute scan --db $(SCUTE_CACHE)/demo-vulndb.sqlite oci:$(SCUTE_CACHE)/sample/oci:demo
	$(BUILD)/src/scute audit oci:$(SCUTE_CACHE)/sample/oci:demo
	test -f $(SCUTE_CACHE)/sample/demo-signer.key || \
	  SCUTE_PASSWORD=demo $(BUILD)/src/scute keygen --output-key-prefix $(SCUTE_CACHE)/sample/demo-signer
	SCUTE_PASSWORD=demo $(BUILD)/src/scute harden --replace --minimize --probe --layering squash \
	  --test-cmd "python3 /app/serve.py" --db $(SCUTE_CACHE)/demo-vulndb.sqlite \
	  --sbom $(SCUTE_CACHE)/sample/demo-hardened.cdx.json \
	  --sign-key $(SCUTE_CACHE)/sample/demo-signer.key --sign-identity demo.local/sample:hardened \
	  --provenance $(SCUTE_CACHE)/sample/demo-hardened.slsa.json \
	  oci:$(SCUTE_CACHE)/sample/oci:demo oci:$(SCUTE_CACHE)/sample/oci:demo-hardened
	$(BUILD)/src/scute verify --key $(SCUTE_CACHE)/sample/demo-signer.pub oci:$(SCUTE_CACHE)/sample/oci:demo-hardened
	$(BUILD)/src/scute audit oci:$(SCUTE_CACHE)/sample/oci:demo-hardened
	sh scripts/demo-registry.sh $(BUILD)/src/scute oci:$(SCUTE_CACHE)/sample/oci:demo-hardened \
	  $(SCUTE_CACHE)/sample/pulled $(SCUTE_CACHE)/sample/demo-signer

unit: build
	meson test -C $(BUILD) --print-errorlogs

e2e: build
	SCUTE=$(CURDIR)/$(BUILD)/src/scute $(PYTHON) -m pytest -q -p no:cacheprovider tests/e2e

check-asan: asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C $(ASAN_BUILD) --print-errorlogs
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		SCUTE=$(CURDIR)/$(ASAN_BUILD)/src/scute SCUTE_SANITIZED=1 \
		$(PYTHON) -m pytest -q -p no:cacheprovider tests/e2e

check: unit e2e check-asan

bench: build
	sh bench/inspect.sh
	sh bench/sbom.sh
	sh bench/vuln.sh
	sh bench/harden.sh
	sh bench/mirror.sh

fuzz: deps
	@test -f build-fuzz/build.ninja || CC=clang meson setup build-fuzz -Dfuzzing=true \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja -C build-fuzz

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
