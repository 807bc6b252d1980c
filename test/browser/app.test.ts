/**
 * The web app as a person uses it: real Chromium (Debian's, via playwright-core) against the real worker
 * (`wrangler dev`, restartable) and the test run's Postgres. One worker and one browser for the whole file;
 * each test makes its own rooms, files and users. Failures leave screenshots in test-results/browser/.
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { uniq } from '../helpers/api'
import { requireDatabaseUrl } from '../helpers/auth'
import { waitFor } from '../helpers/waitFor'
import { dropSlot, freePort, ROOT, startWranglerDev, tempDir, type DevServer } from '../helpers/worker'
import { drag, dragMouse, drawRectangle, launchChromium, PageSet, shapes, waitForEditor, waitForShapes } from './browser'

const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })
const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n')
const slot = `sw_browser_${uniq()}`
const state = tempDir('browser')
let port: number
let dev: DevServer
let browser: Browser
const contexts: BrowserContext[] = []
const pages = new PageSet()

function startWorker() {
	return startWranglerDev({
		persistTo: state.dir,
		port,
		vars: {
			DATABASE_URL: requireDatabaseUrl(),
			REPLICATION_SLOT: slot,
			CLERK_JWT_KEY: oneLine(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
			DEV_SIGN_IN: 'true',
			DEV_SIGN_IN_KEY: oneLine(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
			// Versions every half second, so the history test has some to restore.
			PERSIST_INTERVAL_MS: '500',
		},
	})
}

beforeAll(async () => {
	port = await freePort()
	;[dev, browser] = await Promise.all([startWorker(), launchChromium()])
})

afterAll(async () => {
	await browser?.close()
	await dev?.kill()
	await dropSlot(requireDatabaseUrl(), slot)
	state.remove()
})

afterEach(async ({ task }) => {
	if (task.result?.state === 'fail') await pages.screenshotAll(task.name)
	await pages.closeAll()
	for (const c of contexts.splice(0)) await c.close()
})

async function newContext() {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dev.url })
	contexts.push(context)
	return context
}

async function openCanvas(context: BrowserContext, name: string, path: string): Promise<Page> {
	const page = await pages.open(context, name, `${dev.url}${path}`)
	await waitForEditor(page)
	return page
}

/** Signs in through the app's dev sign-in form; the context keeps the session for its other pages. */
async function signIn(context: BrowserContext, name: string): Promise<Page> {
	const page = await pages.open(context, name, `${dev.url}/sign-in`)
	await page.getByTestId('dev-sign-in-name').fill(name)
	await page.getByTestId('dev-sign-in-submit').click()
	await page.waitForURL('**/files')
	await expect.poll(() => page.getByTestId('signed-in-as').textContent(), { timeout: 30_000 }).toBe(name)
	return page
}

/** Waits until the server holds what `check` (run on the shapes) expects: a fresh tab loads the file from the server. */
async function waitForServerCopy(context: BrowserContext, fileId: string, check: string) {
	const probe = await openCanvas(context, 'server-copy', `/f/${fileId}`)
	await waitForShapes(probe, check, null)
	await probe.close()
}

async function newFile(page: Page): Promise<string> {
	await page.getByTestId('new-file').click()
	await page.waitForURL(/\/f\/[\w-]+$/)
	await waitForEditor(page)
	return new URL(page.url()).pathname.split('/').pop()!
}

const roomPath = () => `/r/browser-${uniq()}`

