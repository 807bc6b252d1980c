import { lazy, Suspense, type ReactNode } from 'react'
import { clerkPublishableKey } from '../config'
import { DevAuthProvider } from './DevAuthProvider'

const ClerkAuthProvider = lazy(() => import('./ClerkAuthProvider'))

/** Clerk when the build has a publishable key, otherwise the dev sign-in (which the server may also have off). */
export function AuthProvider({ children }: { children: ReactNode }) {
	if (!clerkPublishableKey) return <DevAuthProvider>{children}</DevAuthProvider>
	return (
		<Suspense fallback={<p className="note">Loading sign-in…</p>}>
			<ClerkAuthProvider publishableKey={clerkPublishableKey}>{children}</ClerkAuthProvider>
		</Suspense>
	)
}
