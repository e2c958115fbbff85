#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Installs the build into a DESTDIR and checks the tree: every file the
build is expected to install (passed by meson with --expect, globs
allowed), the translations po/LINGUAS lists, everything `meson introspect
--installed` promises, nothing outside the prefix. Then builds a tiny C
program against the installed rtm.pc and runs it on the installed
librtm, imports Rtm in Python through the installed typelib, and composes
the AppStream catalog of the installed app as Flathub would.

    check-install.py --meson MESON --builddir DIR --prefix P --libdir L
        --sysconfdir S --localedir D --po-dir DIR
        [--expect PATH]... [--rtm-pc PATH --cc CC [--sanitize S]]
        [--typelib PATH --python PY] [--app-id ID]
"""

import argparse
import glob
import gzip
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkgtest  # noqa: E402

C_PROGRAM = r'''
#include <rtm.h>

int
main (void)
{
  g_autoptr(RtmClient) client = rtm_client_new ("ws://127.0.0.1:9/rtm");
  RtmCallManager *manager = rtm_client_get_call_manager (client);
  g_autoptr(RtmLocalInvitation) invitation =
    rtm_call_manager_create_local_invitation (manager, "bob");

  if (g_strcmp0 (rtm_local_invitation_get_callee_id (invitation), "bob") != 0 ||
      rtm_local_invitation_get_state (invitation) != RTM_LOCAL_INVITATION_STATE_IDLE)
    return 1;
  g_print ("%s %s\n", G_OBJECT_TYPE_NAME (client), rtm_client_get_server_uri (client));
  return 0;
}
'''

PY_PROGRAM = r'''
import os, sys
import gi
gi.require_version('Rtm', '1.0')
gi.require_version('GIRepository', '2.0')
from gi.repository import GIRepository, Rtm

typelib = GIRepository.Repository.get_default().get_typelib_path('Rtm')
client = Rtm.Client.new('ws://127.0.0.1:9/rtm')
invitation = client.get_call_manager().create_local_invitation('bob')
assert invitation.get_callee_id() == 'bob', invitation.get_callee_id()
assert invitation.get_state() == Rtm.LocalInvitationState.IDLE
with open('/proc/self/maps') as f:
    libraries = sorted({line.split()[-1] for line in f if 'librtm' in line})
print(typelib)
print('\n'.join(libraries))
'''


def under(destdir, path):
    return os.path.join(destdir, path.lstrip('/'))


def check_tree(checker, args, destdir):
    for pattern in args.expect:
        found = glob.glob(under(destdir, pattern), recursive=True)
        checker.check(found, f'{pattern} was not installed')

    linguas = os.path.join(args.po_dir, 'LINGUAS')
    if os.path.exists(linguas):
        with open(linguas, encoding='utf-8') as f:
            languages = [w for line in f for w in line.split('#', 1)[0].split()]
        for language in languages:
            mo = os.path.join(args.localedir, language, 'LC_MESSAGES', 'beckon.mo')
            checker.check(os.path.isfile(under(destdir, mo)), f'{mo} (po/LINGUAS) was not installed')
        checker.note(f'{len(languages)} translations expected: {" ".join(languages) or "none"}')

    result = pkgtest.run([args.meson, 'introspect', '--installed', args.builddir])
    if checker.check(result.returncode == 0, pkgtest.describe(result)):
        promised = json.loads(result.stdout)
        for target in sorted(set(promised.values())):
            checker.check(os.path.lexists(under(destdir, target)),
                          f'meson promised {target} but did not install it')
        checker.note(f'{len(promised)} files promised by meson introspect --installed')

    roots = [args.prefix, args.sysconfdir]
    count = 0
    for dirpath, dirnames, filenames in os.walk(destdir):
        for name in filenames:
            count += 1
            path = '/' + os.path.relpath(os.path.join(dirpath, name), destdir)
            checker.check(any(path.startswith(root.rstrip('/') + '/') for root in roots),
                          f'{path} is installed outside {" and ".join(roots)}')
    checker.note(f'{count} files installed')


def check_c_program(checker, args, destdir, tmp):
    pc = under(destdir, args.rtm_pc)
    if not checker.check(os.path.isfile(pc), f'{args.rtm_pc} is not installed: no C program built'):
        return
    # Point the installed rtm.pc's prefix into the DESTDIR: its other
    # paths derive from ${prefix}, as meson writes them.
    pcdir = os.path.join(tmp, 'pkgconfig')
    os.makedirs(pcdir)
    with open(pc, encoding='utf-8') as f:
        text = f.read()
    checker.check(re.search(r'^prefix=', text, re.M), 'rtm.pc has no prefix= line')
    text = re.sub(r'^prefix=.*$', 'prefix=' + under(destdir, args.prefix), text, flags=re.M)
    with open(os.path.join(pcdir, 'rtm.pc'), 'w', encoding='utf-8') as f:
        f.write(text)
    env = {'PKG_CONFIG_PATH': pcdir}
    flags = pkgtest.run(['pkg-config', '--cflags', '--libs', 'rtm'], env=env)
    if not checker.check(flags.returncode == 0, pkgtest.describe(flags)):
        return
    checker.check(destdir in flags.stdout, f'pkg-config rtm does not point into the DESTDIR: {flags.stdout}')

    source = os.path.join(tmp, 'use-rtm.c')
    program = os.path.join(tmp, 'use-rtm')
    with open(source, 'w', encoding='utf-8') as f:
        f.write(C_PROGRAM)
    sanitize = [] if args.sanitize in (None, '', 'none') else [f'-fsanitize={args.sanitize}']
    build = pkgtest.run([*args.cc.split(), '-std=c11', '-Wall', '-Wextra', '-Werror', *sanitize,
                         source, '-o', program, *flags.stdout.split()])
    if not checker.check(build.returncode == 0, f'the C program did not build: {pkgtest.describe(build)}'):
        return
    libdir = under(destdir, args.libdir)
    # Its purpose is linking and loading; leaks are the library suites' job.
    runs = pkgtest.run([program], env={'LD_LIBRARY_PATH': libdir, 'ASAN_OPTIONS': 'detect_leaks=0'})
    if checker.check(runs.returncode == 0 and runs.stdout.strip() == 'RtmClient ws://127.0.0.1:9/rtm',
                     f'the C program: {pkgtest.describe(runs)}'):
        checker.note(f'a C program built with `pkg-config rtm` ran: {runs.stdout.strip()}')
    ldd = pkgtest.which('ldd')
    if ldd:
        linked = pkgtest.run([ldd, program], env={'LD_LIBRARY_PATH': libdir})
        lines = [line for line in linked.stdout.splitlines() if 'librtm' in line]
        checker.check(lines and all(libdir in line for line in lines),
                      f'the C program does not load librtm from the DESTDIR: {lines}')


def check_python(checker, args, destdir):
    typelib = under(destdir, args.typelib)
    if not checker.check(os.path.isfile(typelib), f'{args.typelib} is not installed'):
        return
    if not checker.check(args.python and args.python != 'MISSING',
                         'no Python with PyGObject (python3-gi) to import Rtm'):
        return
    libdir = under(destdir, args.libdir)
    result = pkgtest.run([args.python, '-c', PY_PROGRAM],
                         env={'GI_TYPELIB_PATH': os.path.dirname(typelib), 'LD_LIBRARY_PATH': libdir})
    if checker.check(result.returncode == 0, f'import Rtm: {pkgtest.describe(result)}'):
        lines = result.stdout.split()
        checker.check(lines and lines[0] == typelib, f'Rtm came from {lines[:1]}, not {typelib}')
        if checker.check(len(lines) > 1 and all(line.startswith(libdir) for line in lines[1:]),
                         f'librtm came from {lines[1:]}, not {libdir}'):
            checker.note(f'Python imported Rtm from {os.path.relpath(typelib, destdir)}')


def check_compose(checker, args, destdir, tmp):
    """What flatpak-builder and Flathub do with the installed tree:
    `appstreamcli compose` finds the component, its desktop file and its
    icon (rendered to PNG), offline."""
    probe = pkgtest.run(['appstreamcli', 'compose', '--help'])
    if probe.returncode != 0:
        checker.note('appstreamcli compose is not installed (appstream-compose): not run')
        return
    out = os.path.join(tmp, 'swcatalog')
    result = pkgtest.run(['appstreamcli', 'compose', '--no-net', '--print-report=full',
                          '--prefix', args.prefix, '--origin', 'beckon', '--result-root', out, destdir])
    report = re.sub(r'\x1b\[[0-9;]*m', '', result.stdout + result.stderr)
    errors = [line.strip() for line in report.splitlines() if re.match(r'\s+E: ', line)]
    checker.check(result.returncode == 0 and not errors, f'appstreamcli compose: {errors or report}')
    catalogs = glob.glob(os.path.join(out, '**', '*.xml.gz'), recursive=True)
    if checker.check(catalogs, f'appstreamcli compose wrote no catalog: {report}'):
        with gzip.open(catalogs[0], 'rt', encoding='utf-8') as f:
            catalog = f.read()
        checker.check(f'<id>{args.app_id}</id>' in catalog, f'the composed catalog lacks {args.app_id}')
    for size in ('64x64', '128x128'):
        icons = glob.glob(os.path.join(out, '**', 'icons', '*', size, args.app_id + '.png'), recursive=True)
        checker.check(icons, f'appstreamcli compose made no {size} icon')
    checker.note('appstreamcli compose: ' + (', '.join(line.split()[1] for line in report.splitlines()
                                                       if re.match(r'\s+[IW]: ', line)) or 'no hints'))


def main():
    parser = argparse.ArgumentParser()
    for option in ('--meson', '--builddir', '--prefix', '--libdir', '--sysconfdir',
                   '--localedir', '--po-dir'):
        parser.add_argument(option, required=True)
    parser.add_argument('--expect', action='append', default=[])
    parser.add_argument('--rtm-pc')
    parser.add_argument('--cc')
    parser.add_argument('--sanitize')
    parser.add_argument('--typelib')
    parser.add_argument('--python')
    parser.add_argument('--app-id', help='compose the AppStream catalog for this app')
    args = parser.parse_args()

    checker = pkgtest.Checker('install')
    with tempfile.TemporaryDirectory(prefix='beckon-destdir-') as tmp:
        destdir = os.path.join(tmp, 'root')
        result = pkgtest.run([*args.meson.split(), 'install', '-C', args.builddir,
                              '--destdir', destdir], timeout=600)
        if not checker.check(result.returncode == 0, pkgtest.describe(result)):
            checker.finish()
        check_tree(checker, args, destdir)
        if args.rtm_pc:
            check_c_program(checker, args, destdir, tmp)
        if args.typelib:
            check_python(checker, args, destdir)
        if args.app_id:
            check_compose(checker, args, destdir, tmp)
    checker.finish()


if __name__ == '__main__':
    main()
