# Two commands matter on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# The tests start dozens of Python processes (servers, CLIs, training scripts) that import the same
# modules: let them reuse bytecode even where the environment turns writing .pyc files off.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup run test test-fast lint typecheck pytest web-setup web-build web-lint web-test browser pg cdk-setup cdk-synth lambda-bundle openapi wandb-alias clean sdk-ts-test go jdk sdk-go-test sdk-java-test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[server,dev,cdk]'
	touch $(STAMP)

# Azurite (the Azure Blob emulator the contract suite starts; no Docker) from tools/emulators' lock file.
EMULATORS_STAMP := tools/emulators/node_modules/.installed-stamp
$(EMULATORS_STAMP): tools/emulators/package.json tools/emulators/package-lock.json
	cd tools/emulators && npm ci --no-audit --no-fund --loglevel=error
	touch $(EMULATORS_STAMP)

setup: $(STAMP) $(EMULATORS_STAMP)

# `make run` needs only the 'server' extra; a venv that `make setup` filled already has it.
SERVER_STAMP := $(VENV)/.server-stamp
$(SERVER_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	if [ $(STAMP) -nt pyproject.toml ]; then :; else $(BIN)/pip install -q -e '.[server]'; fi
	touch $(SERVER_STAMP)

# npm ci only when the lock file changed; the web build only when its sources did.
WEB_DEPS_STAMP := web/node_modules/.installed-stamp
WEB_BUILD_STAMP := web/dist/.build-stamp
# (Folders too: adding or deleting a file changes its folder's time.)
WEB_SOURCES := $(shell find web/src 2>/dev/null) web/index.html web/package.json web/package-lock.json \
	web/vite.config.ts web/tsconfig.json

$(WEB_DEPS_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_DEPS_STAMP)

$(WEB_BUILD_STAMP): $(WEB_DEPS_STAMP) $(WEB_SOURCES)
	cd web && npm run build
	touch $(WEB_BUILD_STAMP)

web-setup: $(WEB_DEPS_STAMP)

# Browser tests drive Debian's Chromium through playwright-core; no browser is ever downloaded. The report
# PDF export prints with the same Chromium, and its tests read the pages back with poppler's pdftoppm.
browser:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null)

# The PostgreSQL item store's tests start a throwaway server from Debian's binaries (tests/postgres_server.py
# finds them in /usr/lib/postgresql/*/bin); the package's own cluster is not used.
pg:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

# ESLint (web/eslint.config.js): typescript-eslint and react-hooks rules, no warnings allowed.
web-lint: web-setup
	cd web && npm run lint

web-build: $(WEB_BUILD_STAMP)

run: $(SERVER_STAMP) web-build
	$(BIN)/wanllmdb server

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: setup
	$(BIN)/mypy

# Extra pytest options for both tiers, e.g. PYTEST_ARGS=--durations=40 to see where the time goes.
PYTEST_ARGS ?=

# The framework integrations (torch, JAX, Ray, XGBoost, ...) run in a pytest process of their own:
# their native thread pools and runtimes stay alive once imported, and the rest of the suite should
# not share a process with them (a CI run once died of a segfault in a later test of that process).
pytest: setup browser pg
	$(BIN)/pytest --ignore=tests/sdk/integrations $(PYTEST_ARGS)
	$(BIN)/pytest tests/sdk/integrations $(PYTEST_ARGS)

# The inner loop (README, "Tests"): lint, then every test not marked slow, on every core (pytest-xdist;
# whole modules per worker, so a module's fixtures start once): no end-to-end runs, CDK synth or browser.
# Two paths are left out by name because collecting them is slow: tests/infra imports the CDK (jsii
# starts node) and the schemathesis fuzzer derives its cases from the app's schema.
test-fast: lint
	$(BIN)/pytest -m "not slow" -n auto --dist loadfile \
		--ignore=tests/infra --ignore=tests/functions/test_api_fuzz.py $(PYTEST_ARGS)

web-test: web-build browser
	cd web && npm test

test: setup lint typecheck web-lint web-build cdk-synth pytest web-test sdk-ts-test sdk-go-test sdk-java-test

