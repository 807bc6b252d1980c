/** The part of a hibernatable WebSocket the room's socket code uses (attachment, state, close), tagged by sessionId. */
export class FakeRoomSocket {
	readyState: number = WebSocket.OPEN
	closed: { code: number; reason: string } | null = null
	constructor(
		readonly tag: string,
		private attachment: unknown,
	) {}
	serializeAttachment(value: unknown) {
		this.attachment = value
	}
	deserializeAttachment() {
		return this.attachment
	}
	close(code: number, reason: string) {
		if (this.readyState !== WebSocket.OPEN) throw new Error('already closed')
		this.closed = { code, reason }
		this.readyState = WebSocket.CLOSING
	}
}
