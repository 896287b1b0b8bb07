"""Relay throughput and latency platform -> gateway -> WhatsApp emulator and back, on loopback, pacing off.
See scripts/bench-tunnel. argv: gateway command (shell words), jobs, latency samples."""
import json, os, re, shlex, signal, statistics, subprocess, sys, tempfile, time, urllib.parse, urllib.request
import wa_emulator

GATEWAY, JOBS, SAMPLES = shlex.split(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
assert JOBS + SAMPLES <= 1000, "the API lists at most 1000 rows a page: jobs + samples <= 1000"
ALICE = "+15555550100"
POLL = 0.002  # the API is polled every 2 ms: the figures carry up to that much (plus one HTTP round trip) of error
LOG = open(os.environ["BENCH_GATEWAY_LOG"], "a") if os.environ.get("BENCH_GATEWAY_LOG") else subprocess.DEVNULL

class Api:
    def __init__(self, base, secret): self.base, self.secret = base, secret
    def get(self, path, **query):
        query["secret"] = self.secret
        with urllib.request.urlopen(f"{self.base}/{path}?{urllib.parse.urlencode(query)}", timeout=30) as r: return json.load(r)
    def post(self, path, **form):
        form["secret"] = self.secret
        with urllib.request.urlopen(f"{self.base}/{path}", data=urllib.parse.urlencode(form).encode(), timeout=30) as r: return json.load(r)

WATCH = []  # processes that must stay alive while we wait

def until(what, condition, timeout=300, pause=POLL):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in WATCH:
            if proc.poll() is not None: raise RuntimeError(f"{name} exited ({proc.returncode}) while waiting for {what}")
        value = condition()
        if value: return value
        time.sleep(pause)
    raise RuntimeError(f"timed out waiting for {what}")

def ask(emu, command, answer):
    emu.stdin.write(command + "\n"); emu.stdin.flush()
    while True:
        line = emu.stdout.readline()
        if not line: raise RuntimeError("the bench server exited")
        if line.startswith(answer): return line.split()

def pct(xs, p): return sorted(xs)[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

def main():
    work = tempfile.mkdtemp(prefix="wg-bench-tunnel-")
    platform = subprocess.Popen(GATEWAY + ["dev", "platform", "--json", "--port", "0", "--api-port", "0", "--data", os.path.join(work, "p")],
                                stdout=subprocess.PIPE, stderr=LOG, text=True, bufsize=1)
    info = json.loads(until("the platform's connection info", lambda: (l := platform.stdout.readline()).startswith("{") and l, pause=0))
    api = Api(info["apiUrl"], info["secret"])
    emu = subprocess.Popen(["dotnet", "run", "-c", "Release", "scripts/lib/BenchMessagingServer.cs"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    url, key = wa_emulator.read_url_and_key(emu)
    state = os.path.join(work, "s")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WASMS_", "NOTIFY_", "WATCHDOG_"))}
    gw = subprocess.Popen(GATEWAY + ["run", "--simulate", "--Simulator:Url=off", "--state-dir", state,
                                     f"--WhatsApp:ServerUrl={url}", f"--WhatsApp:TrustedRootKey={key}",
                                     f"--Tunnel:Url={info['tunnelUrl']}", f"--Tunnel:CaFile={info['caFile']}",
                                     f"--Tunnel:EnrollmentCode={info['enrollmentCode']}",
                                     "--Pacing:MinGap=00:00:00", "--Pacing:MaxGap=00:00:00"], env=env, stdout=LOG, stderr=LOG)
    WATCH.extend([("the gateway", gw), ("the platform emulator", platform), ("the WhatsApp emulator", emu)])
    try:
        cli = lambda *a: subprocess.run(GATEWAY + list(a) + ["--state-dir", state], capture_output=True, text=True).stdout
        qr = until("the gateway's QR", lambda: (m := re.search(r'"qr":"([^"]+)"', cli("status", "--json"))) and m.group(1), pause=0.2)
        ask(emu, "scan " + qr, "linked")
        account = until("the gateway online at the platform", lambda: next((a["unique"] for a in api.get("get/wa.accounts")["data"]
                                                                             if a["status"] == "connected" and (a.get("state") or {}).get("state") == "online"), None), pause=0.2)
        # Pacing off on the platform's side too (its welcome.pacing is the 1-5 s default).
        api.post("dev/command", unique=account, name="pacing", args='{"minGap":0,"maxGap":0,"hourlyCap":0,"dailyCap":0,"cooldown":0}')
        until("the pacing command's result", lambda: all(c.get("ok") for c in api.get("get/wa.commands")["data"]), pause=0.05)

        def sent_states(): return {j["id"]: j["status"] for j in api.get("get/wa.sent", limit=1000)["data"]}
        # 1. Latency out: one job at a time, POST -> the platform holds its "sent" status (the WhatsApp server's ack, relayed back).
        out_ms = []
        for i in range(SAMPLES):
            t = time.monotonic()
            job = api.post("send/whatsapp", account=account, recipient=ALICE, type="text", message=f"latency {i}", priority="2")["data"]["id"]
            until("a job sent", lambda: api.get("get/wa.sent", limit=1)["data"][0]["status"] in ("sent", "delivered", "read") and
                  api.get("get/wa.sent", limit=1)["data"][0]["id"] == job)
            out_ms.append((time.monotonic() - t) * 1000)
        # 2. Latency in: Alice's phone sends one text; -> the platform has stored it (in wa.received).
        in_ms = []
        newest = lambda: (api.get("get/wa.received", limit=1)["data"] or [{"cursor": 0}])[0]["cursor"]
        for i in range(SAMPLES):
            before = newest()
            t = time.monotonic()
            ask(emu, "say 1", "queued")
            until("a reply stored", lambda: newest() > before)
            in_ms.append((time.monotonic() - t) * 1000)
        # 3. Throughput out: JOBS jobs posted at once; until every one is "sent" at the platform.
        t = time.monotonic()
        ids = [api.post("send/whatsapp", account=account, recipient=ALICE, type="text", message=f"burst {i}")["data"]["id"] for i in range(JOBS)]
        posted = time.monotonic() - t
        until("every burst job sent", lambda: all(s in ("sent", "delivered", "read") for s in map(sent_states().get, ids)), timeout=1800, pause=0.05)
        out_s = time.monotonic() - t
        # 4. Throughput in: Alice sends JOBS texts while linked; until the platform has stored them all.
        before = len(api.get("get/wa.received", limit=1000)["data"])
        t = time.monotonic()
        ask(emu, f"say {JOBS}", "queued")
        until("every burst reply stored", lambda: len(api.get("get/wa.received", limit=1000)["data"]) >= before + JOBS, timeout=1800, pause=0.05)
        in_s = time.monotonic() - t
    finally:
        for p in (gw, platform):
            if p.poll() is None: p.send_signal(signal.SIGTERM)
            try: p.wait(timeout=60)
            except subprocess.TimeoutExpired: p.kill(); p.wait()
        emu.stdin.close(); emu.wait(timeout=30)
        subprocess.run(["rm", "-rf", work])
    print(json.dumps({"samples": SAMPLES, "jobs": JOBS,
                      "outP50Ms": round(pct(out_ms, 50), 1), "outP99Ms": round(pct(out_ms, 99), 1),
                      "inP50Ms": round(pct(in_ms, 50), 1), "inP99Ms": round(pct(in_ms, 99), 1),
                      "outPostSeconds": round(posted, 2), "outPerSecond": round(JOBS / out_s, 1), "inPerSecond": round(JOBS / in_s, 1)}))

main()
