"""Start -> QR, start -> online and RSS of wasms-gateway (JIT, AOT) and Baileys rc14, against one
standalone emulator. The emulated phone scans each QR as soon as it appears (QR strings written to
the emulator's stdin), so start -> online measures the link, not a human."""
import os, re, select, signal, socket, statistics, subprocess, sys, tempfile, time
import wa_emulator

ROOT = os.getcwd()
ORACLE = os.path.join(ROOT, "tests/WaSms.WhatsApp.Tests/Binary/baileys-oracle")
RUNS, IDLE = int(sys.argv[1]), int(sys.argv[2])
ONLY = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else None  # e.g. "aot,baileys" for a quick look

def rss(pid):
    status = open(f"/proc/{pid}/status").read()
    get = lambda k: int(re.search(rf"^{k}:\s+(\d+)", status, re.M).group(1)) / 1024
    return get("VmRSS"), get("VmHWM")

def start_emulator():
    # The product's AOT binary has no emulator (Emulators=false); the dev variant plays the server.
    return wa_emulator.start_emulator("out/aot-linux-x64-dev/wasms-gateway")

def scan(emu, qr):
    emu.stdin.write(qr + "\n"); emu.stdin.flush()

def run_gateway(command, emu, url, key):
    state = tempfile.mkdtemp(prefix="wg-bench-wa-")
    sock_path = os.path.join(state, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); sock.bind(sock_path); sock.settimeout(60)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WASMS_", "NOTIFY_", "WATCHDOG_"))}
    env["NOTIFY_SOCKET"] = sock_path
    t0 = time.monotonic()
    # The simulated board renders every screen as the Pi would; its web page stays off (a Pi has none).
    proc = subprocess.Popen(command + ["run", "--simulate", "--Simulator:Url=off", "--state-dir", os.path.join(state, "s"),
                            f"--WhatsApp:ServerUrl={url}", f"--WhatsApp:TrustedRootKey={key}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while sock.recv(4096).decode() != "STATUS=unpaired: Scan the QR code with WhatsApp": pass
        qr_ms = (time.monotonic() - t0) * 1000
        qr_rss = rss(proc.pid)
        cli = command + ["status", "--json", "--state-dir", os.path.join(state, "s")]
        qr = re.search(r'"qr":"([^"]+)"', subprocess.run(cli, capture_output=True, text=True).stdout).group(1)
        scan(emu, qr)
        while sock.recv(4096).decode() != "STATUS=online: Online": pass
        online_ms = (time.monotonic() - t0) * 1000
        time.sleep(IDLE)
        return qr_ms, online_ms, qr_rss, rss(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM); proc.wait(timeout=30); sock.close()
        subprocess.run(["rm", "-rf", state])

def run_baileys(emu, url, key):
    t0 = time.monotonic()
    proc = subprocess.Popen(["node", "bench-peer.mjs", url, key], cwd=ORACLE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, bufsize=1)
    try:
        qr_ms = qr_rss = None
        while True:
            line = proc.stdout.readline()
            if not line: raise RuntimeError("baileys exited")
            if line.startswith("QR ") and qr_ms is None:
                qr_ms = (time.monotonic() - t0) * 1000
                qr_rss = rss(proc.pid)
                scan(emu, line[3:].strip())
            if line.startswith("OPEN"):
                online_ms = (time.monotonic() - t0) * 1000
                break
        time.sleep(IDLE)
        return qr_ms, online_ms, qr_rss, rss(proc.pid)
    finally:
        proc.kill(); proc.wait()

def main():
    emu, url, key = start_emulator()
    variants = [
        ("wasms-gateway JIT", lambda: run_gateway(["dotnet", "src/WaSms.Gateway/bin/Release/net10.0/wasms-gateway.dll"], emu, url, key)),
        ("wasms-gateway Native AOT", lambda: run_gateway(["out/aot-linux-x64/wasms-gateway"], emu, url, key)),
        ("baileys 7.0.0-rc14 (node " + subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() + ")",
         lambda: run_baileys(emu, url, key)),
    ]
    if ONLY:
        variants = [v for v in variants if any(word in v[0].lower() for word in ONLY)]
    results = {}
    for name, run in variants:
        results[name] = [run() for _ in range(RUNS)]
    emu.terminate(); emu.wait()
    med = lambda xs: statistics.median(xs)
    print(f"\nWhatsApp link benchmark: {RUNS} runs each, medians; idle = {IDLE} s linked; {os.cpu_count()} cores {os.uname().machine}")
    print(f"{'peer':40} {'start->QR ms':>13} {'start->online ms':>17} {'RSS@QR MB':>10} {'HWM@QR':>7} {'RSS idle MB':>12} {'HWM idle':>9}")
    rows = {}
    for name, samples in results.items():
        row = (med([s[0] for s in samples]), med([s[1] for s in samples]), med([s[2][0] for s in samples]),
               med([s[2][1] for s in samples]), med([s[3][0] for s in samples]), med([s[3][1] for s in samples]))
        rows[name] = row
        print(f"{name:40} {row[0]:13.0f} {row[1]:17.0f} {row[2]:10.1f} {row[3]:7.1f} {row[4]:12.1f} {row[5]:9.1f}")
    baileys = next((v for k, v in rows.items() if k.startswith("baileys")), None)
    for name in [n for n in ("wasms-gateway JIT", "wasms-gateway Native AOT") if n in rows and baileys]:
        r = rows[name]
        print(f"{name} / baileys: start->QR {r[0]/baileys[0]:.2f}x, start->online {r[1]/baileys[1]:.2f}x, "
              f"RSS@QR {r[2]/baileys[2]:.2f}x, idle RSS {r[4]/baileys[4]:.2f}x")
    print("Targets (issue #3): AOT start->QR <= 0.5x baileys, AOT idle RSS <= 0.3x baileys")

main()
