import { useEffect, useState } from 'react'
import { parseRoute, type Route } from './routes'

/** An absolute link to a page of this app, for sharing. */
export function absoluteUrl(path: string): string {
	return new URL(path, location.origin).toString()
}

const NAVIGATE_EVENT = 'sync-worker:navigate'

export function navigate(path: string, opts: { replace?: boolean } = {}) {
	if (opts.replace) history.replaceState(null, '', path)
	else history.pushState(null, '', path)
	window.dispatchEvent(new Event(NAVIGATE_EVENT))
}

export function useRoute(): Route {
	const [route, setRoute] = useState(() => parseRoute(location.pathname))
	useEffect(() => {
		const update = () => setRoute(parseRoute(location.pathname))
		window.addEventListener('popstate', update)
		window.addEventListener(NAVIGATE_EVENT, update)
		return () => {
			window.removeEventListener('popstate', update)
			window.removeEventListener(NAVIGATE_EVENT, update)
		}
	}, [])
	return route
}

/** A random room or object id (URL-safe, 16 characters). */
export function randomId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12))
	return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_')
}
