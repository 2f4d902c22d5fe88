"""Start-to-interactive time and memory (PSS) of a Tauri app, through tauri-driver.

Run by tests/bench/startup, which starts Xvfb and tauri-driver. For each run: a new WebDriver
session starts the app (a new database each time; the per-user folders are fresh for the whole
benchmark, so WebKit's cache is warm after the first run, alike for both apps), the clock runs
until the page's first interactive element exists, then, after the app settles for two seconds,
the PSS of the app and every process it started (WebKit's web and network processes) is summed from
/proc/<pid>/smaps_rollup. Prints one JSON object.

usage: measure.py DRIVER_URL NAME BINARY CSS RUNS
       measure.py --summary < lines   (a table from the JSON lines of earlier runs)
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def call(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"{}")


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(pid):
    out = [pid]
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    for kid in kids.split():
        out += tree(int(kid))
    return out


def app_pid(binary):
    found = subprocess.run(["pgrep", "-n", "-f", f"^{binary}( |$)"],
                           capture_output=True, text=True).stdout.split()
    return int(found[0]) if found else None


def one_run(driver, binary, css):
    # The app is started by tauri-driver, with tauri-driver's environment: tests/bench/startup
    # gives that fresh XDG folders, and each run here its own new database (the minimal app
    # ignores the argument), so every start is a first start and no desk's data is touched.
    db = os.path.join(tempfile.mkdtemp(prefix="bench-"), "tidings.sqlite3")
    caps = {"capabilities": {"alwaysMatch": {"browserName": "wry",
                                             "tauri:options": {"application": binary,
                                                               "args": ["--db", db]}}}}
    started = time.monotonic()
    session = call(f"{driver}/session", "POST", caps)["value"]["sessionId"]
    try:
        while True:
            try:
                call(f"{driver}/session/{session}/element", "POST",
                     {"using": "css selector", "value": css})
                break
            except urllib.error.HTTPError:
                if time.monotonic() - started > 60:
                    raise SystemExit(f"{binary}: {css} never appeared")
                time.sleep(0.01)
        interactive = time.monotonic() - started
        time.sleep(2)
        pid = app_pid(binary)
        pss = sum(pss_kib(p) for p in tree(pid)) if pid else 0
    finally:
        call(f"{driver}/session/{session}", "DELETE")
        time.sleep(1)
    return interactive, pss


def summary():
    rows = [json.loads(line) for line in sys.stdin if line.startswith("{")]
    print(f"{'app':10} {'binary':>9}  {'start to interactive, median (runs)':<46} {'PSS, median (runs)'}")
    for app in dict.fromkeys(r["app"] for r in rows):
        mine = [r for r in rows if r["app"] == app]
        t = [x for r in mine for x in r["start_to_interactive_s"]]
        p = [x for r in mine for x in r["pss_mib"]]
        size = mine[0]["binary_bytes"] / 1e6
        print(f"{app:10} {size:>7.1f}MB  {statistics.median(t):.3f} s {str(t):<38} "
              f"{statistics.median(p):.0f} MiB {p}")


def main():
    if sys.argv[1:] == ["--summary"]:
        summary()
        return
    driver, name, binary, css, runs = sys.argv[1:6]
    times, pss = [], []
    for _ in range(int(runs)):
        t, p = one_run(driver, binary, css)
        times.append(t)
        pss.append(p)
    print(json.dumps({
        "app": name,
        "binary_bytes": os.path.getsize(binary),
        "start_to_interactive_s": [round(t, 3) for t in times],
        "start_median_s": round(statistics.median(times), 3),
        "pss_mib": [round(p / 1024, 1) for p in pss],
        "pss_median_mib": round(statistics.median(pss) / 1024, 1),
    }))


if __name__ == "__main__":
    main()