describe('anonymous rooms', () => {
	it('two pages on one room see each other’s shapes and moves', async () => {
		const context = await newContext()
		const a = await pages.open(context, 'a', `${dev.url}/`)
		await a.getByTestId('new-room').click()
		await a.waitForURL(/\/r\/[\w-]+$/)
		await waitForEditor(a)
		const b = await openCanvas(context, 'b', new URL(a.url()).pathname)

		await drawRectangle(a, { x: 300, y: 250 }, { x: 460, y: 350 })
		await waitForShapes(b, '(s) => s.length === 1 && s[0].type === "geo"', null)
		const [drawn] = await shapes(a)

		// Grab its left edge and move it 200 px right and 100 px down.
		await drag(a, { x: 300, y: 300 }, { x: 500, y: 400 })
		await waitForShapes(b, '(s, d) => s.length === 1 && s[0].x > d.x + 150 && s[0].y > d.y + 50', drawn)

		await drawRectangle(b, { x: 700, y: 150 }, { x: 800, y: 220 })
		await waitForShapes(a, '(s) => s.length === 2', null)
	})

	it('the read-only link cannot edit and keeps receiving', async () => {
		const context = await newContext()
		const a = await openCanvas(context, 'writer', roomPath())
		await drawRectangle(a, { x: 300, y: 250 }, { x: 420, y: 330 })

		await a.getByTestId('share-readonly').click()
		const link = await a.getByTestId('readonly-link').inputValue()
		expect(link).toMatch(new RegExp(`^${dev.url}/ro/[0-9a-f]{64}$`))
		expect(await a.evaluate(() => navigator.clipboard.readText())).toBe(link)

		const viewer = await openCanvas(context, 'viewer', new URL(link).pathname)
		await waitForShapes(viewer, '(s) => s.length === 1', null)
		expect(await viewer.evaluate(() => window.editor!.getIsReadonly())).toBe(true)
		// tldraw's read-only UI: no drawing tools.
		expect(await viewer.getByTestId('tools.rectangle').count()).toBe(0)

		// Try anyway: the R shortcut and a drag, select all + Delete.
		await drawRectangle(viewer, { x: 600, y: 300 }, { x: 700, y: 380 })
		await viewer.keyboard.press('Control+a')
		await viewer.keyboard.press('Delete')

		await drawRectangle(a, { x: 300, y: 450 }, { x: 420, y: 520 })
		await waitForShapes(viewer, '(s) => s.length === 2', null)
		// The viewer's attempts came before the writer's second shape reached it: none of them landed.
		expect((await shapes(a)).length).toBe(2)
		expect((await shapes(viewer)).length).toBe(2)
	})

	it('a custom card shape (schema/) syncs: placed, titled and ticked on different pages', async () => {
		const context = await newContext()
		const room = roomPath()
		const a = await openCanvas(context, 'a', room)
		const b = await openCanvas(context, 'b', room)

		await a.getByTestId('tools.card').click()
		await dragMouse(a, { x: 400, y: 300 }, { x: 560, y: 400 })
		await waitForShapes(b, '(s) => s.length === 1 && s[0].type === "card"', null)

		await a.keyboard.press('Escape')
		await a.mouse.dblclick(480, 370)
		await a.locator('.card-title-input').fill('Ship it')
		await a.locator('.card-title-input').press('Enter')
		await waitForShapes(b, '(s) => s[0].props.title === "Ship it"', null)
		await b.getByTestId('card-shape').getByText('Ship it').waitFor()

		await b.locator('.card-done input').click()
		await waitForShapes(a, '(s) => s[0].props.done === true', null)
	})
})

describe('signed in', () => {
	it('an image pasted on one page appears on the other (uploaded, not inlined)', async () => {
		const context = await newContext()
		const a = await signIn(context, `paster-${uniq()}`)
		const fileId = await newFile(a)
		const b = await openCanvas(context, 'b', `/f/${fileId}`)

		// A paste event carrying a PNG file, as the clipboard delivers a copied image.
		await a.locator('.tl-canvas').click({ position: { x: 400, y: 300 } })
		await a.evaluate(async (base64) => {
			const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
			const data = new DataTransfer()
			data.items.add(new File([bytes], 'dot.png', { type: 'image/png' }))
			document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }))
		}, RED_PNG_BASE64)

		// The shape comes first with a placeholder; its asset gets the URL once the upload is done.
		const imageSrc = () => {
			const image = window.editor!.getCurrentPageShapes().find((s) => s.type === 'image')
			return image ? (window.editor!.getAsset(image.props.assetId as string)?.props.src ?? '') : ''
		}
		await b.waitForFunction(imageSrc, null, { timeout: 15_000 })
		const src = await b.evaluate(imageSrc)
		expect(src).toMatch(new RegExp(`^${dev.url}/app/uploads/[\\w.-]+dot\\.png$`))
		// The other page shows the uploaded bytes.
		await b.waitForFunction((url) => [...document.querySelectorAll('img')].some((img) => img.src === url && img.complete && img.naturalWidth > 0), src, { timeout: 15_000 })
	})

	it('a view link shared by one dev user appears live in the other’s list, opens read-only, and going private shows the reason within 5 s', async () => {
		const aliceContext = await newContext()
		const bobContext = await newContext()
		const alice = await signIn(aliceContext, `alice-${uniq()}`)
		const fileId = await newFile(alice)
		await drawRectangle(alice, { x: 700, y: 250 }, { x: 900, y: 400 })
		await alice.getByTestId('share-mode').selectOption('view')
		await expect.poll(() => alice.locator(`[data-file-id="${fileId}"]`).textContent(), { timeout: 30_000 }).toContain('view link')

		const bobList = await signIn(bobContext, `bob-${uniq()}`)
		await expect.poll(() => bobList.getByTestId('user-data-status').textContent(), { timeout: 30_000 }).toBe('0 files')
		// Bob opens the link Alice sent him…
		const bobCanvas = await openCanvas(bobContext, 'bob-canvas', `/f/${fileId}`)
		await waitForShapes(bobCanvas, '(s) => s.length === 1', null)
		expect(await bobCanvas.evaluate(() => window.editor!.getIsReadonly())).toBe(true)
		// …and his file list, open in another tab, shows it without a reload.
		await bobList.locator(`[data-file-id="${fileId}"]`).waitFor({ timeout: 30_000 })
		expect(await bobList.locator(`[data-file-id="${fileId}"]`).textContent()).toContain('shared with me')

		if (process.env.README_SCREENSHOT) await readmeScreenshot(alice)

		await alice.getByTestId('share-mode').selectOption('private')
		const madePrivateAt = Date.now()
		await bobCanvas.locator('[data-testid="connection-status"][data-code="FORBIDDEN"]').waitFor({ timeout: 5_000 })
		expect(Date.now() - madePrivateAt).toBeLessThan(5_000)
		expect(await bobCanvas.getByTestId('connection-status').textContent()).toContain('No access')
	})
})

