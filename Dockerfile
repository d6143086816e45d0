FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/lapseguard /usr/local/bin/lapseguard
USER nobody
ENV LAPSEGUARD_LISTEN=0.0.0.0:8080 LAPSEGUARD_LOG=json
EXPOSE 8080
ENTRYPOINT ["lapseguard"]
CMD ["serve"]
