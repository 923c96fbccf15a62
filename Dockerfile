# feedwright container image: a fully static release binary on distroless, running as nonroot.
#
#   docker build -t feedwright .
#   docker run -p 8080:8080 -v "$PWD/content:/content:ro" feedwright
#
# Content is read from /content (mount your own over the sample), the config from
# /config/feedwright.yaml; any key can be overridden with FEEDWRIGHT_<SECTION>_<KEY>.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# jemalloc, the binary's allocator, is compiled from C by its crate's build script, which
# runs make (the image has the C compiler, not make).
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
# glibc's crt-static gives a self-contained binary, so the runtime image needs no libc at all
# (distroless/static: ~2 MB of base instead of ~24 MB for distroless/cc). feedwright does no
# name lookups (it binds and probes socket addresses), so static glibc's NSS limits don't
# apply. relocation-model=static links it position-dependent (see build.rs): no ~52,000
# relocations to apply at start, 2 MiB less resident. The explicit --target keeps both flags
# off build scripts and proc-macros.
ENV RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static"

# Dependencies first, against stub sources: this layer is rebuilt only when Cargo.toml or
# Cargo.lock change, not on every source edit. Cargo refuses a manifest whose declared
# targets are missing, so every [[bin]]/[[bench]]/[[test]]/[[example]] gets an empty stub
# too (at its `path`, or the default one); the stubs stay, as the release build never
# compiles benches, tests or examples, and their sources stay out of the build context.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && awk -F'"' '/^\[/ { if (f != "") print f; f = "" } \
            /^\[\[bin\]\]/ { d = "src/bin" } /^\[\[bench\]\]/ { d = "benches" } \
            /^\[\[test\]\]/ { d = "tests" } /^\[\[example\]\]/ { d = "examples" } \
            /^\[\[(bin|bench|test|example)\]\]/ { f = "?" } \
            f == "?" && /^name *=/ { f = d "/" $2 ".rs" } \
            f != "" && /^path *=/ { f = $2 } \
            END { if (f != "") print f }' Cargo.toml \
       | while read -r stub; do mkdir -p "$(dirname "$stub")"; echo 'fn main() {}' > "$stub"; done \
    && T="$(rustc -vV | sed -n 's/^host: //p')" \
    && cargo build --release --locked --target "$T" \
    && rm -rf src target/"$T"/release/.fingerprint/feedwright-* target/"$T"/release/deps/feedwright-* \
        target/"$T"/release/deps/libfeedwright-* target/"$T"/release/feedwright*

# build.rs only sets the binary's link options: dependencies do not need it.
COPY build.rs ./
COPY src ./src
# `touch`: COPY keeps the files' mtimes, which may predate the stub build above.
RUN find src -name '*.rs' -exec touch {} + \
    && T="$(rustc -vV | sed -n 's/^host: //p')" \
    && cargo build --release --locked --target "$T" \
    && cp target/"$T"/release/feedwright /feedwright \
    && /feedwright --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /feedwright /usr/local/bin/feedwright
# Sample content and the documented config; mount real content over /content.
COPY content/ /content/
COPY config/feedwright.yaml /config/feedwright.yaml
# No allocator variables: `feedwright serve` sets its own _RJEM_MALLOC_CONF (see
# docs/performance.md, "Resident memory"); `-e _RJEM_MALLOC_CONF=...` overrides it.
# These three win over the file (environment > file): change them with `-e`, not in the file.
ENV FEEDWRIGHT_CONFIG=/config/feedwright.yaml \
    FEEDWRIGHT_CONTENT_DIR=/content \
    FEEDWRIGHT_SERVER_LISTEN=0.0.0.0:8080
EXPOSE 8080
USER nonroot
# No shell or curl in distroless: the binary probes its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/feedwright", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/feedwright"]
CMD ["serve"]
