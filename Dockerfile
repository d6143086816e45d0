FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/lapseguard \
    && chown nobody:nogroup /var/lib/lapseguard
COPY --from=build /src/target/release/lapseguard /usr/local/bin/lapseguard
USER nobody
# The default SQLite file lives in a directory nobody may write (and a volume keeps it):
# a bare `docker run` works without PostgreSQL.
WORKDIR /var/lib/lapseguard
VOLUME /var/lib/lapseguard
ENV LAPSEGUARD_LISTEN=0.0.0.0:8080 LAPSEGUARD_LOG=json \
    DATABASE_URL=sqlite:///var/lib/lapseguard/lapseguard.db?mode=rwc
EXPOSE 8080
# Ready: the store answers and the RDAP bootstrap is loaded. Change the port with
# LAPSEGUARD_LISTEN's.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz > /dev/null || exit 1
ENTRYPOINT ["lapseguard"]
CMD ["serve"]
