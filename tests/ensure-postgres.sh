#!/usr/bin/env bash
# The Zendesk outbox tests start a throwaway PostgreSQL cluster (tests/support/postgres.py) with
# Debian's server binaries. Install them when missing and we may (root, apt-get); no service is
# started or enabled: the tests run their own cluster in a temporary directory.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's postgresql for the outbox tests..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
else
  echo "PostgreSQL's server is not installed; run: sudo apt-get install -y postgresql" >&2
  exit 1
fi
