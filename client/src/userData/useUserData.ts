import { useEffect, useState } from 'react'
import type { Session } from '../auth/AuthContext'
import { UserDataClient, type UserDataSnapshot } from './UserDataClient'
import { EMPTY_USER_DATA } from './userDataState'

/** The signed-in user's live data, and the client to run mutations on; null while signed out. */
export function useUserData(session: Session | null): { snapshot: UserDataSnapshot; client: UserDataClient | null } {
	const [snapshot, setSnapshot] = useState<UserDataSnapshot>({ status: 'connecting', data: EMPTY_USER_DATA, error: null })
	const [client, setClient] = useState<UserDataClient | null>(null)
	const userId = session?.userId
	const getToken = session?.getToken
	useEffect(() => {
		if (!userId || !getToken) return
		const next = new UserDataClient(userId, getToken, setSnapshot)
		setClient(next)
		next.start()
		return () => {
			next.stop()
			setClient(null)
			setSnapshot({ status: 'connecting', data: EMPTY_USER_DATA, error: null })
		}
	}, [userId, getToken])
	return { snapshot, client }
}
