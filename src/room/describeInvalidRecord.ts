import type { TLSchema } from '@tldraw/tlschema'

/** Where a record failed validation, without any of its content (safe for logs and error bodies). */
export interface InvalidRecord {
	typeName: string
	/** The shape or binding type (`card`, `geo`…), when the record has one. */
	type?: string
	/** Dotted path of the failing property, e.g. `props.title`; empty when the whole record is wrong. */
	path: string
}

/**
 * Describes a tldraw validation error. tldraw's message can quote the offending value, so only the
 * error's path is used; its leading record-type and `(type = …)` parts become `typeName` and `type`.
 */
export function describeInvalidRecord(err: unknown, record: unknown): InvalidRecord {
	const r = (typeof record === 'object' && record !== null ? record : {}) as { typeName?: unknown; type?: unknown }
	const typeName = typeof r.typeName === 'string' ? r.typeName : 'unknown'
	const type = typeof r.type === 'string' && /^[\w-]{1,64}$/.test(r.type) ? r.type : undefined
	const rawPath = (err as { path?: unknown })?.path
	const segments = Array.isArray(rawPath) ? rawPath.map(String) : []
	const path = segments.filter((s, i) => !(i === 0 && s === typeName) && !/^\(type = .*\)$/.test(s)).join('.')
	return type === undefined ? { typeName, path } : { typeName, type, path }
}

export function formatInvalidRecord(f: InvalidRecord): string {
	return `${f.typeName}${f.type ? `(type=${f.type})` : ''} failed validation at ${f.path || '(record)'}`
}

const watched = new WeakSet<TLSchema>()

/**
 * Calls `onInvalid` whenever a record of `schema` fails validation, then rethrows. TLSyncRoom turns a
 * failed push into an INVALID_RECORD close and drops tldraw's error message, so this is the one place the
 * failing type and property can be logged.
 */
export function watchRecordValidation(schema: TLSchema, onInvalid: (failure: InvalidRecord) => void): void {
	if (watched.has(schema)) return
	watched.add(schema)
	for (const type of Object.values(schema.types)) {
		const validate = type.validate.bind(type)
		type.validate = ((record: unknown, recordBefore?: unknown) => {
			try {
				return validate(record as never, recordBefore as never)
			} catch (err) {
				onInvalid(describeInvalidRecord(err, record))
				throw err
			}
		}) as typeof type.validate
	}
}
