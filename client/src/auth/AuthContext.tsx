import { createContext, useContext, type ComponentType } from 'react'

/** Who is signed in, however they signed in (Clerk, or the local dev sign-in). */
export type Session = {
	userId: string
	name: string
	/** A current session token for the Worker (Bearer header, or `accessToken` on sockets). */
	getToken: () => Promise<string | null>
}

export type AuthState = { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; session: Session }

export type Auth = {
	/** `none`: neither Clerk nor the dev sign-in is configured; only anonymous rooms and shared links work. */
	provider: 'clerk' | 'dev' | 'none'
	state: AuthState
	signOut: () => void
	/** The sign-in form of this provider. */
	SignIn: ComponentType
	/** An account menu for the signed-in user, when the provider has one (Clerk's UserButton). */
	UserMenu?: ComponentType
}

export const AuthContext = createContext<Auth | null>(null)

export function useAuth(): Auth {
	const auth = useContext(AuthContext)
	if (!auth) throw new Error('useAuth outside AuthProvider')
	return auth
}

export function useSession(): Session | null {
	const { state } = useAuth()
	return state.status === 'signed-in' ? state.session : null
}
