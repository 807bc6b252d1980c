/// <reference types="vite/client" />

interface ImportMetaEnv {
	readonly VITE_CLERK_PUBLISHABLE_KEY?: string
	readonly VITE_TLDRAW_LICENSE_KEY?: string
}
