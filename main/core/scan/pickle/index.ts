// Public surface of the pickle scanner: the analyzers the engine registers, the walk the PyTorch
// zip checks and the UI reuse, and the detail type the renderer shows.
export { pickleAnalyzer, finishPickleScan, buildDetail, LISTING_HEAD } from './analyzer.ts';
export { legacyTorchAnalyzer, storageElementSize, LEGACY_MAGIC, type LegacyTorchDetail } from './legacy-torch.ts';
export { walkPickle, PickleWalker, MAX_STREAMS, type PickleWalkResult, type WalkOptions } from './walk.ts';
export { disassemble, type DisasmOptions } from './disasm.ts';
export { classifyGlobal, python3Name, type Classification, type Tier, type DenyCategory } from './policy.ts';
export { reportWalk, globalSeverity } from './report.ts';
export type { StreamOutcome, StreamError } from './machine.ts';
export type { GlobalSummary, EmbeddedBytes, Issue } from './recorder.ts';
export type * from './detail.ts';
