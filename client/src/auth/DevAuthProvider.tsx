import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { ApiRequestError, apiJson, describeError } from '../api'
import { AuthContext, type Auth, type AuthState } from './AuthContext'

/**
 * Local development's stand-in for Clerk: pick a user name, and the Worker's dev sign-in route (enabled
 * only by ./dev.sh's .dev.vars, only on localhost) returns a token signed with the dev key.
 */
type DevSession = { token: string; userId: string; name: string; expiresAt: string }
const STORAGE_KEY = 'sync-worker.dev-session'
/** Sign in again this long before the token expires. */
const RENEW_BEFORE_MS = 5 * 60 * 1000

function loadStored(): DevSession | null {
	try {
		const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as DevSession | null
		return value && typeof value.token === 'string' && typeof value.userId === 'string' ? value : null
	} catch {
		return null
	}
}

function signInRequest(name: string) {
	return apiJson<DevSession>('/app/dev/sign-in', { method: 'POST', json: { name } })
}

export function DevAuthProvider({ children }: { children: ReactNode }) {
	const [enabled, setEnabled] = useState<boolean | null>(null)
	const [session, setSession] = useState<DevSession | null>(loadStored)
	const sessionRef = useRef(session)
	sessionRef.current = session

	useEffect(() => {
		apiJson<{ enabled: boolean }>('/app/dev/sign-in')
			.then((r) => setEnabled(r.enabled))
			.catch(() => setEnabled(false))
	}, [])

	const signIn = useCallback(async (name: string) => {
		const next = await signInRequest(name)
		localStorage.setItem(STORAGE_KEY, JSON.stringify(next))
		setSession(next)
	}, [])

	const signOut = useCallback(() => {
		localStorage.removeItem(STORAGE_KEY)
		setSession(null)
	}, [])

	// Stable for the whole session, so sockets built from it don't reconnect on every render.
	const getToken = useCallback(async () => {
		const current = sessionRef.current
		if (!current) return null
		if (Date.parse(current.expiresAt) - Date.now() > RENEW_BEFORE_MS) return current.token
		const renewed = await signInRequest(current.name)
		localStorage.setItem(STORAGE_KEY, JSON.stringify(renewed))
		sessionRef.current = renewed
		setSession(renewed)
		return renewed.token
	}, [])

	const userId = session?.userId
	const name = session?.name
	const auth = useMemo<Auth>(() => {
		let state: AuthState
		if (enabled === null) state = { status: 'loading' }
		else if (!enabled || !userId || !name) state = { status: 'signed-out' }
		else state = { status: 'signed-in', session: { userId, name, getToken } }
		return { provider: enabled === false ? 'none' : 'dev', state, signOut, SignIn: () => <DevSignInForm signIn={signIn} /> }
	}, [enabled, userId, name, getToken, signOut, signIn])
	return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>
}

function DevSignInForm({ signIn }: { signIn: (name: string) => Promise<void> }) {
	const [name, setName] = useState('')
	const [error, setError] = useState<string | null>(null)
	return (
		<form
			className="sign-in-form"
			onSubmit={(e) => {
				e.preventDefault()
				setError(null)
				signIn(name).catch((err) => setError(err instanceof ApiRequestError && err.status === 404 ? 'Dev sign-in is off on this server.' : describeError(err)))
			}}
		>
			<p>
				Local development sign-in: pick any user name. The same name is the same user (files, sharing). With Clerk configured
				(<code>VITE_CLERK_PUBLISHABLE_KEY</code>) this is Clerk’s sign-in instead.
			</p>
			<input autoFocus placeholder="User name, e.g. alice" value={name} onChange={(e) => setName(e.target.value)} data-testid="dev-sign-in-name" />
			<button type="submit" disabled={!name.trim()} data-testid="dev-sign-in-submit">
				Sign in
			</button>
			{error && <p className="error">{error}</p>}
		</form>
	)
}
