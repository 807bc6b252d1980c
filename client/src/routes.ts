/**
 * The app's pages. The Worker serves index.html for the same paths (src/app/appPages.ts keeps the list);
 * `/r/<roomId>` and `/ro/<slug>` are also the rooms' socket URLs, so a shared link opens the app.
 */
export type Route =
	| { page: 'start' }
	| { page: 'room'; roomId: string }
	| { page: 'readonly'; slug: string }
	| { page: 'files' }
	| { page: 'file'; fileId: string }
	| { page: 'published'; slug: string }
	| { page: 'sign-in' }
	| { page: 'not-found'; path: string }

const ID = '([A-Za-z0-9_-]{1,128})'
const PATTERNS: Array<[RegExp, (id: string) => Route]> = [
	[new RegExp(`^/r/${ID}/?$`), (roomId) => ({ page: 'room', roomId })],
	[new RegExp(`^/ro/${ID}/?$`), (slug) => ({ page: 'readonly', slug })],
	[new RegExp(`^/f/${ID}/?$`), (fileId) => ({ page: 'file', fileId })],
	[new RegExp(`^/p/${ID}/?$`), (slug) => ({ page: 'published', slug })],
]

export function parseRoute(pathname: string): Route {
	if (pathname === '/' || pathname === '') return { page: 'start' }
	if (/^\/files\/?$/.test(pathname)) return { page: 'files' }
	if (/^\/sign-in\/?$/.test(pathname)) return { page: 'sign-in' }
	for (const [re, make] of PATTERNS) {
		const match = re.exec(pathname)
		if (match?.[1]) return make(match[1])
	}
	return { page: 'not-found', path: pathname }
}

export const paths = {
	start: () => '/',
	room: (roomId: string) => `/r/${roomId}`,
	readonly: (slug: string) => `/ro/${slug}`,
	files: () => '/files',
	file: (fileId: string) => `/f/${fileId}`,
	published: (slug: string) => `/p/${slug}`,
	signIn: () => '/sign-in',
}
