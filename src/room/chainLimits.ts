/**
 * A history chain holds at most CHECKPOINT_EVERY_VERSIONS change sets after its checkpoint, and their bytes
 * stay under CHECKPOINT_CHAIN_FRACTION of the checkpoint's: reading any version costs at most one checkpoint,
 * half a checkpoint of changes and 64 small reads (bench/REPORT.md, scenario 6, measures the trade-off).
 * No imports, so the benchmark (plain Node) can read the same numbers.
 */
export const CHECKPOINT_EVERY_VERSIONS = 64
export const CHECKPOINT_CHAIN_FRACTION = 0.5
