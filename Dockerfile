# syntax=docker/dockerfile:1
#
# Frosty's container image: one static binary on an empty base, run as a
# non-root user, serving on 0.0.0.0:4590 with its data in the volume /data.
#
#   docker build -t frosty .
#   docker run -d -p 4590:4590 -v frosty-data:/data frosty
#   docker logs CONTAINER      # the generated credentials and admin token
#
# The default target compiles Frosty in the Go image. Where that image
# cannot be pulled (Frosty's CI reaches no registry), the target prebuilt
# makes the same image from a binary built on the host;
# scripts/container_test.sh does this:
#
#   mkdir -p ctx/dist/data && install -d -m 1777 ctx/dist/tmp
#   CGO_ENABLED=0 go build -trimpath -ldflags=-s -o ctx/dist/frosty ./cmd/frosty
#   cp /etc/ssl/certs/ca-certificates.crt ctx/dist/
#   podman build --format docker --target prebuilt -f Dockerfile ctx

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -X main.version=${VERSION}" -o /out/frosty ./cmd/frosty \
	&& cp /etc/ssl/certs/ca-certificates.crt /out/ \
	&& mkdir /out/data && install -d -m 1777 /out/tmp

# What the image is, wherever its binary was compiled.
FROM scratch AS base
USER 65532:65532
# Settings are FROSTY_* variables rather than flags of CMD, so that
# `docker run -e FROSTY_...` and compose's environment can change each one
# (a flag given on the command line would win over the variable).
# FROSTY_PUBLIC_URL fits `-p 4590:4590`: presigned URLs must name a host
# and port the client reaches.
ENV FROSTY_LISTEN=0.0.0.0:4590 \
	FROSTY_DATA=/data \
	FROSTY_PUBLIC_URL=http://localhost:4590
EXPOSE 4590
# `frosty health` GETs /_frosty/health on loopback, at the port FROSTY_LISTEN
# names (so change the port with FROSTY_LISTEN, not --listen); no shell needed.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/frosty", "health"]
ENTRYPOINT ["/frosty"]
CMD ["serve"]

# The image from a binary built on the host, in a context holding dist/.
# CA certificates for SNS over HTTPS and webhooks; /tmp for SQLite's
# temporary files; /data owned by the user Frosty runs as.
FROM base AS prebuilt
COPY dist/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY dist/tmp /tmp
COPY --chown=65532:65532 dist/data /data
COPY dist/frosty /frosty
VOLUME /data

# The default: the image from the build stage, the same files.
FROM base
COPY --from=build /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/tmp /tmp
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/frosty /frosty
VOLUME /data
