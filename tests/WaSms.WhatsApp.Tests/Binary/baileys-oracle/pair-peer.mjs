// Baileys 7.0.0-rc14 as a live peer for the emulator (docs/whatsapp.md §7): connects to the URL in
// argv[2], trusting the test root key (hex) in argv[3], prints "QR <string>" for each QR, follows the
// 515 restart, and prints "OPEN <me.id> <me.lid>" once the connection opens, then exits 0.
// Auth state lives in memory only. Driven by tests/WaSms.WhatsApp.Tests/Client/BaileysPeerTests.cs.
import makeWASocket, { DisconnectReason } from 'baileys'
import { WA_CERT_DETAILS } from 'baileys/lib/Defaults/index.js'
import pino from 'pino'
import { memoryAuth } from './memory-auth.mjs'

const [url, rootHex] = process.argv.slice(2)
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex')

const { creds, keys } = memoryAuth()

const timeout = setTimeout(() => { console.log('TIMEOUT'); process.exit(3) }, 60_000)

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
	sock.ev.on('connection.update', ({ connection, qr, lastDisconnect }) => {
		if (qr) console.log(`QR ${qr}`)
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
