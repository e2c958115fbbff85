#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every control Beckon shows has an accessible name, as a screen reader
finds it over AT-SPI.

Starts the real app (which starts its own rtm-server on a free loopback
port), waits until it is signed in, then walks the accessibility tree of
its window: every button, toggle, text field, switch and list of the pages
it shows must have a name. Needs a display and a session bus
(dbus-run-session -- xvfb-run -a) and python3-pyatspi.
Usage: test-accessibility.py BECKON RTM_SERVER
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    import pyatspi
except ImportError:
    print("SKIP: python3-pyatspi is not installed")
    sys.exit(77)

CONTROL_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON,
    pyatspi.ROLE_TOGGLE_BUTTON,
    pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_TEXT,
    pyatspi.ROLE_ENTRY,
    pyatspi.ROLE_PASSWORD_TEXT,
    pyatspi.ROLE_COMBO_BOX,
    pyatspi.ROLE_SLIDER,
    pyatspi.ROLE_LEVEL_BAR,
}
TEXT_ROLES = {pyatspi.ROLE_TEXT, pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT}
# GTK 4.8 names a widget without a label after its type ("GtkImage").
TYPE_NAME = re.compile(r"^(Gtk|Adw|Beckon)[A-Z][A-Za-z]*$")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_app(name, deadline):
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == name:
                return app
        time.sleep(0.2)
    return None


def walk(node, path, found, in_entry=False):
    """Collects every control of every page, shown or not (GTK 4.8 does
    not report which are showing). The buttons inside a named entry row
    (libadwaita's edit and peek icons) belong to that row's name."""
    try:
        role = node.getRole()
        here = path + [f"{node.getRoleName()} '{node.name}'"]
        if role in CONTROL_ROLES and not (in_entry and role == pyatspi.ROLE_PUSH_BUTTON):
            found.append((node, here))
        in_entry = in_entry or role in TEXT_ROLES
        for i in range(node.childCount):
            child = node.getChildAtIndex(i)
            if child is not None:
                walk(child, here, found, in_entry)
    except Exception as error:  # a widget went away while we looked
        print(f"note: {error}", file=sys.stderr)


def is_unnamed(node):
    name = (node.name or "").strip()
    return not name or TYPE_NAME.match(name) is not None


def find_named(app, name):
    try:
        return pyatspi.findDescendant(app, lambda node: node is not None and node.name == name)
    except Exception:
        return None


def on_alarm(signum, frame):
    print("FAIL: the accessibility tree did not answer within 100 s")
    raise SystemExit(1)


def main():
    beckon, server = sys.argv[1], sys.argv[2]
    # pyatspi's calls block; fail in words rather than be killed.
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(100)
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        settings_dir = os.path.join(home, "config", "glib-2.0", "settings")
        os.makedirs(settings_dir)
        with open(os.path.join(settings_dir, "keyfile"), "w") as keyfile:
            keyfile.write("[io/github/beckon/Beckon]\n"
                          f"server-uri='ws://127.0.0.1:{port}/rtm'\n"
                          "user-id='reader'\n")
        env = dict(os.environ,
                   GSETTINGS_BACKEND="keyfile",
                   XDG_CONFIG_HOME=os.path.join(home, "config"),
                   XDG_DATA_HOME=os.path.join(home, "data"),
                   BECKON_RTM_SERVER=server,
                   BECKON_AUDIO_SOURCE="audiotestsrc is-live=true wave=silence",
                   BECKON_AUDIO_SINK="fakesink sync=true",
                   NO_AT_BRIDGE="0")
        app_process = subprocess.Popen([beckon], env=env)
        try:
            deadline = time.monotonic() + 60
            app = find_app("beckon", deadline)
            if app is None:
                print("FAIL: Beckon never appeared on the accessibility bus")
                return 1

            # Signed in to its own server, in words a screen reader reads.
            while time.monotonic() < deadline and not find_named(app, "Connected as reader"):
                time.sleep(0.2)
            if not find_named(app, "Connected as reader"):
                print("FAIL: \"Connected as reader\" never appeared")
                return 1

            found = []
            for i in range(app.childCount):
                walk(app.getChildAtIndex(i), [], found)
            unnamed = [path for node, path in found if is_unnamed(node)]
            print(f"{len(found)} controls, {len(unnamed)} without a name")
            for path in unnamed:
                print("FAIL: no accessible name: " + " > ".join(path))
            if len(found) < 5:
                print("FAIL: too few controls found; is the tree there?")
                return 1
            return 1 if unnamed else 0
        finally:
            app_process.terminate()
            try:
                app_process.wait(10)
            except subprocess.TimeoutExpired:
                app_process.kill()


if __name__ == "__main__":
    sys.exit(main())
