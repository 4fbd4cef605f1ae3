// What the persistent ids of a PyTorch pickle say about its storages. torch.save writes
// `('storage', <torch.XStorage class>, key, location, numel)` for every storage; the record
// `data/<key>` must then hold numel × element size bytes (numel counts bytes for UntypedStorage).
// The ids come from the pickle scanner's walk (`walkPickle`), which recognises that shape.
import { storageElementSize, type PicklePersistentIdDetail } from '../pickle/index.ts';

export interface StorageRef {
  key: string;
  /** Storage class, e.g. `torch.FloatStorage`. */
  storageType: string;
  location: string;
  numel: number | null;
  /** Expected record size in bytes, when the class and count are known. */
  bytes: number | null;
  offset: number;
  opcodeIndex: number;
}

export interface MalformedRef {
  text: string;
  offset: number;
  opcodeIndex: number;
}

/** Sorts persistent ids into storage references and ids torch would reject. */
export function storageRefs(ids: readonly PicklePersistentIdDetail[]): { refs: StorageRef[]; malformed: MalformedRef[] } {
  const refs: StorageRef[] = [];
  const malformed: MalformedRef[] = [];
  for (const p of ids) {
    const s = p.storage;
    if (!s) {
      malformed.push({ text: p.text, offset: p.at.byteOffset, opcodeIndex: p.at.opcodeIndex });
      continue;
    }
    const size = s.type.startsWith('torch.') ? storageElementSize(s.type) : null;
    const numel = s.numel !== null && Number.isSafeInteger(s.numel) && s.numel >= 0 ? s.numel : null;
    refs.push({
      key: s.key, storageType: s.type, location: s.location, numel,
      bytes: size !== null && numel !== null ? numel * size : null, offset: p.at.byteOffset, opcodeIndex: p.at.opcodeIndex,
    });
  }
  return { refs, malformed };
}
