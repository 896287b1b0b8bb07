"""10,000 offline messages into wasms-gateway: link, stop, queue, start, drain; then send latency.
See scripts/bench-messaging. argv: gateway command (shell words), messages, sends."""
import json, os, re, shlex, signal, socket, sqlite3, statistics, subprocess, sys, tempfile, time
import wa_emulator

GATEWAY, COUNT, SENDS = shlex.split(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ALICE = "+15555550100"
# BENCH_GATEWAY_LOG=FILE keeps the gateway's log (appended, both starts).
LOG = open(os.environ["BENCH_GATEWAY_LOG"], "a") if os.environ.get("BENCH_GATEWAY_LOG") else subprocess.DEVNULL

def rss(pid):
    status = open(f"/proc/{pid}/status").read()
    get = lambda k: int(re.search(rf"^{k}:\s+(\d+)", status, re.M).group(1)) / 1024
    return get("VmRSS"), get("VmHWM")

def rss_parts(pid):
    """(RssAnon, RssFile) in MB: heap and stacks vs. pages of the binary and libraries (clean, reclaimable by the kernel)."""
    status = open(f"/proc/{pid}/status").read()
    get = lambda k: int(re.search(rf"^{k}:\s+(\d+)", status, re.M).group(1)) / 1024
    return get("RssAnon"), get("RssFile")

def cpu_ms(pid):
    """User + system CPU time the process has used so far (ms): the burst's cost whatever else loads the machine."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

def tree_cpu_ms(pid):
    """CPU time (ms) of PID and its descendants: the bench server runs under `dotnet run`, as its child."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                children.setdefault(int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                pass
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += cpu_ms(p)
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total

def ask(emu, command, answer):
    emu.stdin.write(command + "\n"); emu.stdin.flush()
    while True:
        line = emu.stdout.readline()
        if not line: raise RuntimeError("the bench server exited")
        if line.startswith(answer): return line.split()

def start_server():
    emu = subprocess.Popen(["dotnet", "run", "-c", "Release", "scripts/lib/BenchMessagingServer.cs"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    return (emu, *wa_emulator.read_url_and_key(emu))

class Gateway:
    def __init__(self, state, url, key):
        self.state, self.url, self.key = state, url, key

    def cli(self, *args):
        return subprocess.run(GATEWAY + list(args) + ["--state-dir", self.state], capture_output=True, text=True)

    def start(self):
        path = os.path.join(os.path.dirname(self.state), f"notify-{time.monotonic_ns()}.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); self.sock.bind(path); self.sock.settimeout(600)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WASMS_", "NOTIFY_", "WATCHDOG_"))}
        env["NOTIFY_SOCKET"] = path
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(GATEWAY + ["run", "--simulate", "--Simulator:Url=off", "--state-dir", self.state,
                                     f"--WhatsApp:ServerUrl={self.url}", f"--WhatsApp:TrustedRootKey={self.key}",
                                      "--Pacing:MinGap=00:00:00", "--Pacing:MaxGap=00:00:00"],  # pacing off: raw throughput
                                     env=env, stdout=LOG, stderr=LOG)

    def wait_status(self, status, poll=None):
        """Waits for the status line on NOTIFY_SOCKET, calling poll() every 50 ms meanwhile (at most 600 s)."""
        self.sock.settimeout(0.05 if poll else 600)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if self.sock.recv(4096).decode() == status: return time.monotonic()
            except socket.timeout:
                poll()
        raise RuntimeError(f"no '{status}' within 600 s")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM); self.proc.wait(timeout=60); self.sock.close()

def inbound(gw):
    lines = gw.cli("messages", "--json").stdout.splitlines()
    return sum(1 for l in lines if json.loads(l).get("kind") == "message")

def stored(gw):
    """(rows, first received_at, last received_at, rows stored after the first commit) read from the
    database itself, read-only: polling with the CLI (a process per call reading every message) would
    load the gateway it measures."""
    db = sqlite3.connect(f"file:{os.path.join(gw.state, 'gateway.db')}?mode=ro", uri=True, timeout=30)
    try:
        n, first, last = db.execute("SELECT count(*), min(received_at), max(received_at) FROM inbound_messages WHERE from_me = 0").fetchone()
        after = db.execute("SELECT count(*) FROM inbound_messages WHERE from_me = 0 AND received_at > ?", (first or 0,)).fetchone()[0]
        return n, first, last, after
    finally:
        db.close()

