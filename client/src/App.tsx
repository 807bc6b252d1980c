import { AuthProvider } from './auth/AuthProvider'
import { FilesPage } from './components/FilesPage'
import { PublishedPage } from './components/PublishedPage'
import { ReadonlyRoomPage, RoomPage } from './components/RoomPage'
import { SignInPanel, StartPage } from './components/StartPage'
import { navigate, useRoute } from './navigation'
import { paths } from './routes'

export function App() {
	return (
		<AuthProvider>
			<Page />
		</AuthProvider>
	)
}

function Page() {
	const route = useRoute()
	switch (route.page) {
		case 'start':
			return <StartPage />
		case 'room':
			return <RoomPage key={route.roomId} roomId={route.roomId} />
		case 'readonly':
			return <ReadonlyRoomPage key={route.slug} slug={route.slug} />
		case 'files':
			return <FilesPage fileId={null} />
		case 'file':
			return <FilesPage fileId={route.fileId} />
		case 'published':
			return <PublishedPage key={route.slug} slug={route.slug} />
		case 'sign-in':
			return <SignInPanel />
		case 'not-found':
			return (
				<div className="page start-page">
					<h1>Not found</h1>
					<p>
						There is no page at <code>{route.path}</code>. <a href="/" onClick={(e) => (e.preventDefault(), navigate(paths.start()))}>Start page</a>
					</p>
				</div>
			)
	}
}
