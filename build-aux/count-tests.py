#!/usr/bin/env python3
# Reads meson's test logs (meson-logs/testlog*.json) and prints one line,
# "N passed, N failed[, N skipped]". Suites written with check report their
# own test cases ("Checks: N, Failures: F, Errors: E", less those that
# printed "SKIP: "); other tests count
# as one each. A suite that crashed before its summary counts as failed.
import json
import re
import sys

SUMMARY = re.compile(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)")
# check has no "skipped": a test case that cannot run here prints a line
# starting "SKIP: " and returns, which check counts as a pass.
SKIPPED_CASE = re.compile(r"^SKIP: ", re.MULTILINE)


def count(path, totals):
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line)
            status = result.get("result", "")
            summaries = SUMMARY.findall(result.get("stdout", "") or "")
            if status == "SKIP":
                totals["skipped"] += 1
            elif summaries:
                checks = sum(int(c) for c, _, _ in summaries)
                bad = sum(int(f) + int(e) for _, f, e in summaries)
                skips = len(SKIPPED_CASE.findall(result.get("stdout", "") or ""))
                totals["passed"] += checks - bad - skips
                totals["skipped"] += skips
                totals["failed"] += bad
                if status not in ("OK", "EXPECTEDFAIL") and bad == 0:
                    totals["failed"] += 1
            elif status in ("OK", "EXPECTEDFAIL"):
                totals["passed"] += 1
            else:
                totals["failed"] += 1


def main(paths):
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for path in paths:
        count(path, totals)
    line = f"{totals['passed']} passed, {totals['failed']} failed"
    if totals["skipped"]:
        line += f", {totals['skipped']} skipped"
    print(line)


if __name__ == "__main__":
    main(sys.argv[1:] or ["_build/meson-logs/testlog.json"])
