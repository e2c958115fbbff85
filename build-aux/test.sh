#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Beckon and runs the tests:
#   ./build-aux/test.sh
# 1. the whole suite (GTK tests under Xvfb and a private session bus);
# 2. the library and codec under valgrind's memcheck;
# 3. the whole suite again, built with AddressSanitizer and UBSan.
# BECKON_QUICK=1 runs only the first. Ends with one line "N passed, N failed"
# over every run.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

./build-aux/install-deps.sh

builddir=${BECKON_BUILDDIR:-_build}
asandir="$builddir-asan"

setup() {
  dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
  meson compile -C "$dir"
}

# GTK tests need a display and a session bus; everything else ignores them.
in_session() {
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" "$@"
}

status=0
logs=""

setup "$builddir"
rm -f "$builddir"/meson-logs/testlog*.json
echo "== test suite"
in_session meson test -C "$builddir" --print-errorlogs --num-processes 2 || status=1
logs="$builddir/meson-logs/testlog.json"

if [ "${BECKON_QUICK:-0}" != 1 ]; then
  echo "== librtm and the codec under valgrind"
  meson test -C "$builddir" --setup valgrind --print-errorlogs protocol rtm || status=1
  logs="$logs $builddir/meson-logs/testlog-valgrind.json"

  echo "== test suite under AddressSanitizer and UBSan"
  setup "$asandir" -Db_sanitize=address,undefined -Db_lundef=false
  rm -f "$asandir"/meson-logs/testlog*.json
  # Sanitized code runs a few times slower: give every deadline room.
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CK_TIMEOUT_MULTIPLIER=3 \
    in_session meson test -C "$asandir" --print-errorlogs --num-processes 2 \
      --timeout-multiplier 2 || status=1
  logs="$logs $asandir/meson-logs/testlog.json"
fi

# shellcheck disable=SC2086
python3 build-aux/count-tests.py $logs
exit $status
