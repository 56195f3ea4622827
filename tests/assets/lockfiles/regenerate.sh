#!/usr/bin/env bash
# Regenerate the lockfile fixtures with the real tools.
#
# Every tool locks the same tiny project:
#   numpy, requests[socks] (an extra), six; python_version >= "3.8" (a marker)
# with six also in a development group where the tool has one.
#
# uv.large.lock is uv's lock of uv.large.pyproject.toml: popular projects with many
# dependencies (jupyterlab, pandas, scikit-learn, fastapi[standard], boto3, ...),
# the real lock the audit benchmark measures (bench/audit_bench.py).
#
# The tools live in a throwaway virtualenv (never the project's own). After
# locking, every package-index and file host is rewritten to index.invalid /
# files.index.invalid. The real host names are derived at run time from pip
# and from the environment's index settings; they are never written here.
#
# Usage: tests/assets/lockfiles/regenerate.sh [TOOLS_VENV]
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
TOOLS="${1:-/tmp/fttrack-locktools}"
POETRY1="${TOOLS}-poetry1"
PY="${PYTHON:-$(command -v python3.12 || command -v python3)}"
export UV_PYTHON_DOWNLOADS=never
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$TOOLS/bin/uv" ]; then
    uv venv -q -p "$PY" "$TOOLS"
    VIRTUAL_ENV="$TOOLS" uv pip install -q uv poetry pdm "hishel[httpx2]==1.4.0" pipenv pip-tools
fi
if [ ! -x "$POETRY1/bin/poetry" ]; then
    uv venv -q -p "$PY" "$POETRY1"
    VIRTUAL_ENV="$POETRY1" uv pip install -q "poetry<2"
fi
export PATH="$TOOLS/bin:$PATH"
# The index every tool resolves against: pip's built-in default, read at run time.
IDX="${INDEX_URL:-$("$TOOLS/bin/python" -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')}"

# --- one project, described once per tool -----------------------------------
PEP621_DEPS='"numpy", "requests[socks]", "six; python_version >= \"3.8\""'

mk() { rm -rf "$WORK/$1"; mkdir -p "$WORK/$1"; echo "$WORK/$1"; }

# uv (uv.lock) and PEP 751 (pylock.toml, exported by uv)
d=$(mk uv)
cat > "$d/pyproject.toml" <<TOML
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [$PEP621_DEPS]

[dependency-groups]
dev = ["six"]
TOML
(cd "$d" && uv lock -q && uv export -q --format pylock.toml -o pylock.toml)
cp "$d/uv.lock" "$HERE/uv.lock"
cp "$d/pylock.toml" "$HERE/pylock.toml"
cp "$d/pyproject.toml" "$HERE/pyproject.toml"

# uv, a large real lock
d=$(mk uvlarge)
cp "$HERE/uv.large.pyproject.toml" "$d/pyproject.toml"
(cd "$d" && uv lock -q)
cp "$d/uv.lock" "$HERE/uv.large.lock"

# poetry 2.x
d=$(mk poetry2)
cat > "$d/pyproject.toml" <<TOML
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11,<4"
dependencies = [$PEP621_DEPS]

[tool.poetry]
package-mode = false

[tool.poetry.group.dev.dependencies]
six = "*"

[[tool.poetry.source]]
name = "index"
url = "$IDX"
priority = "primary"
TOML
(cd "$d" && poetry lock -q)
cp "$d/poetry.lock" "$HERE/poetry2.lock"

# poetry 1.x
d=$(mk poetry1)
cat > "$d/pyproject.toml" <<TOML
[tool.poetry]
name = "demo"
version = "0.1.0"
description = ""
authors = []
package-mode = false

[tool.poetry.dependencies]
python = ">=3.11,<4"
numpy = "*"
requests = { version = "*", extras = ["socks"] }
six = { version = "*", markers = "python_version >= '3.8'" }

