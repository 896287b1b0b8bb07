#!/usr/bin/env sh
# Installs the Baileys conformance oracle (baileys@7.0.0-rc14, pinned by package-lock.json) that
# tests/WaSms.WhatsApp.Tests/Binary/BaileysOracleTests.cs runs. Idempotent: `npm ci` runs only when
# node_modules does not match the committed lock file. Needs node >= 20 and npm on PATH.
set -eu
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "baileys-oracle: node (>= 20) and npm are required on PATH" >&2
    exit 1
fi

lock_sum=$(node -e "process.stdout.write(require('crypto').createHash('sha256').update(require('fs').readFileSync('package-lock.json')).digest('hex'))")
stamp=node_modules/.wasms-oracle-lock.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -f node_modules/baileys/package.json ]; then
    echo "baileys-oracle: up to date"
    exit 0
fi

# .npmrc beside this script: no peer dependencies (sharp), no install scripts.
npm ci --no-audit --no-fund
printf '%s' "$lock_sum" > "$stamp"
echo "baileys-oracle: installed baileys@$(node -p "require('./node_modules/baileys/package.json').version")"
