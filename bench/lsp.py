#!/usr/bin/env python3
"""The language server's latency per keystroke (bench/lsp.py).

Opens the shared workload (bench/run.py's .egw, one file) of about 2,000 and 20,000 lines
in `egwc lsp` (a release build), then types: each edit appends one character to a comment
at the end of a line in the middle of the file (inside a block, so that block is parsed
again), sent as a range edit (incremental sync), and the time from sending the edit to the
diagnostics of that version is one sample. The server checks the whole build on each edit,
as the editor would see it with a pause between keystrokes (each edit waits for its
diagnostics: no batching helps).

  python3 bench/lsp.py                 # 2,000 and 20,000 lines, 30 keystrokes each
  python3 bench/lsp.py --lines 2000 --keys 50
  EGWC_BIN=/path/to/other/egwc python3 bench/lsp.py   # another build, side by side

It prints a Markdown table for docs/performance.md ("The language server").
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (the workload's .egw, and the release build)

EGWC = run.EGWC


class Server:
    def __init__(self):
        self.p = subprocess.Popen([EGWC, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 1

    def send(self, message):
        body = json.dumps(message).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def receive(self):
        length = 0
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("egwc lsp ended")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            m = self.receive()
            if m.get("id") == rid:
                return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics_of(self, version):
        while True:
            m = self.receive()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version:
                return m

    def stop(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.p.wait(timeout=30)


def keystrokes(path, keys):
    text = open(path).read()
    uri = "file://" + path
    s = Server()
    s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    s.notify("initialized", {})
    start = time.perf_counter()
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "egw", "version": 1, "text": text}})
    s.diagnostics_of(1)
    opened = time.perf_counter() - start
    # The first line at or after the middle that closes or opens a block: a comment there
    # is inside the block (or ends it), never inside a string.
    lines = text.split("\n")
    line = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].rstrip().endswith(("{", "}")))
    column = len(lines[line].encode("utf-16-le")) // 2
    samples = []
    for k in range(keys):
        typed = " // " if k == 0 else "x"
        version = k + 2
        start = time.perf_counter()
        s.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{
                "range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column}},
                "text": typed,
            }],
        })
        published = s.diagnostics_of(version)
        column += len(typed)
        samples.append((time.perf_counter() - start) * 1000)
    errors = [d for d in published["params"]["diagnostics"] if d.get("severity") == 1]
    if errors:
        raise SystemExit(f"the typed text does not check: {errors[:3]}")
    s.stop()
    return len(lines), opened * 1000, samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, nargs="*", default=[2000, 20000])
    ap.add_argument("--keys", type=int, default=30)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=run.ROOT, check=True)
    rows = []
    with tempfile.TemporaryDirectory() as base:
        for lines in args.lines:
            # The workload has about 14.5 lines per service and route.
            n = max(1, lines * 2 // 29)
            _, one, _ = run.write_egw(n, os.path.join(base, str(n)))
            count, opened, samples = keystrokes(one, args.keys)
            samples.sort()
            rows.append((count, opened, statistics.median(samples), samples[int(len(samples) * 0.9)], samples[0], samples[-1]))
    print("| lines | open (ms) | keystroke median (ms) | p90 | min–max |")
    print("|---|---|---|---|---|")
    for count, opened, median, p90, low, high in rows:
        print(f"| {count:,} | {opened:.0f} | {median:.1f} | {p90:.1f} | {low:.1f}–{high:.1f} |")


if __name__ == "__main__":
    main()
