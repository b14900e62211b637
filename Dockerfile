# simulate: build stage compiles the release binary (librdkafka, OpenSSL and libcurl are
# built from source by their -sys crates, which is why perl and make are needed); the
# runtime stage is a slim Debian with the binary, the scenarios and the system's CA
# certificates (TLS to managed clusters verifies brokers against them).
FROM rust:1-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends make g++ perl pkg-config zlib1g-dev python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# The build script (it tells the tests whether a broker is configured) is part of the build.
COPY tests/build.rs ./tests/build.rs
RUN cargo build --release --locked \
 && strip target/release/simulate

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin simulate
COPY --from=build /src/target/release/simulate /usr/local/bin/simulate
# Shell completions where bash, zsh and fish look for them (bash needs bash-completion).
RUN mkdir -p /usr/share/bash-completion/completions /usr/share/zsh/vendor-completions \
        /usr/share/fish/vendor_completions.d \
 && simulate completions bash > /usr/share/bash-completion/completions/simulate \
 && simulate completions zsh > /usr/share/zsh/vendor-completions/_simulate \
 && simulate completions fish > /usr/share/fish/vendor_completions.d/simulate.fish
# Baked-in scenarios; mount a directory over /scenarios to use your own.
COPY scenarios /scenarios
USER 10001:10001
WORKDIR /scenarios
ENTRYPOINT ["simulate"]
CMD ["/scenarios/default.yaml"]
