import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/**
 * The web app. `vite build` writes client/dist, which the Worker serves as static assets (wrangler.toml
 * [assets]); `npm run dev:client` serves it with hot reload and proxies API and socket routes to the
 * worker that ./dev.sh runs (WORKER_URL, default http://localhost:8787).
 */
const WORKER_URL = process.env.WORKER_URL ?? `http://localhost:${process.env.PORT ?? 8787}`
/** Routes that belong to the Worker; everything else is the app. Page navigations stay with Vite. */
const WORKER_PREFIXES = ['/r/', '/ro/', '/app/', '/api/', '/health', '/unfurl', '/snapshots', '/snapshot/']

export default defineConfig({
	root: import.meta.dirname,
	plugins: [react()],
	build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096 },
	// The dev server's pre-bundler can't follow @tldraw/assets' `?url` imports; serve that package as is.
	optimizeDeps: { exclude: ['@tldraw/assets'] },
	server: {
		proxy: Object.fromEntries(
			WORKER_PREFIXES.map((prefix) => [
				prefix,
				{
					target: WORKER_URL,
					ws: true,
					changeOrigin: false,
					// A browser opening /r/<id> or /ro/<slug> wants the app (Vite's index.html), not the socket.
					bypass: (req: { headers: Record<string, string | string[] | undefined> }) =>
						String(req.headers.accept ?? '').includes('text/html') && !req.headers.upgrade ? '/index.html' : undefined,
				},
			]),
		),
	},
})
