#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the man pages: groff formats them without a warning and, when
the programs are built, each page documents every option and command the
program's --help lists, and names none the program lacks.

    check-man-pages.py --page rtm-server.1 [--program rtm-server]
                       --page rtm-call.1 [--program rtm-call]
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkgtest  # noqa: E402

OPTION = re.compile(r'(?<![\w-])--[a-z][a-z-]*[a-z]')


def page_text(path):
    with open(path, encoding='utf-8') as f:
        return f.read().replace('\\-', '-').replace('\\fR', '').replace('\\fI', '').replace('\\fB', '')


def documented_options(text, name):
    """Options the page attributes to the program: everything outside
    example blocks, and example lines that run the program itself."""
    found = set()
    in_example = False
    for line in text.splitlines():
        if line.startswith('.EX'):
            in_example = True
        elif line.startswith('.EE'):
            in_example = False
        elif not in_example or line.startswith(name + ' '):
            found.update(OPTION.findall(line))
    return found


def help_text(checker, program, *words):
    result = pkgtest.run([program, *words, '--help'], env={'LC_ALL': 'C'}, timeout=30)
    checker.check(result.returncode == 0, pkgtest.describe(result))
    return result.stdout


def rtm_server_help(checker, program):
    return [help_text(checker, program), help_text(checker, program, 'token')]


def rtm_call_help(checker, program):
    top = help_text(checker, program)
    texts = [top]
    commands = []
    in_commands = False
    for line in top.splitlines():
        if line.strip() == 'Commands:':
            in_commands = True
            continue
        if in_commands:
            match = re.match(r'  ([a-z]+) ', line)
            if not match:
                if line.strip() == '' or not line.startswith('  '):
                    in_commands = line.startswith('  ')
                continue
            commands.append(match.group(1))
    checker.check(commands, f'{program} --help lists no commands')
    for command in commands:
        texts.append(help_text(checker, program, command))
    return texts, commands


def exit_codes(text):
    codes = []
    in_codes = False
    for line in text.splitlines():
        if line.strip() == 'Exit codes:':
            in_codes = True
            continue
        if in_codes:
            match = re.match(r'\s+(\d+)\s+\S', line)
            if match:
                codes.append(match.group(1))
            elif not line.startswith('     '):
                in_codes = False
    return codes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--page', action='append', required=True)
    parser.add_argument('--program', action='append', default=[])
    args = parser.parse_args()

    checker = pkgtest.Checker('man-pages')
    groff = pkgtest.which('groff')
    for page in args.page:
        if groff is None:
            checker.note('groff is not installed: pages not formatted')
            break
        result = pkgtest.run([groff, '-man', '-t', '-ww', '-z', '-Tutf8', page],
                             env={'LC_ALL': 'C.UTF-8'})
        checker.check(result.returncode == 0 and not result.stderr.strip(), pkgtest.describe(result))

    pages = {os.path.basename(p).rsplit('.', 1)[0]: p for p in args.page}
    for program in args.program:
        name = os.path.basename(program)
        page = pages.get(name)
        if not checker.check(page is not None, f'no man page for {name}'):
            continue
        text = page_text(page)
        commands = []
        if name == 'rtm-call':
            helps, commands = rtm_call_help(checker, program)
        else:
            helps = rtm_server_help(checker, program)
        options = set()
        for h in helps:
            options.update(OPTION.findall(h))
        options.discard('--help-all')
        for option in sorted(options):
            checker.check(option in text, f'{name}.1 does not document {option}')
        for option in sorted(documented_options(text, name) - options):
            checker.fail(f'{name}.1 documents {option}, which {name} --help does not list')
        for command in commands:
            checker.check(re.search(r'^\.BI? ' + command + r'\b', page_text(page), re.M),
                          f'{name}.1 does not document the command {command}')
        for code in exit_codes(helps[0]):
            checker.check(re.search(r'^\.TP\n\.B ' + code + r'$', text, re.M),
                          f'{name}.1 does not document exit status {code}')
    checker.finish()


if __name__ == '__main__':
    main()
