#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""skip_unless_dir.py DIR -- COMMAND...: run COMMAND, or exit 77 (ctest's
SKIP_RETURN_CODE) with a message when the folder DIR does not exist."""
import os
import sys


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    d = sys.argv[1]
    if not os.path.isdir(d):
        print("SKIP: %s is absent" % d)
        return 77
    sys.stdout.flush()
    os.execvp(sys.argv[3], sys.argv[3:])
    return 2


if __name__ == "__main__":
    sys.exit(main())
