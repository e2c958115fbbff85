#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks rtm-server.conf.example against the real server: it names every
option rtm-server has (and no other), the server starts with it as it is
and with every commented key switched on (TLS, secret, ICE servers), a
SIGHUP reload keeps it running, and the token recipes of docs/deploy.md
(Python and openssl) mint tokens the server accepts.

    check-server-config.py --server rtm-server [--client rtm-call]
                           [--deploy-doc docs/deploy.md] EXAMPLE
"""

import argparse
import hashlib
import hmac
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkgtest  # noqa: E402

KEY = re.compile(r'^(#?)([a-z][a-z-]*)=(.*)$')
# An option line of --help: "  -c, --config=FILE   ..." or "  --port=PORT   ...".
OPTION = re.compile(r'^\s+(?:-\w, )?--([a-z][a-z-]*[a-z])', re.M)
NOT_KEYS = {'config', 'help', 'help-all', 'help-server'}


def mint_token(secret, uid, expiry):
    """The protocol's token (docs/protocol.md), written independently."""
    mac = hmac.new(secret.encode(), f'{uid}:{expiry}'.encode(), hashlib.sha256)
    return f'1:{expiry}:{mac.hexdigest()}'


def doc_blocks(path, language):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return re.findall(r'^```' + language + r'\n(.*?)^```', text, re.M | re.S)


def doc_python_minter(checker, path):
    """docs/deploy.md's Python recipe, its mint_token() as printed."""
    for block in doc_blocks(path, 'python'):
        if 'def mint_token' in block:
            # The block ends by reading /etc/rtm-server/secret: run only
            # the imports and the function.
            code = block.split('\n\nwith open', 1)[0]
            namespace = {}
            exec(compile(code, path, 'exec'), namespace)  # noqa: S102 - our own doc
            return namespace['mint_token']
    checker.fail(f'{path} has no Python block defining mint_token')
    return None


def doc_shell_token(checker, path, secret_file):
    """Runs docs/deploy.md's openssl recipe on secret_file; its token."""
    for block in doc_blocks(path, 'sh'):
        if 'openssl dgst' in block:
            script = block.replace('/etc/rtm-server/secret', secret_file)
            result = pkgtest.run(['sh', '-eu', '-c', script])
            checker.check(result.returncode == 0, f'the openssl recipe: {pkgtest.describe(result)}')
            return result.stdout.strip()
    checker.fail(f'{path} has no sh block with the openssl recipe')
    return None


