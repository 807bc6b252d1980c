import { DevSignInBodySchema, decideDevSignIn, signInDevUser } from '../auth/devSignIn'
import { getConfig } from '../config'
import type { Env } from '../env'
import { parseJsonBody } from '../files/schemas'
import { ApiError, ErrorCode } from '../http/errors'
import type { Req } from './request'

const MAX_DEV_SIGN_IN_BODY_BYTES = 4 * 1024

/**
 * GET /app/dev/sign-in → `{ enabled: true }`; POST `{ name }` → `{ token, userId, name, expiresAt }`.
 * 404 like any unknown route unless .dev.vars enables it; 403 on any host but localhost.
 */
export async function devSignIn(req: Req, env: Env): Promise<Response> {
	const decision = decideDevSignIn(getConfig(env), req.url, req.headers.get('Origin'))
	switch (decision.kind) {
		case 'absent':
			throw new ApiError(404, ErrorCode.NOT_FOUND, 'no such route')
		case 'refused':
			throw new ApiError(403, ErrorCode.FORBIDDEN, decision.reason)
		case 'allow':
			break
	}
	if (req.method === 'GET') return Response.json({ enabled: true })
	if (req.method !== 'POST') throw new ApiError(405, ErrorCode.METHOD_NOT_ALLOWED, 'use GET or POST')
	const body = await parseJsonBody(req, DevSignInBodySchema, MAX_DEV_SIGN_IN_BODY_BYTES)
	// The token's authorized party is the page that asked (the app's origin), as Clerk's would be.
	const azp = req.headers.get('Origin') ?? new URL(req.url).origin
	return Response.json(await signInDevUser(decision, body.name, azp))
}