describe('file actions', () => {
	it('rename, pin, download, import by drop, duplicate, publish and delete from the file list', async () => {
		const context = await newContext()
		const owner = await signIn(context, `owner-${uniq()}`)
		const fileId = await newFile(owner)
		await drawRectangle(owner, { x: 600, y: 250 }, { x: 720, y: 330 })
		// The download below is the server's copy: wait until the rectangle is committed there (on a busy
		// machine its push can still be in flight when the download is asked for).
		await waitForServerCopy(context, fileId, '(s) => s.length === 1 && s[0].type === "geo"')
		const row = owner.locator(`[data-file-id="${fileId}"]`)

		await owner.getByTestId('rename').click()
		await owner.getByTestId('rename-input').fill('Plans')
		await owner.getByTestId('rename-input').press('Enter')
		await expect.poll(() => row.getAttribute('data-file-name'), { timeout: 30_000 }).toBe('Plans')
		await expect.poll(() => owner.getByTestId('file-title').textContent(), { timeout: 30_000 }).toBe('Plans')

		await owner.getByTestId('pin').click()
		await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('📌')

		const [download] = await Promise.all([owner.waitForEvent('download'), owner.getByTestId('download').click()])
		expect(download.suggestedFilename()).toBe('Plans.tldr')
		const tldr = readFileSync((await download.path())!, 'utf8')
		expect((JSON.parse(tldr) as { records: Array<{ type?: string }> }).records.filter((r) => r.type === 'geo')).toHaveLength(1)

		// Drop the downloaded file on the list: a new file with the same drawing opens.
		await owner.getByTestId('file-sidebar').evaluate((sidebar, text) => {
			const data = new DataTransfer()
			data.items.add(new File([text], 'Imported.tldr', { type: 'application/json' }))
			sidebar.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }))
		}, tldr)
		await owner.waitForURL((url) => url.pathname.startsWith('/f/') && !url.pathname.endsWith(fileId))
		await waitForEditor(owner)
		await waitForShapes(owner, '(s) => s.length === 1 && s[0].type === "geo"', null)
		await expect.poll(() => owner.getByTestId('file-title').textContent(), { timeout: 30_000 }).toBe('Imported')

		await row.getByRole('link').click()
		await owner.waitForURL(`**/f/${fileId}`)
		await owner.getByTestId('duplicate').click()
		await owner.waitForURL((url) => url.pathname.startsWith('/f/') && !url.pathname.endsWith(fileId))
		await waitForEditor(owner)
		await waitForShapes(owner, '(s) => s.length === 1', null)
		await expect.poll(() => owner.getByTestId('file-title').textContent(), { timeout: 30_000 }).toBe('Plans (copy)')

		await row.getByRole('link').click()
		await owner.waitForURL(`**/f/${fileId}`)
		await owner.getByTestId('publish').click()
		const publicLink = await owner.getByTestId('published-link').inputValue()
		expect(publicLink).toMatch(new RegExp(`^${dev.url}/p/[\\w-]+$`))
		const visitor = await pages.open(await newContext(), 'visitor', publicLink)
		await waitForEditor(visitor)
		await waitForShapes(visitor, '(s) => s.length === 1 && s[0].type === "geo"', null)
		expect(await visitor.evaluate(() => window.editor!.getIsReadonly())).toBe(true)

		await owner.getByTestId('delete').click()
		await owner.getByTestId('confirm-delete').click()
		await owner.waitForURL('**/files')
		await row.waitFor({ state: 'detached', timeout: 30_000 })
		await expect.poll(() => owner.getByTestId('file-list').locator('[data-testid="file-row"]').count(), { timeout: 30_000 }).toBe(2)
	})
})

