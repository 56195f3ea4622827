# fttrack: the tracker service (fttrack serve / fttrack worker) with real
# free-threaded CPython 3.13t and 3.14t for the sandboxed import probes.
#
#   docker build -t fttrack .
#   docker run -d --name fttrack -p 127.0.0.1:8000:8000 -v fttrack-data:/data \
#       --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#       --security-opt systempaths=unconfined fttrack
#
# Build arguments:
#   BASE       the Debian bookworm base image (default debian:bookworm-slim)
#   INDEX_URL  simple-API index URL for pip inside the build (default: pip's own)
#
# Optional files in the build context, under .docker-extra/ (absent by default):
#   ca/*.crt   extra CA certificates, installed into the system store of every
#              stage (for a TLS-intercepting proxy between the build and the index)
#   pythons/   finished free-threaded builds (<prefix>/.fttrack-build.json), e.g. a
#              copy of /var/cache/fttrack/pythons from a machine that already built
#              them; 'fttrack python install' then skips what is there.
# Each COPY of .docker-extra is anchored by pyproject.toml so it also works when
# the directory does not exist (a glob that matches nothing copies nothing).

ARG BASE=debian:bookworm-slim

# ---------------------------------------------------------------------------
# system: the base image, plus extra CA certificates when the context has any.
FROM ${BASE} AS system
ARG DEBIAN_FRONTEND=noninteractive
COPY pyproject.toml .docker-extr[a]/c[a] /tmp/extra-ca/
RUN set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates; \
    find /tmp/extra-ca -maxdepth 1 -name '*.crt' -exec cp {} /usr/local/share/ca-certificates/ \; ; \
    update-ca-certificates; \
    rm -rf /tmp/extra-ca /var/lib/apt/lists/*
# pip, uv and httpx all trust the system store (which includes the extra CAs).
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LANG=C.UTF-8

# ---------------------------------------------------------------------------
# venv: fttrack and its [postgres] extra in /opt/fttrack (Debian's Python 3.11);
# data/ (snapshot, seed list) is installed as data-files into /opt/fttrack/share/fttrack.
FROM system AS venv
ARG DEBIAN_FRONTEND=noninteractive
ARG INDEX_URL=
RUN set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends python3 python3-venv; \
    rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.m[d] LICENS[E] /src/
COPY tracker /src/tracker
COPY tui /src/tui
COPY data /src/data
RUN set -eu; \
    python3 -m venv /opt/fttrack; \
    /opt/fttrack/bin/pip install --no-cache-dir ${INDEX_URL:+--index-url "$INDEX_URL"} \
        "/src[postgres]"; \
    /opt/fttrack/bin/fttrack --version

# ---------------------------------------------------------------------------
# pythons: free-threaded 3.13t, 3.14t and 3.15t. 'fttrack python install' tries
# 'uv python install' first; where uv cannot download, it builds CPython from the
# source tarball of the Debian archive in apt's sources (sha256 checked against
# the archive's Sources index), about 3 minutes each on 2 cores.
FROM venv AS pythons
ARG DEBIAN_FRONTEND=noninteractive
RUN set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        build-essential pkg-config xz-utils libffi-dev libssl-dev zlib1g-dev libbz2-dev \
        liblzma-dev libsqlite3-dev libreadline-dev libncurses-dev uuid-dev libgdbm-dev \
        libexpat1-dev libzstd-dev; \
    rm -rf /var/lib/apt/lists/*
ENV FTTRACK_CACHE_DIR=/var/cache/fttrack \
    UV_PYTHON_INSTALL_DIR=/var/cache/fttrack/uv-pythons
COPY pyproject.toml .docker-extr[a]/python[s] /var/cache/fttrack/pythons/
RUN set -eu; \
    rm -f /var/cache/fttrack/pythons/pyproject.toml; \
    /opt/fttrack/bin/fttrack python install 3.13t; \
    /opt/fttrack/bin/fttrack python install 3.14t; \
    /opt/fttrack/bin/fttrack python install 3.15t; \
    mkdir -p /var/cache/fttrack/uv-pythons; \
    rm -rf /var/cache/fttrack/uv /root/.cache; \
    find /var/cache/fttrack -name 'libpython3*.a' -delete; \
    chmod -R a+rX /var/cache/fttrack; \
    /opt/fttrack/bin/fttrack python list

# ---------------------------------------------------------------------------
# final: runtime libraries, the sandbox tools, the venv and the interpreters.
FROM system AS final
ARG DEBIAN_FRONTEND=noninteractive
RUN set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        python3 bubblewrap util-linux libseccomp2 \
        libffi8 libssl3 zlib1g libbz2-1.0 liblzma5 libsqlite3-0 libreadline8 libncursesw6 \
        libuuid1 libgdbm6 libexpat1 libzstd1; \
    rm -rf /var/lib/apt/lists/*; \
    useradd --system --uid 10001 --user-group --create-home --home-dir /home/fttrack \
        --shell /usr/sbin/nologin fttrack; \
    install -d -o fttrack -g fttrack -m 0755 /data /var/cache/fttrack

COPY --from=venv /opt/fttrack /opt/fttrack
COPY --from=pythons /var/cache/fttrack/pythons /var/cache/fttrack/pythons
COPY --from=pythons /var/cache/fttrack/uv-pythons /var/cache/fttrack/uv-pythons
# (the shipped snapshot and seed list are in /opt/fttrack/share/fttrack: data-files)

ENV PATH=/opt/fttrack/bin:$PATH \
    FTTRACK_DATA_DIR=/data \
    FTTRACK_DB=sqlite:////data/fttrack.db \
    FTTRACK_CACHE_DIR=/var/cache/fttrack \
    UV_PYTHON_INSTALL_DIR=/var/cache/fttrack/uv-pythons \
    PYTHONUNBUFFERED=1

USER fttrack
WORKDIR /home/fttrack
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["/opt/fttrack/bin/python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"]
CMD ["fttrack", "serve", "--host", "0.0.0.0", "--port", "8000"]
