import { z } from 'zod'
import { isValidId, type RoomKey } from '../storage/keys'

/**
 * What the Worker tells a room about a connecting socket, in one header: the Worker has already
 * authenticated and authorised; the room only enforces its own limits.
 */
export const CONNECT_HEADER = 'x-sync-connect'

const RoomKeySchema = z
	.string()
	.refine((k): k is RoomKey => /^(room|file):/.test(k) && isValidId(k.slice(k.indexOf(':') + 1)), 'bad room key')

export const ConnectRequestSchema = z.strictObject({
	/** Absent when the room was reached by read-only slug: the room knows its own key. */
	roomKey: RoomKeySchema.optional(),
	sessionId: z.string().min(1).max(128),
	isReadonly: z.boolean(),
	userId: z.string().max(128).nullable(),
	/** File rooms: the caller owns the file (always admitted, see decideAdmission). */
	isOwner: z.boolean().optional(),
	/** File rooms: the row's `createSource`, read on a cold start with no stored state. */
	createSource: z.string().max(300).nullable().optional(),
	/** File rooms: the file's name, kept equal to the document's name. */
	fileName: z.string().max(1024).optional(),
})
export type ConnectRequest = z.infer<typeof ConnectRequestSchema>

export function encodeConnectRequest(req: ConnectRequest): string {
	return JSON.stringify(req)
}

export function decodeConnectRequest(header: string | null): ConnectRequest | null {
	if (!header) return null
	try {
		const parsed = ConnectRequestSchema.safeParse(JSON.parse(header))
		return parsed.success ? parsed.data : null
	} catch {
		return null
	}
}
