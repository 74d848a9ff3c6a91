#!/usr/bin/env python3
"""kill -9 during writes, then restart: every acknowledged write is there,
with its audit event, and the chain verifies.

Each cycle starts the server, lets WRITERS threads create cadres through the
API (an acknowledged write is a 201 with the new id), kills the server with
SIGKILL after a random moment, starts it again and checks every id
acknowledged so far: the record answers 200, the trail holds its
`cadre.create` event, and `dandang audit verify` finds the chain whole.

usage: cycle.py BIN CONFIG CYCLES LABEL
"""
import json, os, random, signal, subprocess, sys, threading, time, urllib.parse, urllib.request

BIN, CONFIG, CYCLES, LABEL = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
WRITERS = 8
ENV = dict(os.environ, DANDANG_CONFIG=CONFIG)
PORT = random.randint(20000, 40000)
BASE = f"http://127.0.0.1:{PORT}"


def call(method, path, token, body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def start(log):
    p = subprocess.Popen([BIN, "serve", "--demo", "--listen", f"127.0.0.1:{PORT}"], env=ENV,
                         stdout=log, stderr=log)
    for _ in range(600):
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)
            return p
        except Exception:
            if p.poll() is not None:
                sys.exit(f"{LABEL}: the server did not start (exit {p.returncode})")
            time.sleep(0.1)
    sys.exit(f"{LABEL}: the server did not answer")


def main():
    work = os.path.dirname(CONFIG)
    log = open(os.path.join(work, f"serve-{LABEL}.log"), "ab")
    server = start(log)
    token = subprocess.run([BIN, "token", "create", "--user", "admin", "--name", "断电测试"], env=ENV,
                           check=True, capture_output=True, text=True).stdout.strip()
    q = urllib.parse.quote("宜昌市商务局")
    status, units = call("GET", f"/api/v1/units?q={q}", token)
    assert status == 200 and units["items"], (status, units)
    unit = units["items"][0]["id"]
    acked = []
    for cycle in range(CYCLES):
        stop = threading.Event()
        lock = threading.Lock()

        def writer(w):
            i = 0
            while not stop.is_set():
                i += 1
                body = {"name": "断电甲", "sex": "男", "birth_date": "1980-01-01", "ethnicity": "汉族",
                        "unit_id": unit, "managed_by": "市管", "note": f"{LABEL}-{cycle}-{w}-{i}"}
                try:
                    status, c = call("POST", "/api/v1/cadres", token, body, timeout=5)
                except Exception:
                    return  # the server is gone: this write was never acknowledged
                if status == 201:
                    with lock:
                        acked.append(c["id"])

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.8, 2.5))
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        for t in threads:
            t.join()
        server = start(log)
        missing = [i for i in acked if call("GET", f"/api/v1/cadres/{i}", token)[0] != 200]
        events, page = set(), 1
        while True:
            status, ev = call("GET", f"/api/v1/audit?action=cadre.create&per_page=500&page={page}", token)
            assert status == 200, status
            events.update(e["entity_id"] for e in ev["items"])
            if page * 500 >= ev["total"]:
                break
            page += 1
        unaudited = [i for i in acked if i not in events]
        verify = subprocess.run([BIN, "audit", "verify"], env=ENV, capture_output=True, text=True)
        print(f"{LABEL} cycle {cycle + 1}: {len(acked)} acknowledged, {len(missing)} missing, "
              f"{len(unaudited)} without event; {verify.stdout.strip()}", flush=True)
        if missing or unaudited or verify.returncode != 0:
            server.kill()
            sys.exit(f"{LABEL}: lost {missing[:5]} / unaudited {unaudited[:5]} / verify {verify.returncode}")
    server.send_signal(signal.SIGTERM)
    server.wait()
    if not acked:
        sys.exit(f"{LABEL}: no write was acknowledged: the test proved nothing")


main()
