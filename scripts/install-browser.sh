#!/usr/bin/env bash
# Installs Debian's chromium and a CJK font for the browser tests when they are missing.
# Without root it only warns: the browser tests then skip loudly (and fail under CI=true).
set -u
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "!!! chromium or fonts-wqy-microhei missing and not root: browser tests will be skipped !!!" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null \
  || echo "!!! could not install chromium / fonts-wqy-microhei: browser tests will be skipped !!!" >&2