[tool.poetry.group.dev.dependencies]
six = "*"

[[tool.poetry.source]]
name = "index"
url = "$IDX"
priority = "primary"
TOML
(cd "$d" && "$POETRY1/bin/poetry" lock -q --no-update)
cp "$d/poetry.lock" "$HERE/poetry1.lock"

# pdm
d=$(mk pdm)
cat > "$d/pyproject.toml" <<TOML
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [$PEP621_DEPS]

[dependency-groups]
dev = ["six"]

[tool.pdm]
distribution = false
TOML
(cd "$d" && pdm lock -q)
cp "$d/pdm.lock" "$HERE/pdm.lock"

# pipenv
d=$(mk pipenv)
cat > "$d/Pipfile" <<TOML
[[source]]
name = "index"
url = "$IDX"
verify_ssl = true

[packages]
numpy = "*"
requests = { version = "*", extras = ["socks"] }
six = { version = "*", markers = "python_version >= '3.8'" }

[dev-packages]
six = "*"

[requires]
python_version = "3.12"
TOML
(cd "$d" && PIPENV_VENV_IN_PROJECT=1 PIPENV_YES=1 PIPENV_NOSPIN=1 \
    pipenv lock --python "$(command -v "$PY")" >/dev/null 2>&1)
cp "$d/Pipfile.lock" "$HERE/Pipfile.lock"

# pip-compile (pip-tools), with hashes
d=$(mk piptools)
cat > "$d/requirements.in" <<TXT
numpy
requests[socks]
six; python_version >= "3.8"
TXT
(cd "$d" && pip-compile -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in)
cp "$d/requirements.txt" "$HERE/requirements.txt"

# --- edge markers: what a lock lists but a target never installs -----------------
# edge-uv/ and edge-poetry1/ lock their own pyproject.toml (kept beside the lock):
# sqlalchemy 2.0.44 (greenlet on some machines), ruamel.yaml 0.18.16 (its clib only
# below 3.14), jupyter-core 5.7.2 (pywin32 on Windows), pandas below 3.13 only,
# requests[socks], an extra "docs" (mkdocs) and a group "dev" (pytest).
d=$(mk edge-uv); cp "$HERE/edge-uv/pyproject.toml" "$d/"
(cd "$d" && uv lock -q) && cp "$d/uv.lock" "$HERE/edge-uv/uv.lock"
d=$(mk edge-poetry1); cp "$HERE/edge-poetry1/pyproject.toml" "$d/"
(cd "$d" && "$POETRY1/bin/poetry" lock -q) && cp "$d/poetry.lock" "$HERE/edge-poetry1/poetry.lock"

# --- rewrite hosts -------------------------------------------------------------
HOSTS=$("$TOOLS/bin/python" - <<'PY'
import os, urllib.parse
from pip._internal.models.index import PyPI
hosts = [PyPI.file_storage_domain, PyPI.netloc]
for var in ("PIP_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX"):
    host = urllib.parse.urlsplit(os.environ.get(var, "")).hostname
    if host:
        hosts.append(host)
print(" ".join(hosts))
PY
)
read -r FILE_HOST INDEX_HOST EXTRA <<<"$HOSTS"
for f in uv.lock uv.large.lock pylock.toml poetry1.lock poetry2.lock pdm.lock Pipfile.lock requirements.txt \
    edge-uv/uv.lock edge-poetry1/poetry.lock; do
    sed -i -e "s#${FILE_HOST//./\\.}#files.index.invalid#g" \
           -e "s#${INDEX_HOST//./\\.}#index.invalid#g" "$HERE/$f"
    for h in ${EXTRA:-}; do sed -i -e "s#${h//./\\.}#index.invalid#g" "$HERE/$f"; done
    # pip-compile writes the path of its temp dir into the header
    sed -i -e "s#$WORK#/tmp/demo#g" "$HERE/$f"
done
echo "regenerated in $HERE"
