import type { SerializedSchema } from '@tldraw/store'

export type ClientSchemaVerdict = { kind: 'accept' } | { kind: 'server-too-old'; detail: string }

/**
 * A client that knows a record type, shape, binding or migration this server does not is refused with
 * SERVER_TOO_OLD at connect. tldraw alone refuses only a *newer version* of a sequence both sides know; a
 * sequence the server has never heard of (a custom shape deployed to the client first) is ignored at
 * connect, and the session then dies with INVALID_RECORD on its first such shape. Telling the client at
 * once names the fix: deploy the server first. Anything else (no schema, legacy v1 schemas, older
 * versions) is left to TLSyncRoom, which migrates or answers CLIENT_TOO_OLD.
 */
export function decideClientSchema(clientSchema: unknown, server: SerializedSchema): ClientSchemaVerdict {
	if (server.schemaVersion !== 2 || !isSchemaV2(clientSchema)) return { kind: 'accept' }
	for (const [sequenceId, version] of Object.entries(clientSchema.sequences)) {
		const ours = server.sequences[sequenceId]
		if (ours === undefined) return { kind: 'server-too-old', detail: `client knows ${sequenceId}, which this server's schema lacks` }
		if (typeof version === 'number' && version > ours) {
			return { kind: 'server-too-old', detail: `client has ${sequenceId} version ${version}, this server ${ours}` }
		}
	}
	return { kind: 'accept' }
}

/** A shape or binding type, as `shape/card` or `binding/pin`: what a client's schema may lack. */
export type RecordKind = string

const KIND_SEQUENCE = /^com\.tldraw\.(shape|binding)\.(.+)$/

/**
 * The shape and binding types the server has and the client's schema does not know at all (a stock
 * tldraw client has no card and no pin). tldraw serves such a client records of those types anyway (no
 * sequence of its own to migrate them down to) and the client's store then fails on the first one, so the
 * room refuses it (CLIENT_TOO_OLD) while the room holds such a record, and closes it when one arrives
 * (SchemaGaps). An older *version* of a known type is not lacking: tldraw migrates it down. Empty for a
 * client with every type, and for schemas tldraw judges alone (none, legacy v1).
 */
export function lackingRecordKinds(clientSchema: unknown, server: SerializedSchema): RecordKind[] {
	if (server.schemaVersion !== 2 || !isSchemaV2(clientSchema)) return []
	const lacking: RecordKind[] = []
	for (const sequenceId of Object.keys(server.sequences)) {
		if (Object.hasOwn(clientSchema.sequences, sequenceId)) continue
		const match = KIND_SEQUENCE.exec(sequenceId)
		if (match) lacking.push(`${match[1]}/${match[2]}`)
	}
	return lacking
}

function isSchemaV2(value: unknown): value is { schemaVersion: 2; sequences: Record<string, unknown> } {
	if (typeof value !== 'object' || value === null) return false
	const { schemaVersion, sequences } = value as { schemaVersion?: unknown; sequences?: unknown }
	return schemaVersion === 2 && typeof sequences === 'object' && sequences !== null && !Array.isArray(sequences)
}
