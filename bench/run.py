#!/usr/bin/env python3
"""egwc against Helm's engine, side by side in one run (bench/run.py).

The workload is the shared peer benchmark's (shared/bench/gen.py): 1 gateway with 2
listeners, N external services (even: 4 balanced DNS endpoints on port 7480; odd: one HTTPS
DNS endpoint), N routes each with a hostname, a path prefix, a header match and a 90/10
split. This script writes the same workload as .egw (one file, and split over 10 files),
has gen.py write the Helm chart and its runner, and times every run as a whole process the
same way: wall time on a monotonic clock, CPU time from `wait4` (microseconds, where
`/usr/bin/time` rounds to 10 ms), and peak memory from `/usr/bin/time -f %M`, which reads it
for the measured process alone (a child forked from Python would inherit Python's high-water
mark).

  python3 bench/run.py                      # N = 100, 1000, 10000, 100000
  python3 bench/run.py --n 1000 --reps 5

The tools of one N run in rounds (Helm, then egwc build, its 10-file variant, JSON, check;
then Helm and the egwc tools starting one further on …), so that a slow moment of the
machine falls on all of them alike; the table shows each wall time's median with its minimum and maximum,
and the phases of `egwc build --timings` as medians of as many runs.

It installs what it needs: a release build of egwc (cargo), and helm-python-sdk (Helm's
Go engine, v4) in a venv under $PEERS_PREFIX (default: <tmp>/peers). It prints a Markdown
table for docs/performance.md and writes the raw rows to <out>/results.json.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_BENCH = os.environ.get("EGWC_PEER_BENCH", os.path.join(ROOT, "..", "shared", "bench"))
sys.path.insert(0, SHARED_BENCH)
import gen  # noqa: E402  (the shared harness: workload model, Helm chart, timing)

EGWC = os.environ.get("EGWC_BIN", os.path.join(ROOT, "target", "release", "egwc"))
SPLIT_FILES = 10


def service(s):
    endpoints = " ".join(f'"{e}"' for e in s["endpoints"])
    attrs = [f"endpoints {endpoints}", f"port {s['port']}"]
    if s["protocol"] == "HTTPS":
        attrs.append("protocol HTTPS")
    if not s["loadBalanceAcrossEndpoints"] and len(s["endpoints"]) > 1:
        attrs.append("balance off")
    # The chart sends the client's Host; so does this.
    attrs.append("rewrite host off")
    attrs.append(f'description "{s["description"]}"')
    return f"service {s['name']} {{\n  " + "\n  ".join(attrs) + "\n}\n"


def route(r):
    rule = r["rules"][0]
    m = rule["matches"][0]
    header = m["headers"][0]
    backends = ", ".join(f"{b['name']} {b['weight']}" for b in rule["backendRefs"])
    return (
        f"route {r['name']} {{\n"
        f"  on {r['gateway']}\n"
        f'  host "{r["hostnames"][0]}"\n'
        f"  rule {{\n"
        f'    match path "{m["path"]["value"]}" header "{header["name"]}" = "{header["value"]}"\n'
        f"    -> {backends}\n"
        f"  }}\n}}\n"
    )


def gateway(g):
    return (
        f"gateway {g['name']} {{\n"
        '  class "eg"   // Envoy Gateway: DNS endpoints become Backends\n'
        "  listener http { port 80 protocol HTTP }\n"
        '  listener https { port 443 protocol HTTPS tls { cert "gateway-cert" } }\n'
        "}\n"
    )


def write_egw(n, base):
    """Writes the workload as one file and as a main file importing SPLIT_FILES parts."""
    m = gen.model(n)
    one = os.path.join(base, "egwc-one")
    split = os.path.join(base, "egwc-split")
    os.makedirs(one, exist_ok=True)
    os.makedirs(split, exist_ok=True)
    head = 'namespace "default"\n'
    blocks = [service(s) + route(r) for s, r in zip(m["externalServices"], m["routes"])]
    with open(os.path.join(one, "cluster.egw"), "w") as f:
        f.write(head + gateway(m["gateway"]) + "".join(blocks))
    parts = min(SPLIT_FILES, n)
    imports = "".join(f'import "./part-{k}.egw"\n' for k in range(parts))
    with open(os.path.join(split, "main.egw"), "w") as f:
        f.write(head + imports + gateway(m["gateway"]))
    for k in range(parts):
        with open(os.path.join(split, f"part-{k}.egw"), "w") as f:
            f.write(head + "".join(blocks[k::parts]))
    return m, os.path.join(one, "cluster.egw"), os.path.join(split, "main.egw")


def ensure_tools():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if not os.path.exists(gen.VPY):
        subprocess.run([sys.executable, "-m", "venv", os.path.join(gen.PREFIX, "venv")], check=True)
    probe = subprocess.run([gen.VPY, "-c", "import helm_python, yaml"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([gen.VPY, "-m", "pip", "install", "-q", "helm-python-sdk", "pyyaml"], check=True)


def run_once(cmd, cwd, timeout, outfile):
    """One whole-process run: wall, CPU (user + system) and peak RSS of that process."""
    rss_file = outfile + ".rss"
    cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd
    with open(outfile, "w") as out, open(outfile + ".err", "w") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                return {"rc": "timeout", "wall": timeout, "cpu": None, "rss_mb": None}
            time.sleep(0.0005)
        wall = time.monotonic() - t0
    rss_kb = int(open(rss_file).read().split()[-1])
    return {"rc": os.waitstatus_to_exitcode(status), "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": rss_kb / 1024}


def interleaved(tools, n, reps, timeout):
    """Runs every tool once per round, `reps` rounds, so that a slow moment of the machine
    falls on all of them alike. Each round starts with the peers (Helm's engine), then the
    egwc tools, rotated by one each round: the egwc run right after Helm's engine has freed
    its memory is up to twice as slow as the others (this VM refaults the memory), so each
    egwc tool takes that place in turn, and a median over 3 rounds or more leaves it out for
    all but the first tool (twice in 5 rounds, still the median's minority). Rotating all
    tools alike (A B C, then B C A) would keep every tool's predecessor. A tool that fails
    stops being run. Each tool is
    (name, cmd, cwd, outfile, check_output). Returns one row per tool: the median wall and CPU
    time with the minimum and maximum wall, and the highest peak memory."""
    runs = {t[0]: [] for t in tools}
    ours = [t for t in tools if t[0].startswith("egwc")]
    peers = [t for t in tools if not t[0].startswith("egwc")]
    for rep in range(reps):
        start = rep % len(ours)
        for name, cmd, cwd, outfile, _check in peers + ours[start:] + ours[:start]:
            if runs[name] and runs[name][-1]["rc"] != 0:
                continue
            runs[name].append(run_once(cmd, cwd, timeout, outfile))
    rows = []
    for name, _cmd, _cwd, outfile, check_output in tools:
        done = runs[name]
        last = done[-1]
        if last["rc"] == 0:
            status = check_output(open(outfile).read())
        else:
            status = f"exit {last['rc']}: {open(outfile + '.err').read()[-300:]}"
        walls = sorted(x["wall"] for x in done)
        mid = sorted(done, key=lambda x: x["wall"])[len(done) // 2]
        row = {
            "tool": name, "n": n, "wall_s": round(mid["wall"], 4),
            "wall_min_s": round(walls[0], 4), "wall_max_s": round(walls[-1], 4),
            "cpu_s": round(mid["cpu"], 4) if mid.get("cpu") is not None else None,
            "rss_mb": round(max(x["rss_mb"] or 0 for x in done), 1),
            "out_bytes": os.path.getsize(outfile), "reps": len(done), "status": status,
        }
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    return rows


def egwc_output_check(n):
    def check(text):
        routes = text.count("\nkind: HTTPRoute\n")
        return "ok" if routes == n else f"expected {n} HTTPRoutes, got {routes}"
    return check


def json_check(n):
    def check(text):
        routes = sum(1 for o in json.loads(text)["items"] if o["kind"] == "HTTPRoute")
        return "ok" if routes == n else f"expected {n} HTTPRoutes, got {routes}"
    return check


def phases(path, reps):
    """The stages of `egwc build --timings`, each the median of `reps` runs."""
    runs = []
    for _ in range(reps):
        out = subprocess.run([EGWC, "build", "--timings", path], capture_output=True, text=True)
        m = re.search(r"timings \(ms\): (.*);", out.stderr)
        if not m:
            return "?"
        runs.append([(k, float(v)) for k, v in (p.rsplit(" ", 1) for p in m.group(1).split(", "))])
    return ", ".join(
        f"{name} {sorted(r[i][1] for r in runs)[len(runs) // 2]:.1f}"
        for i, (name, _) in enumerate(runs[0]))


def route_match(path, m, reps):
    """The time `egwc route` takes to match one request against the N routes (compiling
    excluded), from its `--timings`: the median of `reps` runs, for the last route's request,
    so that every route is looked at."""
    r = m["routes"][-1]
    match = r["rules"][0]["matches"][0]
    header = match["headers"][0]
    url = f"http://{r['hostnames'][0]}{match['path']['value']}/x"
    times = []
    for _ in range(reps):
        out = subprocess.run([EGWC, "route", "--timings", "--url", url, "-H",
                              f"{header['name']}: {header['value']}", path],
                             capture_output=True, text=True)
        found = re.search(r"match ([0-9.]+);", out.stderr)
        if out.returncode != 0 or not found:
            return "?"
        times.append(float(found.group(1)))
    times.sort()
    return f"{times[len(times) // 2]:.2f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[100, 1000, 10000, 100000])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "egwc-bench"))
    args = ap.parse_args()
    ensure_tools()
    rows, phase_rows = [], []
    for n in args.n:
        base = os.path.join(args.out, f"n{n}")
        m, one, split = write_egw(n, base)
        check = egwc_output_check(n)
        tools = []
        for name, cmd, path in [
            ("egwc build", [EGWC, "build"], one),
            ("egwc build (10 files)", [EGWC, "build"], split),
            ("egwc build -o json", [EGWC, "build", "-o", "json"], one),
            ("egwc check", [EGWC, "check"], one),
        ]:
            cwd = os.path.dirname(path)
            out = os.path.join(cwd, name.replace(" ", "-") + ".out")
            ok = json_check(n) if "json" in name else check if "build" in name else (lambda text: "ok")
            tools.append((name, cmd + [os.path.basename(path)], cwd, out, ok))
        helm_base = gen.emit(n, args.out, only={"helm"}, m=m)
        _, cmd, _ = gen.peers()["helm"]
        helm_dir = os.path.join(helm_base, "helm")
        if os.path.exists(os.path.join(helm_dir, "values.json")):
            cmd = cmd + ["values.json"]
        tools.append(("helm (Helm v4 engine)", cmd, helm_dir, os.path.join(helm_dir, "out.yaml"),
                      lambda text, m=m: gen.verify(text, m)))
        rows += interleaved(tools, n, args.reps, args.timeout)
        phase_rows.append((n, phases(one, args.reps) + ", route match " + route_match(one, m, args.reps)))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print(table(rows, phase_rows))


def table(rows, phase_rows):
    out = ["| N | tool | wall s, median (min–max) | CPU s | peak MB | output MB | Helm ÷ egwc (wall / CPU / memory) | status |",
           "|---|---|---|---|---|---|---|---|"]
    helm = {r["n"]: r for r in rows if r["tool"].startswith("helm")}
    for r in rows:
        h = helm.get(r["n"])
        ratio = ""
        if h and not r["tool"].startswith("helm") and h["status"] == "ok" and r["wall_s"] > 0:
            cpu = f"{h['cpu_s'] / r['cpu_s']:.0f}×" if r["cpu_s"] else "n/a"
            ratio = f"{h['wall_s'] / r['wall_s']:.0f}× / {cpu} / {h['rss_mb'] / r['rss_mb']:.1f}×"
        wall = f"{r['wall_s']:.3f} ({r['wall_min_s']:.3f}–{r['wall_max_s']:.3f})"
        out.append(f"| {r['n']:,} | {r['tool']} | {wall} | {r['cpu_s']} | {r['rss_mb']} | "
                   f"{r['out_bytes'] / 1e6:.1f} | {ratio} | {r['status']} |")
    out += ["", "| N | egwc build phases, ms (one file) |", "|---|---|"]
    out += [f"| {n:,} | {p} |" for n, p in phase_rows]
    return "\n".join(out)


if __name__ == "__main__":
    main()