def main():
    work = tempfile.mkdtemp(prefix="wg-bench-msg-")
    emu, url, key = start_server()
    gw = Gateway(os.path.join(work, "s"), url, key)
    try:
        gw.start()
        gw.wait_status("STATUS=unpaired: Scan the QR code with WhatsApp")
        qr = re.search(r'"qr":"([^"]+)"', gw.cli("status", "--json").stdout).group(1)
        ask(emu, "scan " + qr, "linked")
        gw.wait_status("STATUS=online: Online")
        gw.stop()
        queued_ms = int(ask(emu, f"say {COUNT}", "queued")[2])
        print(f"queued {COUNT} texts from Alice while the gateway was stopped ({queued_ms} ms)", file=sys.stderr)

        gw.start()
        # The gateway calls itself online after the backlog: the CPU it used from the first stored message on is sampled meanwhile.
        cpu_first = emu_cpu_first = None
        def sample_first():
            nonlocal cpu_first, emu_cpu_first
            if cpu_first is None and stored(gw)[0] > 0: cpu_first, emu_cpu_first = cpu_ms(gw.proc.pid), tree_cpu_ms(emu.pid)
        online = gw.wait_status("STATUS=online: Online", sample_first)
        peak_at_online = rss(gw.proc.pid)[1]
        done, (n, first, last, after) = online, stored(gw)
        while n < COUNT:
            time.sleep(0.05); n, first, last, after = stored(gw); done = time.monotonic()
            if cpu_first is None and n > 0: cpu_first, emu_cpu_first = cpu_ms(gw.proc.pid), tree_cpu_ms(emu.pid)
        cpu_burst = cpu_ms(gw.proc.pid) - cpu_first
        emu_cpu_burst = tree_cpu_ms(emu.pid) - emu_cpu_first
        peak = rss(gw.proc.pid)[1]
        time.sleep(10)
        idle = rss(gw.proc.pid)[0]
        idle_anon, idle_file = rss_parts(gw.proc.pid)
        # Checked after the idle figure: reading 10,000 messages through the API is a burst of its own.
        in_stream = inbound(gw)
        if in_stream < COUNT: raise RuntimeError(f"only {in_stream} of {COUNT} messages in the API stream")

        # Send latency: `send` waits for "sent" (the server's ack); a `status` round trip is the CLI's own cost.
        status_ms, send_ms = [], []
        for i in range(SENDS):
            t = time.monotonic(); gw.cli("status"); status_ms.append((time.monotonic() - t) * 1000)
            t = time.monotonic(); r = gw.cli("send", ALICE, f"latency {i}")
            send_ms.append((time.monotonic() - t) * 1000)
            if r.returncode != 0: raise RuntimeError("send failed: " + r.stdout + r.stderr)
        gw.stop()
    finally:
        if getattr(gw, "proc", None) and gw.proc.poll() is None: gw.proc.kill(); gw.proc.wait()
        emu.stdin.close(); emu.wait(timeout=30)
        subprocess.run(["rm", "-rf", work])
    pct = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
    base = statistics.median(status_ms)
    print(json.dumps({"messages": COUNT, "startToOnlineMs": round((online - gw.t0) * 1000), "startToLastStoredMs": round((done - gw.t0) * 1000),
                      "perSecond": round(COUNT / (done - gw.t0)),
                      "burstMs": last - first, "burstMessages": after, "burstPerSecond": round(after * 1000 / max(1, last - first)),
                      "burstCpuMs": round(cpu_burst), "burstEmulatorCpuMs": round(emu_cpu_burst), "burstPerCpuSecond": round(after * 1000 / max(1, cpu_burst)), "peakRssMb": round(peak, 1), "peakRssAtOnlineMb": round(peak_at_online, 1),
                      "idleRssMb": round(idle, 1), "idleRssAnonMb": round(idle_anon, 1), "idleRssFileMb": round(idle_file, 1), "sends": SENDS,
                      "sendP50Ms": round(pct(send_ms, 50), 1), "sendP99Ms": round(pct(send_ms, 99), 1),
                      "cliRoundTripMs": round(base, 1),
                      "sendNetP50Ms": round(pct(send_ms, 50) - base, 1), "sendNetP99Ms": round(pct(send_ms, 99) - base, 1)}))

main()
