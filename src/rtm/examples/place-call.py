#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Place a call with librtm from Python, through GObject introspection.

    place-call.py ws://127.0.0.1:7600/rtm alice bob [--content TEXT] [--channel ID]

Logs in as the caller, invites the callee and prints each event as it
happens. Exit status: 0 accepted, 1 refused, 2 canceled or failed
(not answered, offline, expired), 3 could not log in or send.
Run it against a build tree with
GI_TYPELIB_PATH=_build/src/rtm LD_LIBRARY_PATH=_build/src/rtm.
"""

import argparse
import sys

import gi

gi.require_version('Rtm', '1.0')
from gi.repository import GLib, Rtm  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description='Place a call with librtm.')
    parser.add_argument('server_uri', help='the URI rtm-server prints, ws://HOST:PORT/rtm')
    parser.add_argument('uid', help='the caller\'s user id')
    parser.add_argument('callee', help='the user id to call')
    parser.add_argument('--token', help='login token (servers with a secret)')
    parser.add_argument('--content', help='text for the callee')
    parser.add_argument('--channel', help='channel id for the call')
    parser.add_argument('--timeout', type=float, default=90, help='seconds to wait for an outcome')
    args = parser.parse_args()

    loop = GLib.MainLoop()
    status = [3]

    client = Rtm.Client.new(args.server_uri)
    manager = client.get_call_manager()
    invitation = manager.create_local_invitation(args.callee)
    if args.content is not None and not invitation.set_content(args.content):
        sys.exit('the content is over 8 KiB')
    if args.channel is not None and not invitation.set_channel_id(args.channel):
        sys.exit(f'"{args.channel}" is not a valid channel id')

    def finish(code, text):
        print(text, flush=True)
        status[0] = code
        loop.quit()

    manager.connect('local-invitation-received-by-peer',
                    lambda m, inv: print(f'ringing {inv.props.callee_id}', flush=True))
    manager.connect('local-invitation-accepted',
                    lambda m, inv, response: finish(0, f'accepted: {response or ""}'))
    manager.connect('local-invitation-refused',
                    lambda m, inv, response: finish(1, f'refused: {response or ""}'))
    manager.connect('local-invitation-canceled', lambda m, inv: finish(2, 'canceled'))
    manager.connect('local-invitation-failure',
                    lambda m, inv, code: finish(2, f'failed: {code.value_nick}'))

    def on_sent(manager, result):
        try:
            manager.send_local_invitation_finish(result)
            print(f'sent, invitation {invitation.props.invitation_id}', flush=True)
        except GLib.Error as error:
            finish(3, f'cannot send: {error.message}')

    def on_logged_in(client, result):
        try:
            client.login_finish(result)
        except GLib.Error as error:
            finish(3, f'cannot log in: {error.message}')
            return
        print(f'logged in as {client.props.user_id}', flush=True)
        manager.send_local_invitation_async(invitation, None, on_sent)

    def on_timeout():
        finish(2, 'no outcome in time')
        return GLib.SOURCE_REMOVE

    client.login_async(args.uid, args.token, None, on_logged_in)
    GLib.timeout_add(int(args.timeout * 1000), on_timeout)
    loop.run()
    sys.exit(status[0])


if __name__ == '__main__':
    main()
