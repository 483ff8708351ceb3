"""Launcher that times one command and reads its peak memory: `python -S spawn.py OUT CMD...`.

Linux carries a process's peak RSS across fork and exec, so a child forked straight from the
harness (hundreds of MiB, holding stores and feeds) would report the harness's peak as its own.
This launcher is a bare interpreter (-S, no imports beyond the standard few), so what it reports
is the command's own peak. It writes {"seconds", "cpu", "peak_kib", "started"} as JSON to OUT
(cpu: the command's user and system time, its children's included).
"""

import json
import os
import sys
import time


def main() -> int:
    """Spawn the command, wait for it, write the measurement, exit with its code."""
    out, cmd = sys.argv[1], sys.argv[2:]
    started = time.time()
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
    _pid, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - t0
    with open(out, "w") as f:
        cpu = usage.ru_utime + usage.ru_stime
        json.dump(
            {"seconds": seconds, "cpu": cpu, "peak_kib": usage.ru_maxrss, "started": started}, f
        )
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
