#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""librtm.so exports its public API only: no wire-codec symbols, nothing
from rtm-client-private.h."""

import re
import subprocess
import sys

PUBLIC = re.compile(r'^rtm_(client|channel|call_manager|local_invitation|remote_invitation|'
                    r'connection_state|connection_change_reason|error)_')

out = subprocess.run(['nm', '-D', '--defined-only', sys.argv[1]], check=True,
                     capture_output=True, text=True).stdout
symbols = [line.split()[-1] for line in out.splitlines() if line.strip()]
leaked = [s for s in symbols if not PUBLIC.match(s) and not s.startswith('RTM_')]
if leaked:
    print('exported but not public API:', ' '.join(sorted(leaked)))
    sys.exit(1)
for internal in ('rtm_client_request', 'rtm_client_send_ack', 'rtm_call_manager_handle_event',
                 'rtm_call_manager_end_all', 'rtm_local_invitation_set_state', 'rtm_channel_new',
                 'rtm_error_new_from_wire', 'rtm_frame_parse'):
    if internal in symbols:
        print(f'{internal} is internal but exported')
        sys.exit(1)
for needed in ('rtm_client_new', 'rtm_call_manager_send_local_invitation_async', 'rtm_error_quark',
               'rtm_connection_state_get_type', 'rtm_local_invitation_error_get_type'):
    if needed not in symbols:
        print(f'{needed} is not exported')
        sys.exit(1)
print(f'{len(symbols)} symbols, all public')
