#!/bin/sh
# run-with-keyring.sh PROGRAM ARGS…: runs a test inside a private D-Bus
# session with an unlocked gnome-keyring (TOOLCHAIN.md "The keyring").
tmp=$(mktemp -d)
export HOME="$tmp" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data" KEHU_TEST_KEYRING=1
mkdir -m 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- sh -c '
  printf "kehu\n" | gnome-keyring-daemon --unlock --components=secrets --foreground >/dev/null 2>&1 &
  daemon=$!
  sleep 1
  "$@"
  rc=$?
  kill $daemon 2>/dev/null
  exit $rc' sh "$@"
rc=$?
rm -rf "$tmp"
exit $rc
