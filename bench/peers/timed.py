"""One timed command at a time for bench/peers/: wall clock, CPU and peak memory of a child
(its whole process tree as the kernel reports it on wait4), bounded by a timeout that kills
the child's process group, and the load average before and after (the machine is shared).
"""
import json
import os
import signal
import subprocess
import time


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def save_results(path, header, runs, finished=False):
    """Writes the results file (after every run, so a stopped bench keeps what it measured);
    finished=True stamps the end time and the load after the last run first."""
    if finished:
        header["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        header["uptime_after"] = uptime()
    with open(path, "w") as f:
        json.dump({"header": header, "runs": runs}, f)


def load_average():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def run(command, timeout, env=None, stdout_path=None):
    """Runs COMMAND; returns a dict: rc (None on timeout), timeout (bool), wall and cpu seconds,
    peak_rss_mb, load_before/load_after (1-minute load average), stdout (text) and stderr's
    last lines."""
    load_before = load_average()[0]
    out = open(stdout_path, "w+") if stdout_path else subprocess.PIPE
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, text=True, env=env,
                             start_new_session=True)
    timed_out = False
    try:
        _, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(child.pid, signal.SIGKILL)
        _, err = child.communicate()
    wall = time.monotonic() - start
    # Popen reaped the child already; its rusage is in RUSAGE_CHILDREN's increment, which
    # the caller's single-child discipline (one command at a time) makes exact.
    result = {
        "command": [str(c) for c in command],
        "rc": None if timed_out else child.returncode,
        "timeout": timed_out,
        "timeout_seconds": timeout,
        "wall": wall,
        "load_before": load_before,
        "load_after": load_average()[0],
        "stderr_tail": (err or "").strip().splitlines()[-3:],
    }
    if stdout_path:
        out.seek(0)
        result["stdout"] = out.read()
        out.close()
    return result


class Meter:
    """CPU seconds and peak RSS of the children run between start() and stop()."""

    def __init__(self):
        import resource
        self._resource = resource
        self._before = None

    def start(self):
        self._before = self._resource.getrusage(self._resource.RUSAGE_CHILDREN)

    def stop(self):
        after = self._resource.getrusage(self._resource.RUSAGE_CHILDREN)
        b = self._before
        return {"cpu": (after.ru_utime - b.ru_utime) + (after.ru_stime - b.ru_stime),
                # ru_maxrss of RUSAGE_CHILDREN is the largest child so far (KiB), not a delta
                "peak_rss_mb": after.ru_maxrss / 1024.0}


def measured(command, timeout, env=None, stdout_path=None):
    meter = Meter()
    meter.start()
    result = run(command, timeout, env=env, stdout_path=stdout_path)
    result.update(meter.stop())
    return result
