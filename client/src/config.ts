/** Build-time settings (Vite `VITE_*` variables) and where the Worker is: always this page's origin. */
export const clerkPublishableKey: string | undefined = import.meta.env.VITE_CLERK_PUBLISHABLE_KEY || undefined
/** tldraw's licence key for production deployments; without one tldraw shows its licence badge. */
export const tldrawLicenseKey: string | undefined = import.meta.env.VITE_TLDRAW_LICENSE_KEY || undefined

export function socketUrl(path: string): string {
	const url = new URL(path, location.origin)
	url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
	return url.toString()
}
