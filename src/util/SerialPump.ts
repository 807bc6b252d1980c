/**
 * Runs `run` one at a time: a request while it runs makes exactly one more run after it (however many
 * requests came), so work that arrived during a run is never left behind.
 */
export class SerialPump {
	private running: Promise<void> | null = null
	private again = false

	constructor(private readonly run: () => Promise<void>) {}

	request(): Promise<void> {
		if (this.running) {
			this.again = true
			return this.running
		}
		this.running = (async () => {
			do {
				this.again = false
				await this.run()
			} while (this.again)
		})().finally(() => (this.running = null))
		return this.running
	}

	/** Asks for one more run from inside a run (e.g. a full batch). */
	requestAgain() {
		this.again = true
	}
}
