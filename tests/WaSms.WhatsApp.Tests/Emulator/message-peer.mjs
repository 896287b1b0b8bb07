// Baileys 7.0.0-rc14 as a live messaging peer on the emulator: links by QR as a companion of the
// number whose emulated phone scans it (argv[2] = emulator URL, argv[3] = test root key hex), then
// takes commands on stdin, one per line:
//   SEND <jid> <text>   send a text (1:1 or group JID); prints "SENT <id>"
//   READ <id>           send the read receipt of a received message (what sock.readMessages sends
//                       when the read-receipts privacy setting is "all"); prints "READ <id>"
//   OFFLINE             close the connection (prints "OFFLINE"); the auth state stays
//   ONLINE              log in again with it (prints "REOPEN" once open)
//   QUIT                close and exit 0
// and prints what it sees: "QR <qr>", "OPEN <me.id> <me.lid>", "MSG <chat> <sender> <id> <text>"
// for every text received, "STATUS <id> <status>" for status updates of its own messages (from
// messages.update, or folded into its own upsert by the event buffer), and
// "ENC <id> <type,...>" for the <enc> types (pkmsg, msg, skmsg) of every message stanza that arrives,
// "ENCOUT <id> <type,...>" for the <enc> types of every message stanza it sends,
// "RECEIPT <id> <from> <participant|-> <type|delivery>" for every receipt stanza that arrives.
// Driven by Emulator/BaileysMessagingPeerTests.cs. Auth state is in memory only.
import readline from 'node:readline'

const modules = new URL('../Binary/baileys-oracle/node_modules/', import.meta.url)
const baileys = await import(new URL('baileys/lib/index.js', modules).href)
const { WA_CERT_DETAILS } = await import(new URL('baileys/lib/Defaults/index.js', modules).href)
const pino = (await import(new URL('pino/pino.js', modules).href)).default
const { memoryAuth } = await import(new URL('../Binary/baileys-oracle/memory-auth.mjs', import.meta.url).href)

const makeWASocket = baileys.default?.default ?? baileys.default ?? baileys.makeWASocket
const [url, rootHex] = process.argv.slice(2)
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex')
const { creds, keys } = memoryAuth()
const timeout = setTimeout(() => { console.log('TIMEOUT'); process.exit(3) }, 90_000)
let sock
let away = false
let reopened = false
const received = new Map()

// Trace level so Baileys hands us every stanza it sends ("xml send"); only BAILEYS_LOG's level is written (stderr).
const shown = pino.levels.values[process.env.BAILEYS_LOG] ?? Infinity
const logger = pino({
	level: 'trace',
	hooks: {
		logMethod(args, method, level) {
			const xml = args[0]?.msg === 'xml send' ? args[0].xml : null
			if (typeof xml === 'string' && xml.startsWith('<message ')) {
				console.log(`ENCOUT ${/ id='([^']+)'/.exec(xml)?.[1]} ${[...xml.matchAll(/<enc [^>]*type='(\w+)'/g)].map(m => m[1]).join(',')}`)
			}
			if (level >= shown) method.apply(this, args)
		}
	}
}, pino.destination(2))
const text = m => m?.conversation ?? m?.extendedTextMessage?.text ?? null

const start = () => {
	sock = makeWASocket({
		waWebSocketUrl: url,
		auth: { creds, keys },
		logger,
		browser: ['Ubuntu', 'Chrome', '22.04'],
		markOnlineOnConnect: true,
		syncFullHistory: false,
		// No history wanted: Baileys then goes online at the offline marker instead of buffering events for 20 s.
		shouldSyncHistoryMessage: () => false
	})
	sock.ws.on('CB:message', node => {
		const types = (Array.isArray(node.content) ? node.content : []).filter(c => c.tag === 'enc').map(c => c.attrs.type)
		console.log(`ENC ${node.attrs.id} ${types.join(',')}`)
	})
	sock.ws.on('CB:receipt', node => {
		const { id, from, participant, type } = node.attrs
		console.log(`RECEIPT ${id} ${from} ${participant || '-'} ${type || 'delivery'}`)
	})
	sock.ev.on('creds.update', update => Object.assign(creds, update))
	sock.ev.on('connection.update', ({ connection, qr, lastDisconnect }) => {
		if (qr) console.log(`QR ${qr}`)
		if (connection === 'open') console.log(reopened ? 'REOPEN' : `OPEN ${creds.me?.id} ${creds.me?.lid}`)
		if (connection === 'close') {
			const code = lastDisconnect?.error?.output?.statusCode
			console.log(`CLOSE ${code}`)
			if (away) console.log('OFFLINE')
			else if (code === baileys.DisconnectReason.restartRequired) start()
			else process.exit(2)
		}
	})
	sock.ev.on('messages.upsert', ({ messages }) => {
		for (const m of messages) {
			// Baileys' event buffer folds a status update that arrives while its own sent message's
			// upsert is still buffered into that upsert (Utils/event-buffer.js, 'messages.update'):
			// then no messages.update is emitted, and the status is only here.
			if (m.key.fromMe && m.status !== undefined && m.status !== null) console.log(`STATUS ${m.key.id} ${m.status}`)
			const body = text(m.message)
			if (body !== null && !m.key.fromMe) {
				received.set(m.key.id, m.key)
				console.log(`MSG ${m.key.remoteJid} ${m.key.participant || m.key.remoteJid} ${m.key.id} ${body}`)
			}
		}
	})
	sock.ev.on('messages.update', updates => {
		for (const { key, update } of updates) {
			if (update.status !== undefined) console.log(`STATUS ${key.id} ${update.status}`)
		}
	})
}

readline.createInterface({ input: process.stdin }).on('line', async line => {
	const [command, jid, ...rest] = line.split(' ')
	try {
		if (command === 'SEND') {
			const sent = await sock.sendMessage(jid, { text: rest.join(' ') })
			console.log(`SENT ${sent.key.id}`)
		} else if (command === 'READ') {
			await sock.sendReceipts([received.get(jid)], 'read')
			console.log(`READ ${jid}`)
		} else if (command === 'OFFLINE') {
			away = true
			sock.end(undefined)
		} else if (command === 'ONLINE') {
			away = false
			reopened = true
			start()
		} else if (command === 'QUIT') {
			clearTimeout(timeout)
			sock.end(undefined)
			setTimeout(() => process.exit(0), 100)
		}
	} catch (error) {
		console.log(`ERROR ${error?.message ?? error}`)
	}
})
start()
