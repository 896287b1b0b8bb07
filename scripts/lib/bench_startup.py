"""Measures process start -> READY=1 and idle VmRSS/VmHWM of wasms-gateway variants.
Each run: fresh state dir, simulated board, our own NOTIFY_SOCKET; RSS read 10 s after READY."""
import os, shlex, signal, socket, statistics, subprocess, sys, tempfile, time
import wa_emulator

def start_emulator():
    """BENCH_EMULATOR (a wasms-gateway command with the emulators): its 'dev wa-server', and the
    arguments that point a gateway at it; none when unset (then the gateway needs its own)."""
    command = os.environ.get("BENCH_EMULATOR")
    if not command:
        return None, []
    emu, url, key = wa_emulator.start_emulator(command)
    return emu, [f"--WhatsApp:ServerUrl={url}", f"--WhatsApp:TrustedRootKey={key}"]

EMULATOR_ARGS = []

def run_once(command):
    state = tempfile.mkdtemp(prefix="wg-bench-")
    sock_path = os.path.join(state, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(30)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WASMS_", "NOTIFY_", "WATCHDOG_"))}
    env["NOTIFY_SOCKET"] = sock_path
    start = time.monotonic()
    proc = subprocess.Popen(shlex.split(command) + ["run", "--simulate", "--Simulator:Url=off", "--state-dir", os.path.join(state, "s")] + EMULATOR_ARGS,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            msg = sock.recv(4096).decode()
            if msg == "READY=1":
                ready_ms = (time.monotonic() - start) * 1000
                break
        time.sleep(10)
        status = open(f"/proc/{proc.pid}/status").read()
        field = lambda name: int(next(l for l in status.splitlines() if l.startswith(name)).split()[1]) / 1024
        return ready_ms, field("VmRSS:"), field("VmHWM:")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        sock.close()
        subprocess.run(["rm", "-rf", state])

def main():
    global EMULATOR_ARGS
    emu, EMULATOR_ARGS = start_emulator()
    runs = int(sys.argv[1])
    rows = []
    for spec in sys.argv[2:]:
        name, command = spec.split("=", 1)
        samples = [run_once(command) for _ in range(runs)]
        rows.append((name, [s[0] for s in samples], [s[1] for s in samples], [s[2] for s in samples]))
    print(f"\nwasms-gateway start-up, {runs} runs each, median (min-max); machine: {os.cpu_count()} cores, {os.uname().machine}")
    print(f"{'variant':34} {'start -> READY ms':>22} {'idle VmRSS MB':>18} {'VmHWM MB':>10}")
    for name, ready, rss, hwm in rows:
        print(f"{name:34} {statistics.median(ready):10.0f} ({min(ready):.0f}-{max(ready):.0f}) {statistics.median(rss):10.1f} ({min(rss):.1f}-{max(rss):.1f}) {statistics.median(hwm):8.1f}")
    if len(rows) == 2:
        print(f"AOT / JIT: READY {statistics.median(rows[1][1]) / statistics.median(rows[0][1]):.2f}x, "
              f"RSS {statistics.median(rows[1][2]) / statistics.median(rows[0][2]):.2f}x")
    print("Targets (issue #2, AOT): READY <= 300 ms, idle RSS <= 25 MB")
    if emu:
        emu.terminate(); emu.wait(timeout=20)

main()
