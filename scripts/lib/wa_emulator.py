"""The standalone WhatsApp emulator ('wasms-gateway dev wa-server') for the benchmarks: the product's
AOT binary has none (Emulators=false), so a build with the emulators plays the server."""
import re, shlex, subprocess

def start_emulator(command):
    """Starts COMMAND dev wa-server on a free port; returns (process, url, trusted root key hex).
    Each line written to the process's stdin is a QR string for its emulated phone to scan."""
    emu = subprocess.Popen(shlex.split(command) + ["dev", "wa-server", "--port", "0"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    return (emu, *read_url_and_key(emu))

def read_url_and_key(emu):
    """Reads an emulator's start-up lines up to its URL and trusted root key."""
    url = key = None
    while url is None or key is None:
        line = emu.stdout.readline()
        if not line: raise RuntimeError("the emulator (dev wa-server) exited before printing its URL and key")
        if m := re.search(r"listening on (ws://\S+)", line): url = m.group(1)
        if m := re.search(r"Trusted root key: ([0-9a-f]{64})", line): key = m.group(1)
    return url, key
