#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Configures a -Dprofile=development build of the data files in a
temporary directory and validates them like the default ones: the .Devel
desktop file, metainfo and D-Bus service carry the .Devel id everywhere,
so both builds install side by side.

    check-devel-profile.py --meson MESON --source-root DIR --version V
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkgtest  # noqa: E402

APP_ID = 'io.github.beckon.Beckon.Devel'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--meson', required=True)
    parser.add_argument('--source-root', required=True)
    parser.add_argument('--version', required=True)
    args = parser.parse_args()

    checker = pkgtest.Checker('devel-profile')
    here = os.path.dirname(os.path.abspath(__file__))
    validate = [sys.executable, os.path.join(here, 'validate-data.py')]
    meson = args.meson.split()
    with tempfile.TemporaryDirectory(prefix='beckon-devel-') as build:
        # Only the data files are wanted: leave out what takes long to set up.
        setup = pkgtest.run([*meson, 'setup', build, args.source_root, '-Dprofile=development',
                             '-Dtests=false', '-Dapp=disabled', '-Dvoice=disabled',
                             '-Dintrospection=disabled', '-Ddocs=false'], timeout=300)
        if not checker.check(setup.returncode == 0, pkgtest.describe(setup)):
            checker.finish()
        data = 'resources/data/'
        outputs = {
            'desktop': data + APP_ID + '.desktop',
            'metainfo': data + APP_ID + '.metainfo.xml',
            'service': data + APP_ID + '.service',
        }
        built = pkgtest.run([*meson, 'compile', '-C', build, outputs['desktop'], outputs['metainfo']],
                            timeout=300)
        if not checker.check(built.returncode == 0, pkgtest.describe(built)):
            checker.finish()
        paths = {k: os.path.join(build, v) for k, v in outputs.items()}
        for kind in ('desktop', 'metainfo'):
            result = pkgtest.run([*validate, kind, paths[kind]])
            checker.check(result.returncode in (0, pkgtest.SKIP), f'.Devel {kind}: {pkgtest.describe(result)}')
        source_data = os.path.join(args.source_root, 'resources', 'data')
        result = pkgtest.run([*validate, 'consistency', '--app-id', APP_ID, '--version', args.version,
                              '--source-root', args.source_root,
                              '--desktop', paths['desktop'], '--metainfo', paths['metainfo'],
                              '--service', paths['service'],
                              '--schema', os.path.join(source_data, 'io.github.beckon.Beckon.gschema.xml'),
                              '--icon', os.path.join(source_data, 'icons', 'io.github.beckon.Beckon.svg'),
                              '--symbolic-icon',
                              os.path.join(source_data, 'icons', 'io.github.beckon.Beckon-symbolic.svg')])
        checker.check(result.returncode == 0, f'.Devel data: {pkgtest.describe(result)}')
    checker.finish()


if __name__ == '__main__':
    main()
