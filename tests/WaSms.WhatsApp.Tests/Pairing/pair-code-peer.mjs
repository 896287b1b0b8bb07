// Baileys 7.0.0-rc14 as a live peer pairing by phone-number code with the emulator (docs/whatsapp.md §9):
// connects to the URL in argv[2], trusting the test root key (hex) in argv[3]; on its first QR it calls
// requestPairingCode(argv[4]) and prints "CODE <code>"; it follows the 515 restart and prints
// "OPEN <me.id> <me.lid>" once the connection opens, then exits 0. Auth state lives in memory only.
// Uses the Baileys installed by ../Binary/baileys-oracle/install.sh. Driven by PairingCodeOracleTests.cs.
const modules = new URL('../Binary/baileys-oracle/node_modules/', import.meta.url)
const baileys = await import(new URL('baileys/lib/index.js', modules).href)
const { WA_CERT_DETAILS } = await import(new URL('baileys/lib/Defaults/index.js', modules).href)
const pino = (await import(new URL('pino/pino.js', modules).href)).default
const { memoryAuth } = await import(new URL('../Binary/baileys-oracle/memory-auth.mjs', import.meta.url).href)
const makeWASocket = baileys.default
const { DisconnectReason } = baileys

const [url, rootHex, phone] = process.argv.slice(2)
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex')

const { creds, keys } = memoryAuth()

const timeout = setTimeout(() => { console.log('TIMEOUT'); process.exit(3) }, 60_000)
let requested = false

const start = () => {
	const sock = makeWASocket({
		waWebSocketUrl: url,
		auth: { creds, keys },
		logger: pino({ level: process.env.BAILEYS_LOG || 'silent' }),
		browser: ['Ubuntu', 'Chrome', '22.04'],
		markOnlineOnConnect: false,
		syncFullHistory: false
	})
	sock.ev.on('creds.update', update => Object.assign(creds, update))
	sock.ev.on('connection.update', async ({ connection, qr, lastDisconnect }) => {
		if (qr && !requested) {
			requested = true
			const code = await sock.requestPairingCode(phone)
			console.log(`CODE ${code}`)
		}
		if (connection === 'open') {
			console.log(`OPEN ${creds.me?.id} ${creds.me?.lid}`)
			clearTimeout(timeout)
			sock.end(undefined)
			setTimeout(() => process.exit(0), 100)
		}
		if (connection === 'close') {
			const code = lastDisconnect?.error?.output?.statusCode
			console.log(`CLOSE ${code}`)
			if (code === DisconnectReason.restartRequired) start()
			else process.exit(2)
		}
	})
}
start()
