// The simulator page: listens to /events (Server-Sent Events) and drives /button/* and /dev/scan.
// Plain script, no build step. Blink timings come with each "leds" event, from the firmware's LedTimeline.
"use strict";

const SCALE = 3; // whole-pixel scale keeps the 1-bit QR crisp
let timings = {}; // mode -> [ms lit (positive) / dark (negative), ...], one period
const ACTION = { method: "POST", headers: { "X-WaSms-Simulator": "1" } };

const $ = (id) => document.getElementById(id);
const leds = { green: $("led-green"), amber: $("led-amber"), red: $("led-red") };
let ledsSince = performance.now();
let pressedAt = null;

// 24-hour local time, as the screen and the CLI show it ("22:16:10", never "10:16:10 PM").
function clock(iso) {
  const t = new Date(iso);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

// The reason unless it only repeats the state's name ("online" / "Online").
function reasonBeside(state, reason) {
  const plain = (text) => (text || "").toLowerCase().replace(/[^a-z]+/g, " ").trim();
  return plain(reason) === plain(state) ? "" : reason;
}

function showState(s) {
  const state = $("state");
  state.textContent = s.state;
  state.className = s.state;
  state.dataset.sequence = s.sequence;
  $("reason").textContent = reasonBeside(s.state, s.reason);
  const details = [];
  if (s.pairingCode) details.push("pairing code " + s.pairingCode);
  if (s.qrExpiresAt) details.push("QR valid until " + clock(s.qrExpiresAt));
  if (s.account) details.push("linked to " + s.account);
  details.push("since " + clock(s.since));
  $("details").textContent = details.join(" · ");
  $("scan").disabled = !s.canScan;
}

function showFrame(f) {
  const img = $("frame");
  img.width = f.width * SCALE;
  img.height = f.height * SCALE;
  img.src = "/frame.png?v=" + f.version;
  img.dataset.version = f.version;
  img.hidden = false;
  $("no-frame").hidden = true;
}

function showLeds(pattern) {
  timings = pattern.timings || {};
  for (const [colour, led] of Object.entries(leds)) {
    led.dataset.mode = pattern[colour];
    led.title = colour + ": " + pattern[colour];
    $("led-" + colour + "-mode").textContent = pattern[colour];
  }
  ledsSince = performance.now();
  animateLeds();
}

// A mode the page does not know (the firmware grew a new one) is drawn lit; its name is in the tooltip.
function animateLeds() {
  const elapsed = performance.now() - ledsSince;
  for (const led of Object.values(leds)) {
    const mode = led.dataset.mode;
    led.classList.toggle("lit", mode === "off" ? false : isLit(timings[mode], elapsed));
  }
}
setInterval(animateLeds, 50);

function isLit(segments, elapsed) {
  if (!segments) return true; // steady on, or a mode this page does not know
  const period = segments.reduce((sum, ms) => sum + Math.abs(ms), 0);
  let into = elapsed % period;
  for (const ms of segments) {
    if (into < Math.abs(ms)) return ms > 0;
    into -= Math.abs(ms);
  }
  return segments[0] > 0;
}

function showButton(b) {
  $("button").classList.toggle("down", b.down);
}

function connect() {
  const events = new EventSource("/events");
  const parse = (handler) => (e) => handler(JSON.parse(e.data));
  events.addEventListener("state", parse(showState));
  events.addEventListener("frame", parse(showFrame));
  events.addEventListener("leds", parse(showLeds));
  events.addEventListener("button", parse(showButton));
  events.onopen = () => { $("connection").textContent = "live"; };
  events.onerror = () => { $("connection").textContent = "gateway not reachable; retrying…"; };
}

async function press() {
  if (pressedAt !== null) return;
  pressedAt = performance.now();
  $("button").classList.add("down");
  await fetch("/button/press", ACTION);
}

async function release() {
  if (pressedAt === null) return;
  pressedAt = null;
  $("button").classList.remove("down");
  const response = await fetch("/button/release", ACTION);
  const result = await response.json();
  $("held").textContent = result.message || result.error || "";
}

setInterval(() => {
  if (pressedAt !== null) $("held").textContent = "held " + ((performance.now() - pressedAt) / 1000).toFixed(1) + " s";
}, 100);

const button = $("button");
button.addEventListener("pointerdown", (e) => { button.setPointerCapture(e.pointerId); press(); });
button.addEventListener("pointerup", release);
button.addEventListener("pointercancel", release);
button.addEventListener("keydown", (e) => { if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); press(); } });
button.addEventListener("keyup", (e) => { if (e.key === " " || e.key === "Enter") { e.preventDefault(); release(); } });

$("scan").addEventListener("click", async () => {
  $("scan-result").textContent = "scanning…";
  const response = await fetch("/dev/scan", ACTION);
  const result = await response.json();
  $("scan-result").textContent = result.ok ? result.message : result.error;
});

connect();
