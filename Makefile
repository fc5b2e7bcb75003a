# The README's two commands are `go run ./cmd/uifsagw dev` and `make test`.
GO ?= go

.PHONY: test dev build fuzz chaos lint

# The whole test suite: unit, PostgreSQL, mTLS end-to-end and browser tests.
# Each test package starts its own throwaway PostgreSQL from the machine's binaries.
test:
	$(GO) test -count=1 -timeout 20m ./...

dev:
	$(GO) run ./cmd/uifsagw dev

build:
	$(GO) build -o uifsagw ./cmd/uifsagw

lint:
	gofmt -l $$(git ls-files '*.go')
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Run every fuzz target for FUZZTIME each (default 1m).
FUZZTIME ?= 1m
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
