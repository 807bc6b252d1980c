/**
 * Chromium for the browser tests: Debian's package (scripts/test.sh installs it), driven by playwright-core.
 * Nothing is downloaded. Pages are kept per test so a failure can screenshot every one of them.
 */
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { ROOT } from '../helpers/worker'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Failure screenshots (and the app screenshot) go under the test output folder. */
export const OUTPUT_DIR = path.join(ROOT, 'test-results', 'browser')

export async function launchChromium(): Promise<Browser> {
	if (!existsSync(CHROMIUM_PATH)) {
		throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's package (sudo apt-get install chromium; scripts/test.sh does it when run as root) or set CHROMIUM_PATH`)
	}
	return chromium.launch({
		executablePath: CHROMIUM_PATH,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
	})
}

/** Every page a test opened, with what its console said (printed when the test fails). */
export class PageSet {
	readonly pages: Array<{ name: string; page: Page; log: string[] }> = []

	async open(context: BrowserContext, name: string, url: string): Promise<Page> {
		const page = await context.newPage()
		const log: string[] = []
		page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`))
		page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`))
		this.pages.push({ name, page, log })
		await page.goto(url)
		return page
	}

	async screenshotAll(testName: string) {
		mkdirSync(OUTPUT_DIR, { recursive: true })
		const slug = testName.replace(/[^\w-]+/g, '-').slice(0, 80)
		for (const { name, page, log } of this.pages) {
			if (page.isClosed()) continue
			const file = path.join(OUTPUT_DIR, `${slug}--${name}.png`)
			await page.screenshot({ path: file }).catch(() => {})
			console.error(`[${name}] screenshot ${path.relative(ROOT, file)}; console:\n  ${log.slice(-30).join('\n  ')}`)
		}
	}

	async closeAll() {
		for (const { page } of this.pages.splice(0)) await page.close().catch(() => {})
	}
}

type EditorHandle = {
	getCurrentPageShapes(): Array<{ id: string; type: string; x: number; y: number; props: Record<string, unknown> }>
	getIsReadonly(): boolean
	getAsset(id: string): { props: { src: string | null } } | undefined
}
declare global {
	interface Window {
		editor?: EditorHandle
	}
}

/** Waits for the canvas's editor (the app puts it on window, as tldraw.com does). */
export async function waitForEditor(page: Page) {
	await page.waitForFunction(() => !!window.editor, null, { timeout: 30_000 })
}

export function shapes(page: Page) {
	return page.evaluate(() => window.editor!.getCurrentPageShapes().map((s) => ({ id: s.id, type: s.type, x: s.x, y: s.y })))
}

/** Waits until the page's shapes satisfy `check` (run in the page), e.g. a shape with an id is there. */
export async function waitForShapes(page: Page, check: string, arg: unknown, timeout = 15_000) {
	await page.waitForFunction(
		({ check, arg }) => {
			const list = window.editor?.getCurrentPageShapes() ?? []
			return new Function('shapes', 'arg', `return (${check})(shapes, arg)`)(list, arg) as boolean
		},
		{ check, arg },
		{ timeout },
	)
}

/** Draws a rectangle with the mouse, as a person does: the R tool, then a drag on the canvas. */
export async function drawRectangle(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
	await page.locator('.tl-canvas').click({ position: { x: 5, y: 300 } }) // focus the canvas (empty area)
	await page.keyboard.press('r')
	await dragMouse(page, from, to)
	await page.keyboard.press('Escape')
}

/** Drags with the select tool from one point to another (moves whatever is under `from`). */
export async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
	await page.keyboard.press('v')
	await dragMouse(page, from, to)
}

/** Press, move in steps (tldraw needs intermediate moves to start a drag), release. */
export async function dragMouse(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
	await page.mouse.move(from.x, from.y)
	await page.mouse.down()
	await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 })
	await page.mouse.move(to.x, to.y, { steps: 4 })
	await page.mouse.up()
}
