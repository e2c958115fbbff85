#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks rtm-server.service: the hardening the issue asks for is there,
`systemd-analyze verify` accepts it and `systemd-analyze security` rates
its exposure at most MAX_EXPOSURE.

    check-systemd-unit.py --bindir DIR --man-page rtm-server.1 UNIT
"""

import argparse
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkgtest  # noqa: E402

# "OK" in systemd's words is below 4.0; this unit measures 1.4 with
# systemd 252, so 2.0 catches a lost setting without being brittle.
MAX_EXPOSURE = 2.0

REQUIRED = {
    'DynamicUser': 'yes',
    'ProtectSystem': 'strict',
    'ProtectHome': 'yes',
    'PrivateTmp': 'yes',
    'PrivateDevices': 'yes',
    'NoNewPrivileges': 'yes',
    'RestrictAddressFamilies': 'AF_INET AF_INET6 AF_UNIX',
    'CapabilityBoundingSet': '',
    'MemoryDenyWriteExecute': 'yes',
    'LockPersonality': 'yes',
    'RestrictRealtime': 'yes',
    'RestrictNamespaces': 'yes',
    'ProtectKernelTunables': 'yes',
    'ProtectKernelModules': 'yes',
    'ProtectKernelLogs': 'yes',
    'ProtectControlGroups': 'yes',
    'Restart': 'on-failure',
    'ExecReload': '/bin/kill -HUP $MAINPID',
}


def parse_unit(path):
    """[section] → list of (key, value); systemd keys may repeat."""
    sections = {}
    current = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in '#;':
                continue
            if line.startswith('['):
                current = sections.setdefault(line.strip('[]'), [])
                continue
            key, _, value = line.partition('=')
            current.append((key.strip(), value.strip()))
    return sections


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--bindir', required=True)
    parser.add_argument('--man-page', required=True)
    parser.add_argument('unit')
    args = parser.parse_args()

    checker = pkgtest.Checker('systemd-unit')
    service = parse_unit(args.unit).get('Service', [])
    values = {}
    for key, value in service:
        values.setdefault(key, []).append(value)

    for key, wanted in REQUIRED.items():
        checker.check(wanted in values.get(key, []),
                      f'[Service] {key}={wanted} is missing (has {values.get(key)})')
    checker.check(any(v.startswith('@system-service') for v in values.get('SystemCallFilter', [])),
                  'SystemCallFilter=@system-service is missing')
    exec_start = values.get('ExecStart', [''])[0].split()
    checker.check(exec_start[:1] == [os.path.join(args.bindir, 'rtm-server')],
                  f'ExecStart does not run {args.bindir}/rtm-server: {exec_start}')
    checker.check('--config' in exec_start and
                  any(a.endswith('/rtm-server/rtm-server.conf') for a in exec_start),
                  f'ExecStart does not read rtm-server/rtm-server.conf: {exec_start}')
    credentials = [v.split(':', 1)[0] for v in values.get('LoadCredential', [])]
    checker.check('secret' in credentials, 'the secret is not loaded as a credential')

    tool = pkgtest.which('systemd-analyze')
    if tool is None:
        checker.note('systemd-analyze is not installed: verify and security not run')
        checker.finish()

    with tempfile.TemporaryDirectory() as tmp:
        # verify checks that ExecStart's program exists and that
        # Documentation's man page opens: point them at stand-ins, the
        # program at /bin/true, the page at the built one.
        unit = os.path.join(tmp, 'rtm-server.service')
        with open(args.unit, encoding='utf-8') as f:
            text = f.read()
        text = re.sub(re.escape(os.path.join(args.bindir, 'rtm-server')) + r'\b', '/bin/true', text)
        with open(unit, 'w', encoding='utf-8') as f:
            f.write(text)
        man1 = os.path.join(tmp, 'man', 'man1')
        os.makedirs(man1)
        shutil.copy(args.man_page, man1)
        env = {'MANPATH': os.path.join(tmp, 'man'), 'SYSTEMD_LOG_LEVEL': 'notice'}

        result = pkgtest.run([tool, 'verify', unit], env=env)
        checker.check(result.returncode == 0 and not result.stderr.strip(), pkgtest.describe(result))

        result = pkgtest.run([tool, 'security', '--offline=true', '--no-pager', unit], env=env)
        if result.returncode != 0 and 'offline' in result.stderr:
            checker.note('this systemd-analyze has no --offline: exposure not measured')
        else:
            match = re.search(r'Overall exposure level for \S+: ([0-9.]+)', result.stdout)
            if checker.check(match is not None, f'no exposure level: {pkgtest.describe(result)}'):
                exposure = float(match.group(1))
                checker.note(f'exposure level {exposure} (at most {MAX_EXPOSURE})')
                checker.check(exposure <= MAX_EXPOSURE,
                              f'exposure level {exposure} is above {MAX_EXPOSURE}:\n{result.stdout}')
    checker.finish()


if __name__ == '__main__':
    main()
