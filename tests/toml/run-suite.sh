#!/bin/sh
# run-suite.sh - run a toml-test decoder over the TOML 1.0 cases of toml-test.
#
# usage: run-suite.sh DECODER TOML_TEST_DIR
#
# TOML_TEST_DIR holds files-toml-1.0.0 (the cases that count), valid/ and
# invalid/. A valid case passes when the decoder exits 0 and its JSON equals
# the expected .json as values: integers and floats numerically (inf and nan
# included), date-times after normalizing 't'/' ' to 'T', 'z' to 'Z', the
# fraction of a second to its significant digits, and offset date-times to
# the instant they name. An invalid case passes when the decoder exits 1
# without a sanitizer report. Prints TAP, then
# "# toml-test: valid P/T, invalid P/T"; exits 1 if any case failed.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 DECODER TOML_TEST_DIR" >&2
	exit 2
fi

exec python3 - "$1" "$2" <<'PYTHON'
import calendar
import concurrent.futures
import json
import math
import os
import re
import subprocess
import sys

decoder, root = sys.argv[1], sys.argv[2]

DT = re.compile(r"^(\d{4}-\d\d-\d\d)?[T ]?(\d\d:\d\d:\d\d)?(?:\.(\d+))?"
                r"(Z|[+-]\d\d:\d\d)?$")


def norm_datetime(kind, text):
    """A comparable form of a toml-test date/time string."""
    m = DT.match(text.upper())
    if not m:
        return ("unparsed", text)
    date, time, frac, off = m.groups()
    frac = (frac or "").rstrip("0")
    if kind != "datetime" or not (date and time and off):
        return (date, time, frac, off)
    y, mo, d = (int(x) for x in date.split("-"))
    h, mi, s = (int(x) for x in time.split(":"))
    try:
        t = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))
    except (ValueError, OverflowError):
        return (date, time, frac, off)
    if off != "Z":
        sign = -1 if off[0] == "-" else 1
        t -= sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60)
    return (t, frac)


def same_float(a, b):
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        return math.isnan(fa) and math.isnan(fb)
    return fa == fb


def same_scalar(want, have):
    kind = want["type"]
    if have.get("type") != kind:
        return "type %s, want %s" % (have.get("type"), kind)
    w, h = want["value"], have.get("value")
    if not isinstance(h, str):
        return "value is not a string"
    try:
        if kind == "integer":
            ok = int(w) == int(h)
        elif kind == "float":
            ok = same_float(w, h)
        elif kind in ("datetime", "datetime-local", "date-local",
                      "time-local"):
            ok = norm_datetime(kind, w) == norm_datetime(kind, h)
        else:
            ok = w == h
    except ValueError:
        ok = False
    return None if ok else "value %r, want %r" % (h, w)


def is_tagged(x):
    return (isinstance(x, dict) and set(x) == {"type", "value"}
            and isinstance(x["type"], str) and isinstance(x["value"], str))


def compare(want, have, path):
    """None when equal, else a short reason naming the path."""
    if is_tagged(want):
        if not isinstance(have, dict):
            return "%s: not a value" % path
        why = same_scalar(want, have)
        return why and "%s: %s" % (path, why)
    if isinstance(want, dict):
        if not isinstance(have, dict) or is_tagged(have):
            return "%s: not a table" % path
        if set(want) != set(have):
            extra = sorted(set(have) - set(want))[:3]
            missing = sorted(set(want) - set(have))[:3]
            return "%s: keys differ (missing %s, extra %s)" % (
                path, missing, extra)
        for k in want:
            why = compare(want[k], have[k], "%s.%s" % (path, k))
            if why:
                return why
        return None
    if isinstance(want, list):
        if not isinstance(have, list):
            return "%s: not an array" % path
        if len(want) != len(have):
            return "%s: %d elements, want %d" % (path, len(have), len(want))
        for i, (w, h) in enumerate(zip(want, have)):
            why = compare(w, h, "%s[%d]" % (path, i))
            if why:
                return why
        return None
    return "%s: unexpected JSON %r" % (path, want)


def sanitizer_report(err):
    return "ERROR: AddressSanitizer" in err or "runtime error:" in err


def run_case(name):
    """(passed, reason) for one case such as 'valid/array/empty'."""
    with open(os.path.join(root, name + ".toml"), "rb") as f:
        src = f.read()
    try:
        p = subprocess.run([decoder], input=src, capture_output=True,
                           timeout=10)
    except subprocess.TimeoutExpired:
        return False, "timed out"
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0 or sanitizer_report(err):
        return False, "crashed (%s)" % (err.strip().splitlines() or
                                        [p.returncode])[0]
    if name.startswith("invalid/"):
        if p.returncode == 1:
            return True, err.strip()
        return False, "accepted invalid TOML (exit %d)" % p.returncode
    if p.returncode != 0:
        return False, "rejected: " + err.strip()
    try:
        have = json.loads(p.stdout.decode("utf-8"))
    except ValueError as e:
        return False, "bad JSON output: %s" % e
    with open(os.path.join(root, name + ".json"), encoding="utf-8") as f:
        want = json.load(f)
    why = compare(want, have, "$")
    return why is None, why or ""


def main():
    with open(os.path.join(root, "files-toml-1.0.0")) as f:
        cases = [l.strip()[:-5] for l in f if l.strip().endswith(".toml")]
    workers = min(16, (os.cpu_count() or 2) * 2)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(run_case, cases))
    tally = {"valid": [0, 0], "invalid": [0, 0]}
    print("1..%d" % len(cases))
    for n, (name, (ok, why)) in enumerate(zip(cases, results), 1):
        kind = name.split("/", 1)[0]
        tally[kind][1] += 1
        tally[kind][0] += ok
        if ok:
            print("ok %d - %s" % (n, name))
        else:
            print("not ok %d - %s: %s" % (n, name, why[:200]))
    print("# toml-test: valid %d/%d, invalid %d/%d" % (
        tally["valid"][0], tally["valid"][1],
        tally["invalid"][0], tally["invalid"][1]))
    return 0 if all(p == t for p, t in tally.values()) else 1


sys.exit(main())
PYTHON
