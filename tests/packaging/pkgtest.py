# SPDX-License-Identifier: LGPL-2.1-or-later
"""Small helpers shared by the packaging tests (standard library only)."""

import os
import shutil
import subprocess
import sys

SKIP = 77  # meson's "skipped" exit status


class Checker:
    """Collects failures so one run reports all of them, then exits."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.notes = []

    def check(self, condition, message):
        if not condition:
            self.failures.append(message)
        return condition

    def fail(self, message):
        self.failures.append(message)

    def note(self, message):
        self.notes.append(message)
        print(f'{self.name}: {message}')

    def finish(self):
        for failure in self.failures:
            print(f'FAIL {self.name}: {failure}', file=sys.stderr)
        if self.failures:
            sys.exit(1)
        print(f'{self.name}: ok')
        sys.exit(0)


def skip(name, why):
    print(f'SKIP {name}: {why}')
    sys.exit(SKIP)


def which(program):
    return shutil.which(program)


def run(cmd, env=None, cwd=None, timeout=120, input=None):
    """Runs cmd and returns the CompletedProcess, output as text."""
    full_env = os.environ.copy()
    if env:
        full_env.update(env)
    return subprocess.run(cmd, env=full_env, cwd=cwd, timeout=timeout, input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def describe(result):
    """The command, its status and its output, for a failure message."""
    text = f'`{" ".join(str(a) for a in result.args)}` exited {result.returncode}'
    output = (result.stdout + result.stderr).strip()
    if output:
        text += ':\n' + output
    return text
