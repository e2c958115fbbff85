#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Beckon and runs the whole test
# suite: ./build-aux/test.sh. Ends with one line "N passed, N failed".
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

./build-aux/install-deps.sh

builddir=${BECKON_BUILDDIR:-_build}
if [ -f "$builddir/build.ninja" ]; then
  meson setup --reconfigure "$builddir" >/dev/null
else
  meson setup "$builddir"
fi
meson compile -C "$builddir"

# GTK tests need a display and a session bus; everything else ignores them.
status=0
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" \
  meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@" || status=$?

python3 build-aux/count-tests.py "$builddir/meson-logs/testlog.json"
exit $status
