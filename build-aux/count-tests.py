#!/usr/bin/env python3
# Reads meson's test log (meson-logs/testlog.json) and prints one line,
# "N passed, N failed[, N skipped]". Suites written with check report their
# own test cases ("Checks: N, Failures: F, Errors: E"); other tests count
# as one each. A suite that crashed before its summary counts as failed.
import json
import re
import sys

SUMMARY = re.compile(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)")

def main(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line)
            status = result.get("result", "")
            summaries = SUMMARY.findall(result.get("stdout", "") or "")
            if status == "SKIP":
                skipped += 1
                continue
            if summaries:
                checks = sum(int(c) for c, _, _ in summaries)
                bad = sum(int(f) + int(e) for _, f, e in summaries)
                passed += checks - bad
                failed += bad
                if status not in ("OK", "EXPECTEDFAIL") and bad == 0:
                    failed += 1
            elif status in ("OK", "EXPECTEDFAIL"):
                passed += 1
            else:
                failed += 1
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "_build/meson-logs/testlog.json")
