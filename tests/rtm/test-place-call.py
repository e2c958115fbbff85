#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python example places a call that a Python callee accepts.

Starts a real rtm-server ($RTM_SERVER_PATH), logs in "bob" here through
the Rtm typelib, accepts what rings, and runs src/rtm/examples/place-call.py
as "alice" against it. Needs GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
at the built librtm; with --skip it only says why it cannot run (exit 77).
"""

import os
import subprocess
import sys

if len(sys.argv) > 1 and sys.argv[1] == '--skip':
    print('skipped: introspection is off in this build (disabled, or a sanitizer build); '
          'the Python example needs Rtm-1.0.typelib')
    sys.exit(77)

import gi  # noqa: E402

gi.require_version('Rtm', '1.0')
from gi.repository import Gio, GLib, Rtm  # noqa: E402

EXAMPLE = sys.argv[1]


def fail(message):
    print(f'FAIL: {message}', flush=True)
    sys.exit(1)


def main():
    server = subprocess.Popen([os.environ['RTM_SERVER_PATH'], '--address', '127.0.0.1', '--port', '0'],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline().strip()
        if not line.startswith('listening on '):
            fail(f'rtm-server printed "{line}"')
        uri = line[len('listening on '):]

        loop = GLib.MainLoop()
        seen = []
        outcome = {}

        bob = Rtm.Client.new(uri)
        manager = bob.get_call_manager()

        def on_received(manager, invitation):
            seen.append(f'received from {invitation.props.caller_id}: {invitation.props.content}')
            invitation.set_response('hello from python')
            manager.accept_remote_invitation_async(invitation, None, on_accepted)

        def on_accepted(manager, result):
            try:
                manager.accept_remote_invitation_finish(result)
                seen.append('accept confirmed')
            except GLib.Error as error:
                seen.append(f'accept failed: {error.message}')

        manager.connect('remote-invitation-received', on_received)
        manager.connect('remote-invitation-accepted', lambda m, inv: seen.append('accepted'))

        def on_caller_done(process, result):
            ok, out, err = process.communicate_utf8_finish(result)
            outcome['status'] = process.get_exit_status()
            outcome['output'] = out
            loop.quit()

        def on_logged_in(client, result):
            client.login_finish(result)
            caller = Gio.Subprocess.new([sys.executable, EXAMPLE, uri, 'alice', 'bob',
                                         '--content', 'voice', '--channel', 'room-7', '--timeout', '10'],
                                        Gio.SubprocessFlags.STDOUT_PIPE)
            caller.communicate_utf8_async(None, None, on_caller_done)

        bob.login_async('bob', None, None, on_logged_in)
        GLib.timeout_add_seconds(20, loop.quit)
        loop.run()

        if 'status' not in outcome:
            fail('place-call.py did not finish within 20 s')
        print(outcome['output'], end='')
        print('\n'.join(seen))
        if outcome['status'] != 0:
            fail(f'place-call.py exited with {outcome["status"]}, not 0 (accepted)')
        if 'accepted: hello from python' not in outcome['output']:
            fail('place-call.py did not print the callee\'s response')
        if 'ringing bob' not in outcome['output']:
            fail('place-call.py never heard received-by-peer')
        if seen[:1] != ['received from alice: voice'] or 'accepted' not in seen:
            fail(f'the callee saw {seen}')
        print('PASS')
    finally:
        server.terminate()
        server.wait()


main()
