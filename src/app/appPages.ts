/**
 * The web app (client/) is static files served by Workers static assets. Its pages live at paths the
 * assets layer has no file for (`/f/<fileId>`) or that the Worker owns (`/r/<roomId>` is also the room's
 * socket), so the Worker answers a browser's page load on those paths with the app's index.html, and
 * everything else (sockets, API calls, curl) as before.
 */
const ID = '[A-Za-z0-9_-]{1,128}'
/** Keep in sync with client/src/routes.ts. */
const APP_PAGE_RE = new RegExp(`^/(?:files|sign-in|(?:r|ro|f|p)/${ID})/?$`)

export function isAppPageRequest(request: { method: string; url: string; headers: Headers }): boolean {
	if (request.method !== 'GET' && request.method !== 'HEAD') return false
	if (request.headers.get('Upgrade')?.toLowerCase() === 'websocket') return false
	// Browsers send text/html first when they navigate; fetch(), curl and sockets do not.
	if (!(request.headers.get('Accept') ?? '').includes('text/html')) return false
	return APP_PAGE_RE.test(new URL(request.url).pathname)
}

/** index.html from the assets binding; a 404 JSON explains when the app was not built into this deployment. */
export async function serveAppPage(request: Request, assets: Fetcher | undefined): Promise<Response> {
	const notBuilt = Response.json({ error: 'the web app is not part of this deployment (run scripts/build-client.sh)', code: 'NOT_FOUND' }, { status: 404 })
	if (!assets) return notBuilt
	const res = await assets.fetch(new Request(new URL('/', request.url), { method: request.method, headers: request.headers }))
	return res.ok || res.status === 304 ? res : notBuilt
}
