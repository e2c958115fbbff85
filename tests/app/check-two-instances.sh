#!/bin/sh
# Two Beckon processes on one machine, started with --uid, run side by side
# and are both signed in to the same server (a plain second start would
# only raise the first window).
# Usage: check-two-instances.sh BECKON RTM-SERVER RTM-CALL
set -eu
beckon=$1
server=$2
cli=$3

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "no display: run under xvfb-run" >&2
  exit 77
fi

tmp=$(mktemp -d)
pids=""
cleanup() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$server" --port 0 >"$tmp/server.out" 2>"$tmp/server.err" &
pids="$!"
uri=""
for _ in $(seq 1 100); do
  uri=$(sed -n 's/^listening on //p' "$tmp/server.out" | head -n 1)
  [ -n "$uri" ] && break
  sleep 0.05
done
[ -n "$uri" ] || { echo "rtm-server did not start" >&2; exit 1; }

export XDG_DATA_HOME="$tmp/data"
export BECKON_AUDIO_SOURCE="audiotestsrc is-live=true wave=silence"
export BECKON_AUDIO_SINK="fakesink sync=true"
# Xvfb refuses a few percent of fresh connections; a process that could not
# open the display exits at once and is started again (at most 3 times).
start() {
  "$beckon" --uid "$1" --server "$uri" >>"$tmp/$1.log" 2>&1 &
  eval "pid_$1=$!"
  pids="$pids $!"
}
restarts=0
start alice
start bob

online=""
for _ in $(seq 1 100); do
  for who in alice bob; do
    eval "pid=\$pid_$who"
    if ! kill -0 "$pid" 2>/dev/null && [ "$restarts" -lt 3 ]; then
      restarts=$((restarts + 1))
      start "$who"
    fi
  done
  online=$("$cli" --server "$uri" --uid probe --json presence alice bob 2>/dev/null || true)
  if [ "$(printf '%s\n' "$online" | grep -c '"online" *: *true')" -eq 2 ]; then
    echo "both instances signed in: $online"
    exit 0
  fi
  sleep 0.2
done

echo "alice and bob were never both online: $online" >&2
echo "--- alice" >&2; cat "$tmp/alice.log" >&2
echo "--- bob" >&2; cat "$tmp/bob.log" >&2
exit 1
