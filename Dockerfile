# The gateway's container image (deploy/kubernetes): one static binary on a
# distroless nonroot base (UID 65532), `uifsagw` as the entrypoint; the
# manifests pass `serve --config …` or `migrate …`. Everything the binary
# reads at run time besides its config (schemas, code tables, withholding
# rules, migrations) is embedded in it.
#
#   docker build -t ghcr.io/uifsagw/uifsagw:TAG .
#
# Building needs a container runtime and access to a registry for the two
# base images (golang, gcr.io/distroless); it cannot be built on machines
# without them.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/uifsagw ./cmd/uifsagw

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/uifsagw /uifsagw
USER 65532:65532
EXPOSE 8443 8080
ENTRYPOINT ["/uifsagw"]
