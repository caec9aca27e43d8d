#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: PostgreSQL (store/API tests run
# against it as well as SQLite), Chromium (end-to-end browser tests), poppler-utils (PDF pages to
# PNG), and the fonts and Pango libraries WeasyPrint renders with. Idempotent: a package already
# present is not fetched again, so a developer machine pays this once. `system-deps.sh bench` adds
# wrk, the HTTP load generator of bench/platform_bench.py.
set -euo pipefail
need=()
if [ "${1:-}" = "bench" ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
fi
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${need[*]} (run as root or install them)" >&2
  exit 1
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
