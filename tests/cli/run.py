#!/usr/bin/env python3
"""run.py - the tests of the `tlsm` command's server and client flags (flags.py) and of
`tlsm server` under load (load.py), against real peers on 127.0.0.1 only.

    tests/cli/run.py path/to/tlsm

Each case prints `ok NAME`, `FAIL NAME: reason` or `skip NAME: reason`; the last line is
`N passed, N failed, N skipped` and the exit status is 1 if any case failed. Every process
is bounded in time (peers.SECONDS) and stopped when its case ends; a case that throws is a
failure and the next one runs. Python's standard library only.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import flags  # noqa: E402
import load  # noqa: E402
from peers import SECONDS, fail, skip, tally  # noqa: E402


def main():
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: run.py path/to/tlsm", file=sys.stderr)
        return 2
    tlsm = os.path.abspath(sys.argv[1])
    for module in (flags, load):
        why = module.available()
        for case in module.CASES:
            name = case.__name__[len("case_"):].replace("_", "-")
            if why:
                skip(name, why)
                continue
            t0 = time.monotonic()
            try:
                case(tlsm)
            except Exception as e:  # noqa: BLE001 - report it and go on
                fail(name, repr(e))
            took = time.monotonic() - t0
            if took > 3 * SECONDS:
                fail(name + "-time", f"took {took:.1f} s")
    print(f"{tally['passed']} passed, {tally['failed']} failed, {tally['skipped']} skipped")
    return 1 if tally["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
