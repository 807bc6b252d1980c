import { useEffect } from 'react'
import { useAuth } from '../auth/AuthContext'
import { navigate, randomId } from '../navigation'
import { paths } from '../routes'

/** The start page: a new anonymous room in one click, or your files. */
export function StartPage() {
	const auth = useAuth()
	return (
		<div className="page start-page">
			<h1>sync-worker</h1>
			<p>Multiplayer tldraw canvases on Cloudflare Workers and Durable Objects.</p>
			<section>
				<h2>Draw together, no account</h2>
				<p>A new room is a link: anyone who opens it edits with you. Share a read-only link from inside the room.</p>
				<button className="primary" data-testid="new-room" onClick={() => navigate(paths.room(randomId()))}>
					New room
				</button>
			</section>
			<section>
				<h2>Your files</h2>
				{auth.state.status === 'signed-in' ? (
					<button data-testid="open-files" onClick={() => navigate(paths.files())}>
						Open your files ({auth.state.session.name})
					</button>
				) : auth.provider === 'none' ? (
					<p className="muted">Sign-in is not configured on this server (set VITE_CLERK_PUBLISHABLE_KEY, or run ./dev.sh for the dev sign-in).</p>
				) : (
					<auth.SignIn />
				)}
			</section>
		</div>
	)
}

/** /sign-in, and /files while signed out: the provider's sign-in, then on to the files. */
export function SignInPanel() {
	const auth = useAuth()
	const signedIn = auth.state.status === 'signed-in'
	useEffect(() => {
		if (signedIn && location.pathname === paths.signIn()) navigate(paths.files(), { replace: true })
	}, [signedIn])
	if (auth.state.status === 'loading') return <p className="note">Loading…</p>
	return (
		<div className="page start-page">
			<h1>Sign in</h1>
			{auth.provider === 'none' ? <p>Sign-in is not configured on this server.</p> : <auth.SignIn />}
		</div>
	)
}
