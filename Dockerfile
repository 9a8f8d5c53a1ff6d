# qbo-run as a small, non-root container: the binary, the shipped request and connection files,
# nothing else (TLS roots are built in; tokens live in PostgreSQL via QBO_RUN_STORE).
#   docker build -t qbo-run .
#   docker run --rm -e QBO_RUN_STORE=postgres://... -e QBO_CLIENT_ID=... -e QBO_CLIENT_SECRET=... \
#     qbo-run requests/invoices.yaml --all-realms --format jsonl
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p qbo-run --bin qbo-run \
 && strip target/release/qbo-run

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/qbo-run /usr/local/bin/qbo-run
COPY --from=build /src/requests /app/requests
COPY --from=build /src/connections /app/connections
WORKDIR /app
ENV QBO_RUN_HOME=/tmp/qbo-run
USER nonroot
ENTRYPOINT ["/usr/local/bin/qbo-run"]
