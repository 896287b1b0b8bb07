// Baileys 7.0.0-rc14 as the peer in scripts/bench-whatsapp: like pair-peer.mjs (URL in argv[2], test
// root key hex in argv[3], "QR <string>" per QR, follows the 515 restart), but prints "OPEN" once
// linked and then stays connected and idle until killed, so its memory can be measured.
import makeWASocket, { DisconnectReason } from 'baileys'
import { WA_CERT_DETAILS } from 'baileys/lib/Defaults/index.js'
import pino from 'pino'
import { memoryAuth } from './memory-auth.mjs'

const [url, rootHex] = process.argv.slice(2)
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex')

const { creds, keys } = memoryAuth()

const start = () => {
	const sock = makeWASocket({
		waWebSocketUrl: url,
		auth: { creds, keys },
		logger: pino({ level: 'silent' }),
		browser: ['Ubuntu', 'Chrome', '22.04'],
		markOnlineOnConnect: false,
		syncFullHistory: false
	})
	sock.ev.on('creds.update', update => Object.assign(creds, update))
	sock.ev.on('connection.update', ({ connection, qr, lastDisconnect }) => {
		if (qr) console.log(`QR ${qr}`)
		if (connection === 'open') console.log('OPEN')
		if (connection === 'close') {
			const code = lastDisconnect?.error?.output?.statusCode
			if (code === DisconnectReason.restartRequired) start()
			else { console.log(`CLOSE ${code}`); process.exit(2) }
		}
	})
}
start()
