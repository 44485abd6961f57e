# Sourced by .ci/run: Debian's Chromium, which the Playwright test of `webstarter serve` drives
# (tests/test_serve_browser.py launches /usr/bin/chromium; Playwright's own browsers are not
# downloaded).
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q chromium >/dev/null
fi
WEBSTARTER_CHROMIUM="$(command -v chromium)"
export WEBSTARTER_CHROMIUM
