#!/usr/bin/env bash
# The browser the web end-to-end tests drive: Debian's chromium at /usr/bin/chromium
# (Playwright's own browser downloads are never used). Needs root or sudo on Debian/Ubuntu.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
/usr/bin/chromium --version
