#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validates the app's data files: the desktop file, the AppStream
metainfo, the GSettings schema, the D-Bus service file and the icons, with
the freedesktop validators and by reading them.

    validate-data.py desktop FILE
    validate-data.py metainfo FILE
    validate-data.py schema SCHEMA_DIR
    validate-data.py consistency --app-id ID --version V --source-root DIR
                     --desktop F --metainfo F --service F --schema F
                     --icon F --symbolic-icon F
    validate-data.py screenshots --source-root DIR --metainfo F
"""

import argparse
import configparser
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkgtest  # noqa: E402

SCREENSHOTS = ['sign-in', 'dial', 'outgoing', 'incoming', 'in-call', 'history']

# The contract with the app: key name → (GVariant type, default as written).
SCHEMA_ID = 'io.github.beckon.Beckon'
SCHEMA_PATH = '/io/github/beckon/Beckon/'
SCHEMA_KEYS = {
    'server-uri': ('s', "'ws://127.0.0.1:7600/rtm'"),
    'user-id': ('s', "''"),
    'when-busy': ('s', "'ring-softly'"),
    'echo-cancel': ('b', 'true'),
    'microphone': ('s', "''"),
    'speaker': ('s', "''"),
    'window-width': ('i', '420'),
    'window-height': ('i', '720'),
    'window-maximized': ('b', 'false'),
}


def cmd_desktop(args):
    name = 'desktop-file'
    tool = pkgtest.which('desktop-file-validate')
    if tool is None:
        pkgtest.skip(name, 'desktop-file-validate is not installed (desktop-file-utils)')
    result = pkgtest.run([tool, args.file])
    checker = pkgtest.Checker(name)
    # It exits 0 on warnings; a warning is a defect here too. Hints are advice.
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if 'error:' in line or 'warning:' in line]
    checker.check(result.returncode == 0 and not problems, pkgtest.describe(result))
    checker.finish()


def cmd_metainfo(args):
    name = 'metainfo'
    checker = pkgtest.Checker(name)
    appstreamcli = pkgtest.which('appstreamcli')
    appstream_util = pkgtest.which('appstream-util')
    if appstreamcli is not None:
        # Errors and warnings fail; infos pass (Debian 12's appstream 0.16
        # notes <developer> as unknown, which Flathub asks for).
        result = pkgtest.run([appstreamcli, 'validate', '--no-net', '--explain', args.file])
        checker.check(result.returncode == 0, pkgtest.describe(result))
    elif appstream_util is not None:
        result = pkgtest.run([appstream_util, 'validate-relax', '--nonet', args.file])
        checker.check(result.returncode == 0, pkgtest.describe(result))
    else:
        pkgtest.skip(name, 'neither appstreamcli nor appstream-util is installed')
    checker.finish()


def cmd_schema(args):
    name = 'gsettings-schema'
    tool = pkgtest.which('glib-compile-schemas')
    if tool is None:
        pkgtest.skip(name, 'glib-compile-schemas is not installed')
    checker = pkgtest.Checker(name)
    result = pkgtest.run([tool, '--strict', '--dry-run', args.dir])
    checker.check(result.returncode == 0 and not result.stderr.strip(), pkgtest.describe(result))
    checker.finish()


def read_desktop(path):
    parser = configparser.RawConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    with open(path, encoding='utf-8') as f:
        parser.read_file(f)
    return parser


def check_desktop(checker, args):
    entry = read_desktop(args.desktop)['Desktop Entry']
    checker.check(entry.get('Icon') == args.app_id,
                  f'desktop file: Icon={entry.get("Icon")!r}, expected the app id {args.app_id!r}')
    exec_line = entry.get('Exec', '')
    checker.check(exec_line.split()[:1] == [args.exec_name],
                  f'desktop file: Exec={exec_line!r} does not run {args.exec_name!r}')
    checker.check(os.path.basename(args.desktop) == args.app_id + '.desktop',
                  f'desktop file is named {os.path.basename(args.desktop)}, not after the app id')
    for key in ('Name', 'Comment', 'Categories', 'Keywords'):
        checker.check(entry.get(key), f'desktop file: {key} is missing or empty')
    if entry.get('DBusActivatable') == 'true':
        # D-Bus activation needs a service file for the same name.
        service = read_desktop(args.service)['D-BUS Service']
        checker.check(service.get('Name') == args.app_id,
                      f'D-Bus service Name={service.get("Name")!r}, expected {args.app_id!r}')
        service_exec = service.get('Exec', '').split()
        checker.check(len(service_exec) >= 1 and os.path.isabs(service_exec[0]) and
                      os.path.basename(service_exec[0]) == args.exec_name,
                      f'D-Bus service Exec={service.get("Exec")!r} is not an absolute path to {args.exec_name}')
        checker.check('--gapplication-service' in service_exec,
                      'D-Bus service Exec lacks --gapplication-service')
        checker.check(os.path.basename(args.service) == args.app_id + '.service',
                      f'D-Bus service file is named {os.path.basename(args.service)}')


def check_metainfo(checker, args):
    root = ET.parse(args.metainfo).getroot()

    def text(path):
        node = root.find(path)
        return None if node is None else (node.text or '').strip()

    checker.check(root.tag == 'component' and root.get('type') == 'desktop-application',
                  'metainfo: not a desktop-application component')
    checker.check(text('id') == args.app_id, f'metainfo: id {text("id")!r}, expected {args.app_id!r}')
    checker.check(text('name') == 'Beckon', f'metainfo: name {text("name")!r}')
    checker.check(text('metadata_license') == 'CC0-1.0', 'metainfo: metadata_license is not CC0-1.0')
    checker.check(text('project_license') == 'GPL-3.0-or-later',
                  'metainfo: project_license is not GPL-3.0-or-later')
    launchable = root.find("launchable[@type='desktop-id']")
    checker.check(launchable is not None and launchable.text == args.app_id + '.desktop',
                  'metainfo: the launchable does not name the desktop file')
    checker.check(root.find('developer/name') is not None, 'metainfo: no <developer> with a name')
    checker.check(text("url[@type='homepage']") is not None, 'metainfo: no homepage url')
    for url in root.iter('url'):
        checker.check((url.text or '').startswith('https://'),
                      f'metainfo: url {url.text!r} is not https')
    rating = root.find('content_rating')
    checker.check(rating is not None and rating.get('type') == 'oars-1.1',
                  'metainfo: no oars-1.1 content rating')
    if rating is not None:
        ids = {a.get('id') for a in rating.findall('content_attribute')}
        checker.check('social-audio' in ids, 'metainfo: a calling app must rate social-audio')
    releases = [r.get('version') for r in root.findall('releases/release')]
    checker.check(args.version in releases,
                  f'metainfo: no release for the project version {args.version} (has {releases})')
    for release in root.findall('releases/release'):
        checker.check(re.fullmatch(r'\d{4}-\d{2}-\d{2}', release.get('date') or '') is not None,
                      f'metainfo: release {release.get("version")} has no YYYY-MM-DD date')
    translation = root.find("translation[@type='gettext']")
    checker.check(translation is not None and translation.text == 'beckon',
                  'metainfo: no gettext translation "beckon"')

    names = []
    for image in root.findall('screenshots/screenshot/image'):
        url = (image.text or '').strip()
        checker.check(url.startswith('https://'), f'metainfo: screenshot {url!r} is not https')
        checker.check('/resources/screenshots/' in url,
                      f'metainfo: screenshot {url!r} is not one of resources/screenshots/')
        names.append(os.path.splitext(os.path.basename(url))[0])
    checker.check(sorted(names) == sorted(SCREENSHOTS),
                  f'metainfo: screenshots {names}, expected {SCREENSHOTS}')
    defaults = root.findall("screenshots/screenshot[@type='default']")
    checker.check(len(defaults) == 1, 'metainfo: exactly one screenshot must be the default')


def check_schema(checker, args):
    root = ET.parse(args.schema).getroot()
    checker.check(root.get('gettext-domain') == 'beckon', 'schema: gettext-domain is not "beckon"')
    schemas = root.findall('schema')
    checker.check(len(schemas) == 1, f'schema: {len(schemas)} <schema> elements, expected 1')
    if not schemas:
        return
    schema = schemas[0]
    checker.check(schema.get('id') == SCHEMA_ID, f'schema: id {schema.get("id")!r}')
    checker.check(schema.get('path') == SCHEMA_PATH, f'schema: path {schema.get("path")!r}')
    keys = {k.get('name'): k for k in schema.findall('key')}
    checker.check(set(keys) == set(SCHEMA_KEYS),
                  f'schema: keys {sorted(keys)}, the app uses {sorted(SCHEMA_KEYS)}')
    for name, (vtype, default) in SCHEMA_KEYS.items():
        key = keys.get(name)
        if key is None:
            continue
        checker.check(key.get('type') == vtype, f'schema: {name} has type {key.get("type")}, expected {vtype}')
        checker.check((key.findtext('default') or '').strip() == default,
                      f'schema: {name} defaults to {key.findtext("default")!r}, expected {default!r}')
        checker.check((key.findtext('summary') or '').strip() != '', f'schema: {name} has no summary')
        checker.check((key.findtext('description') or '').strip() != '', f'schema: {name} has no description')
    busy = keys.get('when-busy')
    if busy is not None:
        choices = sorted(c.get('value') for c in busy.findall('choices/choice'))
        checker.check(choices == ['refuse', 'ring-softly'], f'schema: when-busy choices {choices}')


def check_icons(checker, args):
    for path, size in ((args.icon, 128), (args.symbolic_icon, 16)):
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as e:
            checker.fail(f'icon {path}: {e}')
            continue
        checker.check(root.tag == '{http://www.w3.org/2000/svg}svg', f'icon {path}: not an SVG')
        checker.check(root.get('viewBox') == f'0 0 {size} {size}',
                      f'icon {path}: viewBox {root.get("viewBox")!r}, expected 0 0 {size} {size}')
    # GTK recolours a symbolic icon's fills, never its strokes.
    with open(args.symbolic_icon, encoding='utf-8') as f:
        symbolic = f.read()
    checker.check('stroke' not in symbolic, 'symbolic icon uses strokes, which GTK does not recolour')


def check_licences(checker, args):
    for name, marker in (('COPYING', 'GNU GENERAL PUBLIC LICENSE\n                       Version 3'),
                         ('COPYING.LIB', 'GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 2.1')):
        path = os.path.join(args.source_root, name)
        try:
            with open(path, encoding='utf-8') as f:
                checker.check(marker in f.read(), f'{name} does not hold the expected licence text')
        except OSError as e:
            checker.fail(f'{name}: {e}')


def cmd_consistency(args):
    checker = pkgtest.Checker('data-consistency')
    for check in (check_desktop, check_metainfo, check_schema, check_icons, check_licences):
        try:
            check(checker, args)
        except (OSError, KeyError, configparser.Error, ET.ParseError) as e:
            checker.fail(f'{check.__name__}: {type(e).__name__}: {e}')
    checker.finish()


def cmd_screenshots(args):
    folder = os.path.join(args.source_root, 'resources', 'screenshots')
    if not os.path.isdir(folder):
        # The app's screenshot tool makes them; until it has run once there
        # is nothing to check. Once the folder exists every name must be there.
        pkgtest.skip('metainfo-screenshots', 'resources/screenshots/ does not exist yet')
    checker = pkgtest.Checker('metainfo-screenshots')
    root = ET.parse(args.metainfo).getroot()
    for image in root.findall('screenshots/screenshot/image'):
        url = (image.text or '').strip()
        relative = url.split('/main/', 1)[-1]
        path = os.path.join(args.source_root, relative)
        if not checker.check(os.path.isfile(path), f'{relative} (named in the metainfo) does not exist'):
            continue
        with open(path, 'rb') as f:
            header = f.read(24)
        ok = header[:8] == b'\x89PNG\r\n\x1a\n'
        checker.check(ok, f'{relative} is not a PNG')
        if ok:
            width = int.from_bytes(header[16:20], 'big')
            height = int.from_bytes(header[20:24], 'big')
            # Flathub wants screenshots people can see: not thumbnails.
            checker.check(width >= 300 and height >= 300, f'{relative} is only {width}x{height}')
    checker.finish()


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('desktop')
    p.add_argument('file')
    p.set_defaults(func=cmd_desktop)
    p = sub.add_parser('metainfo')
    p.add_argument('file')
    p.set_defaults(func=cmd_metainfo)
    p = sub.add_parser('schema')
    p.add_argument('dir')
    p.set_defaults(func=cmd_schema)
    p = sub.add_parser('consistency')
    for option in ('--app-id', '--version', '--source-root', '--desktop', '--metainfo',
                   '--service', '--schema', '--icon', '--symbolic-icon'):
        p.add_argument(option, required=True)
    p.add_argument('--exec-name', default='beckon')
    p.set_defaults(func=cmd_consistency)
    p = sub.add_parser('screenshots')
    p.add_argument('--source-root', required=True)
    p.add_argument('--metainfo', required=True)
    p.set_defaults(func=cmd_screenshots)
    args = parser.parse_args()
    args.func(args)


if __name__ == '__main__':
    main()
