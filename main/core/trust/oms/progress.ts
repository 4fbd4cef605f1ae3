// Progress of a hashing job, reported to the UI/CLI (throttled by the caller's chunk size).
export interface HashProgress {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  currentFile: string | null;
}

export type ProgressCallback = (p: HashProgress) => void;
