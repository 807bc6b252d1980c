import { ClerkProvider, SignIn, UserButton, useAuth as useClerkAuth, useClerk, useUser } from '@clerk/react'
import { useCallback, useMemo, useRef, type ReactNode } from 'react'
import { AuthContext, type Auth, type AuthState } from './AuthContext'

/**
 * Clerk's React components when VITE_CLERK_PUBLISHABLE_KEY is set. Loaded as its own chunk only then, so
 * the dev and test builds never load Clerk (which talks to Clerk's servers).
 */
export default function ClerkAuthProvider({ publishableKey, children }: { publishableKey: string; children: ReactNode }) {
	return (
		<ClerkProvider publishableKey={publishableKey}>
			<ClerkBridge>{children}</ClerkBridge>
		</ClerkProvider>
	)
}

function ClerkBridge({ children }: { children: ReactNode }) {
	const { isLoaded, isSignedIn, userId, getToken } = useClerkAuth()
	const { user } = useUser()
	const clerk = useClerk()
	const getTokenRef = useRef(getToken)
	getTokenRef.current = getToken
	const stableGetToken = useCallback(() => getTokenRef.current(), [])
	const name = user?.fullName || user?.username || user?.primaryEmailAddress?.emailAddress || userId || ''
	const auth = useMemo<Auth>(() => {
		let state: AuthState
		if (!isLoaded) state = { status: 'loading' }
		else if (!isSignedIn || !userId) state = { status: 'signed-out' }
		else state = { status: 'signed-in', session: { userId, name, getToken: stableGetToken } }
		return {
			provider: 'clerk',
			state,
			signOut: () => void clerk.signOut(),
			SignIn: () => <SignIn routing="hash" />,
			UserMenu: () => <UserButton />,
		}
	}, [isLoaded, isSignedIn, userId, name, stableGetToken, clerk])
	return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>
}
