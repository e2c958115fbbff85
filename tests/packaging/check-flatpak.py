#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the Flatpak manifests offline: they parse as JSON,
flatpak-builder --show-manifest accepts them without a warning, they name
files that exist, and they keep to the permissions and build the issue asks
for.

    check-flatpak.py --app-id-base ID --source-root DIR --command NAME MANIFEST...
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkgtest  # noqa: E402

ALLOWED_FINISH_ARGS = {
    '--share=ipc', '--socket=wayland', '--socket=fallback-x11', '--device=dri',
    '--socket=pulseaudio', '--share=network',
}
REQUIRED_FINISH_ARGS = ALLOWED_FINISH_ARGS - {'--device=dri'}
GNOME_RUNTIMES = {'49', '50'}


def check_manifest(checker, path, args):
    label = os.path.basename(path)
    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        checker.fail(f'{label}: {e}')
        return

    app_id = manifest.get('id') or manifest.get('app-id')
    devel = app_id == args.app_id_base + '.Devel'
    checker.check(app_id in (args.app_id_base, args.app_id_base + '.Devel'),
                  f'{label}: id {app_id!r} is not {args.app_id_base}[.Devel]')
    checker.check(label == f'{app_id}.json', f'{label}: not named after its id {app_id}')
    checker.check(manifest.get('runtime') == 'org.gnome.Platform' and
                  manifest.get('sdk') == 'org.gnome.Sdk', f'{label}: not on the GNOME runtime')
    checker.check(manifest.get('runtime-version') in GNOME_RUNTIMES,
                  f'{label}: runtime-version {manifest.get("runtime-version")!r}, expected one of {sorted(GNOME_RUNTIMES)}')
    checker.check(manifest.get('command') == args.command,
                  f'{label}: command {manifest.get("command")!r}, expected {args.command!r}')

    finish_args = manifest.get('finish-args', [])
    extra = set(finish_args) - ALLOWED_FINISH_ARGS
    checker.check(not extra, f'{label}: finish-args beyond what the app needs: {sorted(extra)}')
    missing = REQUIRED_FINISH_ARGS - set(finish_args)
    checker.check(not missing, f'{label}: finish-args lack {sorted(missing)}')
    for arg in finish_args:
        checker.check(not arg.startswith('--filesystem'), f'{label}: {arg}: no file-system access')

    modules = manifest.get('modules', [])
    app_modules = [m for m in modules if isinstance(m, dict) and m.get('name') == 'beckon']
    if not checker.check(len(app_modules) == 1 and modules[-1] is app_modules[0],
                         f'{label}: the last module must be "beckon"'):
        return
    app = app_modules[0]
    checker.check(app.get('buildsystem') == 'meson', f'{label}: beckon is not built with meson')
    checker.check(app.get('run-tests') is True, f'{label}: beckon does not run its tests')
    opts = app.get('config-opts', [])
    wanted = '-Dprofile=development' if devel else '-Dprofile=default'
    checker.check(wanted in opts, f'{label}: config-opts {opts} lack {wanted}')
    if devel:
        checker.check('devel' in manifest.get('tags', []), f'{label}: a .Devel build is tagged "devel"')

    for module in modules:
        if not isinstance(module, dict):
            checker.fail(f'{label}: module {module!r} is not inline')
            continue
        for source in module.get('sources', []):
            kind = source.get('type')
            if kind == 'dir':
                where = os.path.normpath(os.path.join(os.path.dirname(path), source.get('path', '')))
                checker.check(os.path.isfile(os.path.join(where, 'meson.build')),
                              f'{label}: module {module.get("name")}: dir {source.get("path")!r} is not the source tree')
                checker.check(os.path.samefile(where, args.source_root) if os.path.exists(where) else False,
                              f'{label}: module {module.get("name")}: dir {source.get("path")!r} is not this checkout')
            elif kind in ('archive', 'file'):
                checker.check(str(source.get('url', '')).startswith('https://'),
                              f'{label}: module {module.get("name")}: url is not https')
                checker.check(re.fullmatch(r'[0-9a-f]{64}', str(source.get('sha256', ''))) is not None,
                              f'{label}: module {module.get("name")}: no sha256')
            elif kind == 'git':
                checker.check('commit' in source or 'tag' in source,
                              f'{label}: module {module.get("name")}: git source without commit or tag')
            else:
                checker.fail(f'{label}: module {module.get("name")}: source type {kind!r} not expected')
        if module is not app:
            # Test-only modules (check) must not end up in the app.
            checker.check(module.get('cleanup') == ['*'],
                          f'{label}: module {module.get("name")} is only for the build; it needs "cleanup": ["*"]')

    builder = pkgtest.which('flatpak-builder')
    if builder is None:
        checker.note('flatpak-builder is not installed: --show-manifest not run')
        return
    result = pkgtest.run([builder, '--show-manifest', path])
    # Unknown properties only warn, so a warning fails here.
    checker.check(result.returncode == 0 and 'WARNING' not in result.stderr and
                  'Unknown property' not in result.stderr, pkgtest.describe(result))
    if result.returncode == 0:
        try:
            shown = json.loads(result.stdout)
            checker.check((shown.get('id') or shown.get('app-id')) == app_id,
                          f'{label}: flatpak-builder reads id {shown.get("id")!r}')
        except ValueError as e:
            checker.fail(f'{label}: flatpak-builder --show-manifest printed no JSON: {e}')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--app-id-base', required=True)
    parser.add_argument('--source-root', required=True)
    parser.add_argument('--command', required=True)
    parser.add_argument('manifests', nargs='+')
    args = parser.parse_args()

    checker = pkgtest.Checker('flatpak-manifests')
    ids = set()
    for path in args.manifests:
        check_manifest(checker, path, args)
        try:
            with open(path, encoding='utf-8') as f:
                ids.add(json.load(f).get('id'))
        except (OSError, ValueError):
            pass
    checker.check(ids == {args.app_id_base, args.app_id_base + '.Devel'},
                  f'expected a manifest and its .Devel variant, found {sorted(map(str, ids))}')
    checker.finish()


if __name__ == '__main__':
    main()