describe('history', () => {
	it('restoring a version brings the older drawing back on both pages', async () => {
		const context = await newContext()
		const room = roomPath()
		const a = await openCanvas(context, 'a', room)
		const b = await openCanvas(context, 'b', room)

		await drawRectangle(a, { x: 300, y: 250 }, { x: 420, y: 330 })
		await waitForShapes(b, '(s) => s.length === 1', null)
		const [older] = await shapes(a)
		const withOlder = await waitForVersion(room, (ids) => ids.includes(older!.id))

		// Replace it: delete the first rectangle, draw another.
		await a.keyboard.press('v')
		await a.mouse.click(300, 290) // its left edge
		await a.keyboard.press('Delete')
		await drawRectangle(a, { x: 600, y: 250 }, { x: 700, y: 330 })
		await waitForShapes(b, '(s, id) => s.length === 1 && s[0].id !== id', older!.id)
		const [newer] = await shapes(a)
		await waitForVersion(room, (ids) => ids.includes(newer!.id) && !ids.includes(older!.id))

		await a.getByTestId('history-toggle').click()
		await a.locator(`[data-testid="history-version"][data-version="${withOlder}"]`).click()
		await expect.poll(() => a.getByTestId('history-diff').textContent(), { timeout: 15_000 }).toMatch(/geo shape added since/)
		await a.getByTestId('history-restore').click()

		for (const page of [a, b]) await waitForShapes(page, '(s, ids) => s.length === 1 && s[0].id === ids.older', { older: older!.id })
	})
})

describe('a worker restart', () => {
	it('pages reconnect by themselves and nothing acknowledged is lost', async () => {
		const context = await newContext()
		const room = roomPath()
		const a = await openCanvas(context, 'a', room)
		const b = await openCanvas(context, 'b', room)
		for (let i = 0; i < 3; i++) await drawRectangle(a, { x: 250 + i * 150, y: 250 }, { x: 350 + i * 150, y: 320 })
		// On the other page means committed and acknowledged.
		await waitForShapes(b, '(s) => s.length === 3', null)
		const before = (await shapes(a)).map((s) => s.id).sort()

		await dev.kill('SIGKILL')
		for (const page of [a, b]) await page.locator('[data-testid="connection-status"]').waitFor({ timeout: 15_000 })
		expect(await a.getByTestId('connection-status').textContent()).toContain('Offline')
		dev = await startWorker()

		// Both pages come back without a reload, and keep syncing.
		for (const page of [a, b]) await page.locator('[data-testid="connection-status"]').waitFor({ state: 'detached', timeout: 30_000 })
		await drawRectangle(b, { x: 300, y: 450 }, { x: 400, y: 520 })
		await waitForShapes(a, '(s) => s.length === 4', null)
		// A fresh page gets everything from the server, not from the pages' memory.
		const fresh = await openCanvas(context, 'fresh', room)
		await waitForShapes(fresh, '(s) => s.length === 4', null)
		const after = (await shapes(fresh)).map((s) => s.id)
		for (const id of before) expect(after).toContain(id)
	})
})

/** The README's picture: Alice's file list and the shared canvas, with a card pinned on the rectangle. */
async function readmeScreenshot(page: Page) {
	await page.getByTestId('tools.card').click()
	await dragMouse(page, { x: 560, y: 300 }, { x: 760, y: 420 })
	await page.keyboard.press('Escape')
	await page.mouse.dblclick(660, 380)
	await page.locator('.card-title-input').fill('Ship the web app')
	await page.locator('.card-title-input').press('Enter')
	await page.keyboard.press('Escape')
	await page.mouse.click(640, 700)
	await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshot.png') })
}

/** Polls the room's newest history version until its records satisfy `test`; returns that version. */
function waitForVersion(room: string, test: (ids: string[]) => boolean): Promise<string> {
	return waitFor(async () => {
		const { versions } = (await (await fetch(`${dev.url}${room}/history?limit=1`)).json()) as { versions: Array<{ version: string }> }
		const newest = versions[0]?.version
		if (!newest) return null
		const snapshot = (await (await fetch(`${dev.url}${room}/history/${newest}`)).json()) as { documents: Array<{ state: { id: string } }> }
		return test(snapshot.documents.map((d) => d.state.id)) && newest
	}, `the newest history version of ${room} to match`, 30_000)
}

/** An 8×8 red PNG. */
const RED_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC'
