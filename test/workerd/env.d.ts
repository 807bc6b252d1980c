// Types `env` from cloudflare:test as the worker's own Env.
declare namespace Cloudflare {
	interface Env {
		ROOM: import('../../src/env').Env['ROOM']
		ROOMS: R2Bucket
		ROOM_HISTORY: R2Bucket
	}
}
