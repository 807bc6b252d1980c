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

function isSchemaV2(value: unknown): value is { schemaVersion: 2; sequences: Record<string, unknown> } {
	if (typeof value !== 'object' || value === null) return false
	const { schemaVersion, sequences } = value as { schemaVersion?: unknown; sequences?: unknown }
	return schemaVersion === 2 && typeof sequences === 'object' && sequences !== null && !Array.isArray(sequences)
}
