#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The desktop file says DBusActivatable=true, so desktops start Beckon by
calling org.freedesktop.Application.Activate on its bus name. This test
does what they do, on a private session bus whose service directory holds
the built D-Bus service file (its Exec pointed at the built binary): the
bus starts Beckon, Beckon owns the name, shows its actions, and quits when
its "quit" action is activated.

    check-dbus-activation.py --app-id ID --service FILE --desktop FILE
                             --program beckon --schema-dir DIR
"""

import argparse
import configparser
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkgtest  # noqa: E402

BUS_CONFIG = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={tmp}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
'''


def read_ini(path, group):
    parser = configparser.RawConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding='utf-8')
    return parser[group]


def gdbus(address, *words, timeout=30):
    return pkgtest.run(['gdbus', 'call', '--address', address, *words], timeout=timeout)


def name_has_owner(address, name):
    result = gdbus(address, '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus',
                   '--method', 'org.freedesktop.DBus.NameHasOwner', name)
    return result.returncode == 0 and 'true' in result.stdout


def main():
    parser = argparse.ArgumentParser()
    for option in ('--app-id', '--service', '--desktop', '--program', '--schema-dir'):
        parser.add_argument(option, required=True)
    args = parser.parse_args()
    name = 'dbus-activation'

    if read_ini(args.desktop, 'Desktop Entry').get('DBusActivatable') != 'true':
        pkgtest.skip(name, 'the desktop file is not D-Bus activatable')
    for tool in ('dbus-daemon', 'gdbus'):
        if pkgtest.which(tool) is None:
            pkgtest.skip(name, f'{tool} is not installed')
    if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
        pkgtest.skip(name, 'no display (run under xvfb-run, as build-aux/test.sh does)')

    checker = pkgtest.Checker(name)
    program = os.path.abspath(args.program)
    object_path = '/' + args.app_id.replace('.', '/').replace('-', '_')
    with tempfile.TemporaryDirectory(prefix='beckon-dbus-') as tmp:
        services = os.path.join(tmp, 'services')
        os.makedirs(services)
        service = read_ini(args.service, 'D-BUS Service')
        exec_words = service.get('Exec', '').split()
        checker.check(service.get('Name') == args.app_id, f'service Name={service.get("Name")!r}')
        if not checker.check(exec_words and os.path.basename(exec_words[0]) == os.path.basename(program),
                             f'service Exec={service.get("Exec")!r} does not run {os.path.basename(program)}'):
            checker.finish()
        with open(os.path.join(services, os.path.basename(args.service)), 'w', encoding='utf-8') as f:
            f.write('[D-BUS Service]\n')
            f.write(f'Name={service.get("Name")}\n')
            f.write(f'Exec={" ".join([program] + exec_words[1:])}\n')
        config = os.path.join(tmp, 'session.conf')
        with open(config, 'w', encoding='utf-8') as f:
            f.write(BUS_CONFIG.format(tmp=tmp, services=services))

        # The bus hands its environment to the services it starts.
        env = dict(os.environ)
        env.update({
            'GSETTINGS_SCHEMA_DIR': os.path.abspath(args.schema_dir),
            'GSETTINGS_BACKEND': 'memory',
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
            'NO_AT_BRIDGE': '1',
        })
        env.pop('G_DEBUG', None)
        daemon = subprocess.Popen(['dbus-daemon', '--config-file', config, '--nofork', '--print-address=1'],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            address = daemon.stdout.readline().strip()
            if not checker.check(address.startswith('unix:'), f'dbus-daemon printed {address!r}'):
                checker.finish()

            started = time.monotonic()
            result = gdbus(address, '--dest', args.app_id, '--object-path', object_path,
                           '--method', 'org.freedesktop.Application.Activate', '{}')
            checker.check(result.returncode == 0, f'Activate: {pkgtest.describe(result)}')
            checker.check(name_has_owner(address, args.app_id), f'nobody owns {args.app_id} after Activate')
            checker.note(f'activated in {time.monotonic() - started:.2f} s')

            result = gdbus(address, '--dest', args.app_id, '--object-path', object_path,
                           '--method', 'org.gtk.Actions.List')
            actions = re.findall(r"'([a-z-]+)'", result.stdout)
            checker.check(result.returncode == 0 and 'quit' in actions,
                          f'the app exports no "quit" action: {pkgtest.describe(result)}')
            checker.note(f'actions: {" ".join(sorted(actions))}')

            result = gdbus(address, '--dest', args.app_id, '--object-path', object_path,
                           '--method', 'org.gtk.Actions.Activate', 'quit', '[]', '{}')
            checker.check(result.returncode == 0, f'quit: {pkgtest.describe(result)}')
            deadline = time.monotonic() + 10
            while name_has_owner(address, args.app_id) and time.monotonic() < deadline:
                time.sleep(0.1)
            checker.check(not name_has_owner(address, args.app_id),
                          f'{args.app_id} still owns its name 10 s after "quit"')
        finally:
            daemon.terminate()
            try:
                daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
    checker.finish()


if __name__ == '__main__':
    main()
