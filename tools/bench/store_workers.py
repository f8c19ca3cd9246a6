"""Workers sharing one study: trials per minute and errors, per store backend.

Each worker is tests/search/search_worker (the trial loop of `bertlab run` and
`bertlab worker`, with a cheap objective that sleeps --trial-ms and reports
one intermediate value), started --workers times on one study for --seconds,
then stopped. Counted from the store afterwards: COMPLETE trials per minute,
FAILED trials, workers that exited with an error before the stop, and lines
on their stderr. The PostgreSQL server is a temporary one (initdb, pg_ctl on
a loopback port; as `nobody` when run as root), as in the tests.

With --dashboard N, `bertlab dashboard` serves the store meanwhile and N
pollers read the study as its page does (the trials every --poll-ms; the
study and its importances when the revision changed): requests, errors
(anything but a 200 with JSON) and the dashboard's stderr lines are counted.
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
import threading
import time
import urllib.parse
import urllib.request

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


class DashboardLoad:
    """`bertlab dashboard` on the store, read by pollers that act like open study pages."""

    def __init__(self, location, pollers, poll_ms, folder):
        self.err = open(os.path.join(folder, "dashboard.err"), "w+")
        deadline = time.monotonic() + 60  # the workers create the store; the dashboard opens it once it exists
        while True:
            self.proc = subprocess.Popen([BERTLAB, "dashboard", "--store", location, "--port", "0"],
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            line = self.proc.stdout.readline()
            if "http://" in line:
                break
            message = self.proc.communicate()[1]
            if time.monotonic() > deadline:
                sys.exit(f"bertlab dashboard did not start: {message}")
            time.sleep(0.5)
        # Its stderr from here on is counted.
        threading.Thread(target=lambda: self.err.writelines(self.proc.stderr), daemon=True).start()
        self.base = line.split()[2].rstrip("/")
        self.poll_s = poll_ms / 1000
        self.requests = 0
        self.errors = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        deadline = time.monotonic() + 60  # the workers create the study; pages open once it exists
        while time.monotonic() < deadline:
            with urllib.request.urlopen(self.base + "/api/studies", timeout=30) as answer:
                if any(s["name"] == "bench" for s in json.loads(answer.read())["studies"]):
                    break
            time.sleep(0.2)
        self.threads = [threading.Thread(target=self.poll, daemon=True) for _ in range(pollers)]
        for thread in self.threads:
            thread.start()

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as answer:
                body = json.loads(answer.read())
                ok = answer.status == 200
        except Exception as error:  # connection refused, 4xx/5xx, bad JSON: all errors here
            body, ok = None, False
            detail = error.read().decode(errors="replace") if hasattr(error, "read") else ""
            with self.lock:
                self.errors.append(f"{path}: {error} {detail}".strip())
        with self.lock:
            self.requests += 1
        return body if ok else None

    def poll(self):
        study = "/api/studies/" + urllib.parse.quote("bench", safe="")
        revision = None
        while not self.stopping.is_set():
            trials = self.get(study + "/trials")
            if trials and trials["revision"] != revision:
                revision = trials["revision"]
                self.get(study)
                self.get(study + "/importances")
                self.get("/api/studies")
            time.sleep(self.poll_s)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        exited = self.proc.poll() is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        self.err.seek(0)
        stderr_lines = sum(1 for line in self.err if line.strip())
        self.err.close()
        return {"requests": self.requests, "errors": len(self.errors), "first_errors": self.errors[:5],
                "exited_early": exited, "exit_code": code, "stderr_lines": stderr_lines}


def measure(location, workers, seconds, trial_ms, folder, dashboard_pollers=0, poll_ms=500):
    procs, logs = [], []
    for i in range(workers):
        err = open(os.path.join(folder, f"worker{i}.err"), "w+")
        logs.append(err)
        procs.append(subprocess.Popen([WORKER, location, "bench", "100000000", str(trial_ms), "60000"],
                                      stdout=subprocess.DEVNULL, stderr=err))
    load = DashboardLoad(location, dashboard_pollers, poll_ms, folder) if dashboard_pollers else None
    start = time.monotonic()
    early_exits = 0
    while time.monotonic() - start < seconds:
        time.sleep(1)
        if any(p.poll() is not None for p in procs):
            break
    elapsed = time.monotonic() - start
    dashboard = load.stop() if load else None
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
            "worker_errors": early_exits, "stderr_lines": stderr_lines, "dashboard": dashboard}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--trial-ms", type=int, default=50)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--dashboard", type=int, default=0, metavar="N",
                        help="serve the store with bertlab dashboard, read by N polling pages")
    parser.add_argument("--poll-ms", type=int, default=500)
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
            results[backend] = measure(location, args.workers, args.seconds, args.trial_ms, folder,
                                       args.dashboard, args.poll_ms)
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
    for backend, r in results.items():
        d = r["dashboard"]
        if d:
            print(f"{backend}: dashboard with {args.dashboard} polling pages: {d['requests']} requests, "
                  f"{d['errors']} errors, {d['stderr_lines']} stderr lines, "
                  f"{'exited early' if d['exited_early'] else 'served throughout'}")
            for error in d["first_errors"]:
                print(f"  {error}")
    if "sqlite" in results and "postgresql" in results and results["sqlite"]["trials_per_minute"] > 0:
        ratio = results["postgresql"]["trials_per_minute"] / results["sqlite"]["trials_per_minute"]
        print(f"postgresql / sqlite: {ratio:.2f}x")


if __name__ == "__main__":
    main()
