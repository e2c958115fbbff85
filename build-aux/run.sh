#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Beckon and runs it against an
# embedded local server: ./build-aux/run.sh
#
# With a display, it opens the Beckon app, which starts its own rtm-server
# and echo service on ws://127.0.0.1:7600/rtm when nothing answers there.
# Without one (a headless machine), it runs the same call from the command
# line: a local rtm-server, the echo service, and a 5-second call to `echo`
# with a test tone, printing the call's events and statistics.
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

server="$top/$builddir/src/server/rtm-server"
cli="$top/$builddir/src/cli/rtm-call"
app="$top/$builddir/src/app/beckon"

if [ -n "${WAYLAND_DISPLAY:-}${DISPLAY:-}" ] && [ -x "$app" ]; then
  export BECKON_RTM_SERVER="$server"
  if [ -d "$top/$builddir/resources/data" ]; then
    export GSETTINGS_SCHEMA_DIR="$top/$builddir/resources/data"
  fi
  exec "$app" "$@"
fi

echo "run: no display; placing a call to the echo service from the command line"
tmp=$(mktemp -d)
cleanup() {
  [ -n "${echo_pid:-}" ] && kill "$echo_pid" 2>/dev/null || true
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$server" --port 0 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
uri=""
for _ in $(seq 1 100); do
  uri=$(sed -n 's/^listening on //p' "$tmp/server.out" | head -n 1)
  [ -n "$uri" ] && break
  sleep 0.05
done
if [ -z "$uri" ]; then
  echo "run: rtm-server did not start:" >&2
  cat "$tmp/server.err" >&2
  exit 1
fi
echo "run: rtm-server listening on $uri"

"$cli" --server "$uri" --uid echo echo >"$tmp/echo.out" 2>&1 &
echo_pid=$!
sleep 0.5

"$cli" --server "$uri" --uid "${USER:-demo}" call echo --test-audio --duration 5 "$@"
