#!/usr/bin/env bash
# The accessibility tests inject axe-core (pinned) into chromium. Install it from npm when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
DEST=.node-test
if [ -f "$DEST/node_modules/axe-core/axe.min.js" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$DEST/node_modules/axe-core/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's npm for the accessibility tests..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "npm is not installed; run: sudo apt-get install -y npm" >&2
    exit 1
  fi
fi
echo "installing axe-core $AXE_VERSION for the accessibility tests..." >&2
npm install --silent --no-audit --no-fund --no-save --prefix "$DEST" "axe-core@$AXE_VERSION" >/dev/null