# The TypeScript SDK (sdks/typescript): npm ci when its lock file changed, then tsc and vitest against a
# real local server from this .venv (sdks/typescript/tests/global-setup.ts).
SDK_TS_STAMP := sdks/typescript/node_modules/.installed-stamp
$(SDK_TS_STAMP): sdks/typescript/package.json sdks/typescript/package-lock.json
	cd sdks/typescript && npm ci --no-audit --no-fund --loglevel=error
	touch $(SDK_TS_STAMP)

sdk-ts-test: setup $(SDK_TS_STAMP)
	cd sdks/typescript && npm run typecheck && npm test

# The Go and Java SDKs (sdks/go, sdks/java) use their standard libraries alone; Go and JUnit 5 come from
# Debian. Their tests start a real local server from this .venv and count rows through the HTTP API.
go:
	@command -v go >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null)

jdk:
	@command -v javac >/dev/null && test -f /usr/share/java/junit-platform-console-standalone.jar || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless junit5 >/dev/null)

sdk-go-test: setup go
	cd sdks/go && test -z "$$(gofmt -l .)" && go vet ./... && go test -count=1 ./...

JUNIT := /usr/share/java
sdk-java-test: setup jdk
	cd sdks/java && rm -rf build && \
		javac -Xlint:all -Werror -d build/classes $$(find src/main/java -name '*.java') && \
		javac -Xlint:all -Werror -d build/test-classes \
			-cp build/classes:$(JUNIT)/junit-jupiter-api.jar:$(JUNIT)/apiguardian-api.jar:$(JUNIT)/opentest4j.jar \
			$$(find src/test/java -name '*.java') && \
		javac -Xlint:all -Werror -d build/bench -cp build/classes bench/Bench.java && \
		java -jar $(JUNIT)/junit-platform-console-standalone.jar -cp build/classes:build/test-classes \
			--select-package dev.wanllmdb --disable-banner --details=summary --fail-if-no-tests

# The CDK CLI is pinned in infra_cdk/package-lock.json; the app itself is Python (cdk.json).
CDK := infra_cdk/node_modules/.bin/cdk
CDK_STAMP := infra_cdk/node_modules/.installed-stamp

$(CDK_STAMP): infra_cdk/package.json infra_cdk/package-lock.json
	cd infra_cdk && npm ci --no-audit --no-fund --loglevel=error
	touch $(CDK_STAMP)

cdk-setup: $(CDK_STAMP)

# Synth-check: the whole app through the real CDK CLI with cdk-nag (an open finding fails it), in
# bundle=false mode so no wheels are downloaded. The template it writes refuses to deploy.
cdk-synth: setup cdk-setup
	PATH="$(abspath $(BIN)):$$PATH" CDK_DISABLE_CLI_TELEMETRY=true $(CDK) synth \
		-c tenant=ci -c bundle=false --quiet --no-notices --output cdk.out/synth-check

# Builds every Lambda's deployment folder under build/lambda (pip, Linux wheels, no Docker) and prints
# sizes; `cdk deploy` does the same through CDK local bundling. With a CPython 3.12 on PATH, each handler
# is also imported from its bundle alone.
lambda-bundle: setup
	$(BIN)/python -m infra_cdk.bundle --out build/lambda \
		$$(command -v python3.12 >/dev/null && echo --smoke-python $$(command -v python3.12))

# The opt-in `wandb` alias distribution (packaging/wandb-alias) as a wheel in dist/, for an index:
# building it for one skips the refusal to install over a real wandb (importing it still refuses).
wandb-alias: setup
	$(BIN)/pip wheel --no-deps --no-build-isolation -C wanllmdb-alias=build-only -w dist ./packaging/wandb-alias

openapi: setup $(SDK_TS_STAMP)
	$(BIN)/python -m tools.openapi_snapshot --write
	cd sdks/typescript && npm run gen:api

clean:
	rm -rf $(VENV) web/node_modules web/dist cdk.out infra_cdk/node_modules build/lambda sdks/typescript/node_modules
