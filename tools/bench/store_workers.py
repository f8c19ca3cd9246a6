"""Workers sharing one study: trials per minute and errors, per store backend.

Each worker is tests/search/search_worker (the trial loop of `bertlab run` and
`bertlab worker`, with a cheap objective that sleeps --trial-ms and reports
one intermediate value), started --workers times on one study for --seconds,
then stopped. Counted from the store afterwards: COMPLETE trials per minute,
FAILED trials, workers that exited with an error before the stop, and lines
on their stderr. The PostgreSQL server is a temporary one (initdb, pg_ctl on
a loopback port; as `nobody` when run as root), as in the tests.
"""

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORKER = os.path.join(ROOT, "build", "tests", "search", "search_worker")
BERTLAB = os.path.join(ROOT, "build", "bertlab")


def postgres_bin():
    for version in ("17", "16", "15", "14", "13"):
        path = f"/usr/lib/postgresql/{version}/bin"
        if os.path.exists(os.path.join(path, "initdb")):
            return path
    sys.exit("PostgreSQL's server programs are not installed (tools/setup installs them)")


class PostgresServer:
    def __init__(self, folder):
        self.folder = folder
        self.bin = postgres_bin()
        self.prefix = []
        os.chmod(folder, 0o777)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(folder, nobody.pw_uid, nobody.pw_gid)
            self.prefix = ["runuser", "-u", "nobody", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        data = os.path.join(folder, "data")
        self.run("initdb", "-D", data, "-A", "trust", "-U", "bertlab", "-E", "UTF8", "--no-sync")
        self.run("pg_ctl", "-D", data, "-l", os.path.join(folder, "server.log"), "-w", "-o",
                 f"-h 127.0.0.1 -p {self.port} -k {folder} -c max_connections=200", "start")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "bertlab", "bench")
        self.data = data

    def run(self, program, *args):
        subprocess.run(self.prefix + [os.path.join(self.bin, program), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def url(self):
        return f"postgresql://bertlab@127.0.0.1:{self.port}/bench"

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "stop")


def measure(location, workers, seconds, trial_ms, folder):
    procs, logs = [], []
    for i in range(workers):
        err = open(os.path.join(folder, f"worker{i}.err"), "w+")
        logs.append(err)
        procs.append(subprocess.Popen([WORKER, location, "bench", "100000000", str(trial_ms), "60000"],
                                      stdout=subprocess.DEVNULL, stderr=err))
    start = time.monotonic()
    early_exits = 0
    while time.monotonic() - start < seconds:
        time.sleep(1)
        if any(p.poll() is not None for p in procs):
            break
    elapsed = time.monotonic() - start
    for p in procs:
        if p.poll() is not None:
            early_exits += 1
        else:
            p.send_signal(signal.SIGKILL)
        p.wait()
    stderr_lines = 0
    for err in logs:
        err.seek(0)
        stderr_lines += sum(1 for line in err if line.strip())
        err.close()
    query = subprocess.run([BERTLAB, "query", "--store", location, "--json",
                            "SELECT state, COUNT(*) AS n FROM trials GROUP BY state"],
                           check=True, capture_output=True, text=True)
    counts = {row["state"]: row["n"] for row in json.loads(query.stdout)}
    numbers = subprocess.run([BERTLAB, "query", "--store", location, "--json",
                              "SELECT COUNT(*) AS n, COUNT(DISTINCT number) AS d, MAX(number) AS m FROM trials"],
                             check=True, capture_output=True, text=True)
    n = json.loads(numbers.stdout)[0]
    return {"complete": counts.get("COMPLETE", 0), "failed": counts.get("FAILED", 0),
            "running_at_stop": counts.get("RUNNING", 0), "minutes": elapsed / 60,
            "trials_per_minute": counts.get("COMPLETE", 0) / (elapsed / 60),
            "numbers_unique_gap_free": n["n"] == n["d"] and (n["m"] is None or n["m"] + 1 == n["n"]),
            "worker_errors": early_exits, "stderr_lines": stderr_lines}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--trial-ms", type=int, default=50)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for program in (WORKER, BERTLAB):
        if not os.path.exists(program):
            sys.exit(f"{program} is missing: build first (tools/setup)")

    results = {}
    for backend in args.backends.split(","):
        folder = tempfile.mkdtemp(prefix=f"bertlab-bench-{backend}-")
        server = None
        try:
            if backend == "sqlite":
                location = os.path.join(folder, "bench.db")
            elif backend == "postgresql":
                server = PostgresServer(folder)
                location = server.url()
            else:
                sys.exit(f"unknown backend {backend}")
            print(f"{backend}: {args.workers} workers for {args.seconds:.0f} s, {args.trial_ms} ms trials ...",
                  file=sys.stderr, flush=True)
            results[backend] = measure(location, args.workers, args.seconds, args.trial_ms, folder)
        finally:
            if server:
                server.stop()
            shutil.rmtree(folder, ignore_errors=True)

    if args.json:
        print(json.dumps({"workers": args.workers, "seconds": args.seconds, "trial_ms": args.trial_ms,
                          "results": results}))
        return
    print(f"{args.workers} workers, {args.seconds:.0f} s, trials of {args.trial_ms} ms (random searcher, Branin)")
    print(f"{'store':<12}{'trials/min':>12}{'complete':>10}{'failed':>8}{'worker errors':>15}{'stderr lines':>14}"
          f"{'numbers ok':>12}")
    for backend, r in results.items():
        print(f"{backend:<12}{r['trials_per_minute']:>12.1f}{r['complete']:>10}{r['failed']:>8}"
              f"{r['worker_errors']:>15}{r['stderr_lines']:>14}{str(r['numbers_unique_gap_free']):>12}")
    if "sqlite" in results and "postgresql" in results and results["sqlite"]["trials_per_minute"] > 0:
        ratio = results["postgresql"]["trials_per_minute"] / results["sqlite"]["trials_per_minute"]
        print(f"postgresql / sqlite: {ratio:.2f}x")


if __name__ == "__main__":
    main()
