// In-memory Baileys auth state (credentials + Signal key store) shared by the live-peer scripts
// (pair-peer.mjs, bench-peer.mjs, ../../Pairing/pair-code-peer.mjs): nothing touches the disk.
import { initAuthCreds } from 'baileys'

export function memoryAuth() {
	const creds = initAuthCreds()
	const store = new Map()
	const keys = {
		get: async (type, ids) => Object.fromEntries(ids.map(id => [id, store.get(`${type}:${id}`)]).filter(([, v]) => v !== undefined)),
		set: async data => {
			for (const [type, entries] of Object.entries(data)) {
				for (const [id, value] of Object.entries(entries)) {
					if (value) store.set(`${type}:${id}`, value)
					else store.delete(`${type}:${id}`)
				}
			}
		}
	}
	return { creds, keys }
}
