# Multi-stage: build on Debian with the -dev packages, run on Debian with the
# runtime libraries only, as an unprivileged user. Nothing is downloaded at start.
FROM debian:bookworm-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        gcc make autoconf automake libtool pkg-config \
        libfastjson-dev libpcre2-dev libcurl4-openssl-dev zlib1g-dev liblognorm-dev \
        libcunit1-dev libyaml-dev libevent-dev libssl-dev libxxhash-dev liblz4-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build && scripts/build.sh && strip build/sluice

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libfastjson4 libpcre2-8-0 libcurl4 zlib1g liblognorm5 libyaml-0-2 \
        libevent-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7 libssl3 libxxhash0 liblz4-1 \
        ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system sluice && useradd --system --gid sluice --home-dir /var/lib/sluice \
        --shell /usr/sbin/nologin sluice \
    && mkdir -p /etc/sluice /var/lib/sluice && chown sluice:sluice /var/lib/sluice
COPY --from=build /src/build/sluice /usr/local/bin/sluice
COPY docs/examples/container.yaml /etc/sluice/sluice.yaml
# The grammars are compiled in (`builtin:`); this copy is to read and adapt.
COPY grammars /usr/local/share/sluice/grammars
USER sluice
VOLUME ["/etc/sluice", "/var/lib/sluice"]
# 5514, not 514: an unprivileged user cannot bind below 1024.
EXPOSE 5514/tcp 5514/udp
ENTRYPOINT ["/usr/local/bin/sluice"]
CMD ["run", "-c", "/etc/sluice/sluice.yaml"]
