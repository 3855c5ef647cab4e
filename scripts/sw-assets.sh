#!/usr/bin/env bash
# Trunk post_build hook: writes sw-assets.js into the staging directory, the list of the build's
# own files for the service worker (sw.js) to cache, with a version that changes with the build.
# The hashed file names are left as they are (never rewrite hashed assets: their integrity hashes).
set -euo pipefail
cd "${TRUNK_STAGING_DIR:?run by trunk}"
files=$(find . -maxdepth 1 -type f ! -name 'sw.js' ! -name 'sw-assets.js' -printf '%f\n' | sort)
version=$(printf '%s\n' "$files" | sha256sum | cut -c1-16)
{
  printf 'self.ITDOSE_ASSETS = { version: "%s", files: [' "$version"
  printf '%s\n' "$files" | sed 's/.*/"&"/' | paste -sd, -
  printf '] };\n'
} > sw-assets.js