def read_example(path):
    active, commented = {}, {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            match = KEY.match(line.rstrip('\n'))
            if match:
                (commented if match.group(1) else active)[match.group(2)] = match.group(3)
    return active, commented


class Server:
    """An rtm-server process and the URI it prints first."""

    def __init__(self, program, args, cwd):
        self.proc = subprocess.Popen([program, *args], cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.uri = None
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        if ready:
            line = self.proc.stdout.readline().strip()
            if line.startswith('listening on '):
                self.uri = line[len('listening on '):]
        # rtm-server (src/server/main.c) installs its SIGHUP/SIGTERM handlers
        # just after printing that line; a signal in between kills it.
        time.sleep(0.3)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode, self.proc.stderr.read()


def start(checker, program, config, what, extra=()):
    server = Server(program, ['--config', config, '--port', '0', *extra], os.path.dirname(config))
    if server.uri is None:
        status, stderr = server.stop()
        checker.fail(f'{what}: rtm-server did not print "listening on URI" (exit {status}): {stderr.strip()}')
        return None
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--server', required=True)
    parser.add_argument('--client')
    parser.add_argument('--deploy-doc')
    parser.add_argument('example')
    args = parser.parse_args()
    # The servers run in a temporary directory.
    args.server = os.path.abspath(args.server)
    if args.client:
        args.client = os.path.abspath(args.client)

    checker = pkgtest.Checker('server-example-config')
    doc_mint = doc_python_minter(checker, args.deploy_doc) if args.deploy_doc else None
    active, commented = read_example(args.example)
    keys = set(active) | set(commented)

    result = pkgtest.run([args.server, '--help'], env={'LC_ALL': 'C'})
    options = set(OPTION.findall(result.stdout)) - NOT_KEYS
    checker.check(options, f'rtm-server --help lists no options: {pkgtest.describe(result)}')
    # "secret" is a key-file-only key: a secret on the command line is public.
    for option in sorted(options | {'secret'}):
        checker.check(option in keys, f'the example does not explain the key {option}')
    for key in sorted(keys - options - {'secret'}):
        checker.fail(f'the example names {key}, which rtm-server does not have')

    with tempfile.TemporaryDirectory() as tmp:
        as_is = os.path.join(tmp, 'as-is.conf')
        with open(args.example, encoding='utf-8') as src, open(as_is, 'w', encoding='utf-8') as dst:
            dst.write(src.read())
        server = start(checker, args.server, as_is, 'the example as it is')
        if server is not None:
            checker.check(server.uri.startswith('ws://'), f'the example as it is serves {server.uri}')
            status, stderr = server.stop()
            checker.check(status == 0, f'rtm-server exited {status} on SIGTERM: {stderr.strip()}')

        # Every commented key on, with files made here. Relative names are
        # relative to the configuration file, as the example says.
        openssl = pkgtest.which('openssl')
        if openssl is None:
            checker.note('openssl is not installed: the TLS keys were not tried')
            checker.finish()
        made = pkgtest.run([openssl, 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                            'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
                            '-subj', '/CN=localhost', '-keyout', 'key.pem', '-out', 'cert.pem'],
                           cwd=tmp)
        checker.check(made.returncode == 0, pkgtest.describe(made))
        secret = 'packaging-test-secret'
        with open(os.path.join(tmp, 'secret'), 'w', encoding='utf-8') as f:
            f.write(secret + '\n')
        replacements = {'tls-certificate': 'cert.pem', 'tls-key': 'key.pem', 'secret-file': 'secret'}
        lines = []
        with open(args.example, encoding='utf-8') as f:
            for line in f:
                match = KEY.match(line.rstrip('\n'))
                if match and match.group(1):
                    value = replacements.get(match.group(2), match.group(3))
                    line = f'{match.group(2)}={value}\n'
                lines.append(line)
        full = os.path.join(tmp, 'full.conf')
        with open(full, 'w', encoding='utf-8') as f:
            f.writelines(lines)
        server = start(checker, args.server, full, 'every key on')
        if server is not None:
            checker.check(server.uri.startswith('wss://'), f'with the TLS keys on it serves {server.uri}')
            server.proc.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            checker.check(server.proc.poll() is None, 'rtm-server did not survive a SIGHUP reload')
            status, stderr = server.stop()
            checker.check(status == 0, f'rtm-server exited {status} on SIGTERM after a reload: {stderr.strip()}')
            checker.check('reloaded' in stderr and 'reload failed' not in stderr,
                          f'SIGHUP did not reload the secret and certificate: {stderr.strip()}')

        # The server's own minting and the documented recipes agree.
        minted = pkgtest.run([args.server, 'token', '--config', full, '--uid', 'alice', '--ttl', '60'])
        match = re.fullmatch(r'1:(\d+):([0-9a-f]{64})', minted.stdout.strip())
        if checker.check(minted.returncode == 0 and match, pkgtest.describe(minted)):
            expiry = int(match.group(1))
            checker.check(abs(expiry - (time.time() + 60)) < 30, f'token expiry {expiry} is not now + 60 s')
            checker.check(minted.stdout.strip() == mint_token(secret, 'alice', expiry),
                          'rtm-server token and docs/protocol.md\'s token disagree')
            if doc_mint is not None:
                checker.check(minted.stdout.strip() == doc_mint(secret, 'alice', expiry),
                              'rtm-server token and the Python recipe of docs/deploy.md disagree')
        if args.deploy_doc:
            # The secret file ends with a newline, as openssl rand writes it.
            shell_token = doc_shell_token(checker, args.deploy_doc, os.path.join(tmp, 'secret'))
            match = re.fullmatch(r'1:(\d+):([0-9a-f]{64})', shell_token or '')
            if checker.check(match, f'the openssl recipe printed {shell_token!r}'):
                checker.check(shell_token == mint_token(secret, 'alice', int(match.group(1))),
                              'the openssl recipe of docs/deploy.md mints a wrong token')

        # A client logs in with a token minted by the recipe, and not
        # with a forged one.
        if args.client:
            plain = os.path.join(tmp, 'secret-only.conf')
            with open(plain, 'w', encoding='utf-8') as f:
                f.write('[server]\naddress=127.0.0.1\nsecret-file=secret\n')
            server = start(checker, args.server, plain, 'a secret, no TLS')
            if server is not None:
                token = (doc_mint or mint_token)(secret, 'alice', int(time.time()) + 300)
                good = pkgtest.run([args.client, '--server', server.uri, '--uid', 'alice',
                                    '--token', token, 'presence', 'alice'], timeout=30)
                checker.check(good.returncode == 0, f'login with a minted token: {pkgtest.describe(good)}')
                forged = mint_token('not-the-secret', 'alice', int(time.time()) + 300)
                bad = pkgtest.run([args.client, '--server', server.uri, '--uid', 'alice',
                                   '--token', forged, 'presence', 'alice'], timeout=30)
                checker.check(bad.returncode == 2, f'login with a forged token: {pkgtest.describe(bad)}')
                server.stop()
    checker.finish()


if __name__ == '__main__':
    main()
