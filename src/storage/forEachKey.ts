/** Pages through `prefix` (R2 lists at most 1,000 keys per call); `fn` may delete what it is given. */
export async function forEachKey(bucket: Pick<R2Bucket, 'list'>, prefix: string, fn: (keys: string[]) => Promise<void>): Promise<void> {
	for (;;) {
		const page = await bucket.list({ prefix, limit: 1000 })
		if (page.objects.length === 0) return
		await fn(page.objects.map((o) => o.key))
		if (!page.truncated) return
	}
}
