import { roomKeyForAnonymousRoom, roomKeyForFile, type RoomKey } from '../storage/keys'

/**
 * Which room, and what it starts from when it has no stored state: the only room identity the Worker
 * sends a room over RPC. A room records its key from the first address it is given.
 */
export interface RoomAddress {
	roomKey: RoomKey
	/** A file's `createSource` (an uploaded document, a duplicated file), read on a cold start; null otherwise. */
	createSource: string | null
}

export function anonymousRoomAddress(roomId: string): RoomAddress {
	return { roomKey: roomKeyForAnonymousRoom(roomId), createSource: null }
}

export function fileRoomAddress(file: { id: string; createSource?: string | null }): RoomAddress {
	return { roomKey: roomKeyForFile(file.id), createSource: file.createSource ?? null }
}
