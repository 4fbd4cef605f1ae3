// Every format Assay names, with a label for people and the artifact kind it implies.
// Detection (detect.ts) decides the format from content; the extension table below is only a
// claim to compare against.
import type { ArtifactKind } from '../../../shared/api/schemas.ts';

export const FORMAT_IDS = [
  'pickle', 'pytorch-zip', 'pytorch-legacy', 'torchscript', 'numpy-npy', 'numpy-npz', 'joblib',
  'safetensors', 'onnx', 'gguf', 'keras-v3', 'hdf5', 'tf-savedmodel', 'tf-graphdef',
  'zip', 'tar', 'gzip', 'bzip2', 'xz', 'zstd', 'zlib', '7z',
  'elf', 'pe', 'macho', 'script',
  'csv', 'tsv', 'jsonl', 'json', 'parquet', 'png', 'jpeg', 'gif', 'bmp', 'webp',
  'jinja', 'text', 'pdf', 'empty', 'unknown',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

interface FormatEntry {
  label: string;
  kind: ArtifactKind;
}

export const FORMATS: Record<FormatId, FormatEntry> = {
  pickle: { label: 'Python pickle', kind: 'model' },
  'pytorch-zip': { label: 'PyTorch checkpoint (zip)', kind: 'model' },
  'pytorch-legacy': { label: 'PyTorch checkpoint (legacy stacked pickles)', kind: 'model' },
  torchscript: { label: 'TorchScript archive', kind: 'model' },
  'numpy-npy': { label: 'NumPy array (.npy)', kind: 'model' },
  'numpy-npz': { label: 'NumPy archive (.npz)', kind: 'model' },
  joblib: { label: 'joblib dump', kind: 'model' },
  safetensors: { label: 'safetensors', kind: 'model' },
  onnx: { label: 'ONNX model', kind: 'model' },
  gguf: { label: 'GGUF model', kind: 'model' },
  'keras-v3': { label: 'Keras v3 archive (.keras)', kind: 'model' },
  hdf5: { label: 'HDF5 (Keras .h5)', kind: 'model' },
  'tf-savedmodel': { label: 'TensorFlow SavedModel', kind: 'model' },
  'tf-graphdef': { label: 'TensorFlow GraphDef', kind: 'model' },
  zip: { label: 'zip archive', kind: 'other' },
  tar: { label: 'tar archive', kind: 'other' },
  gzip: { label: 'gzip stream', kind: 'other' },
  bzip2: { label: 'bzip2 stream', kind: 'other' },
  xz: { label: 'xz stream', kind: 'other' },
  zstd: { label: 'zstd stream', kind: 'other' },
  zlib: { label: 'zlib stream', kind: 'other' },
  '7z': { label: '7-Zip archive', kind: 'other' },
  elf: { label: 'ELF executable', kind: 'other' },
  pe: { label: 'Windows PE executable', kind: 'other' },
  macho: { label: 'Mach-O executable', kind: 'other' },
  script: { label: 'script with interpreter line', kind: 'other' },
  csv: { label: 'CSV', kind: 'dataset' },
  tsv: { label: 'TSV', kind: 'dataset' },
  jsonl: { label: 'JSON Lines', kind: 'dataset' },
  json: { label: 'JSON', kind: 'other' },
  parquet: { label: 'Parquet', kind: 'dataset' },
  png: { label: 'PNG image', kind: 'dataset' },
  jpeg: { label: 'JPEG image', kind: 'dataset' },
  gif: { label: 'GIF image', kind: 'dataset' },
  bmp: { label: 'BMP image', kind: 'dataset' },
  webp: { label: 'WebP image', kind: 'dataset' },
  jinja: { label: 'Jinja template', kind: 'other' },
  text: { label: 'text', kind: 'other' },
  pdf: { label: 'PDF document', kind: 'other' },
  empty: { label: 'empty file', kind: 'other' },
  unknown: { label: 'unrecognised', kind: 'other' },
};

/**
 * What a file name's extension claims. A claim lists every format the extension is honestly
 * used for (a `.pt` file may be a zip or a legacy checkpoint); a mismatch is a detected format
 * outside that list. Extensions that name nothing in particular (`.bin`, `.dat`) claim nothing.
 */
const EXTENSION_CLAIMS: Record<string, readonly FormatId[]> = {
  '.pkl': ['pickle', 'joblib'],
  '.pickle': ['pickle', 'joblib'],
  // Legacy torch.save wrote tar archives too, under the same names.
  '.pt': ['pytorch-zip', 'pytorch-legacy', 'torchscript', 'pickle', 'tar'],
  '.pth': ['pytorch-zip', 'pytorch-legacy', 'torchscript', 'pickle', 'tar'],
  '.ckpt': ['pytorch-zip', 'pytorch-legacy', 'pickle', 'tar'],
  '.npy': ['numpy-npy'],
  '.npz': ['numpy-npz'],
  '.joblib': ['joblib', 'pickle', 'zlib', 'gzip', 'bzip2', 'xz'],
  '.safetensors': ['safetensors'],
  '.onnx': ['onnx'],
  '.gguf': ['gguf'],
  '.keras': ['keras-v3'],
  '.h5': ['hdf5'],
  '.hdf5': ['hdf5'],
  '.pb': ['tf-savedmodel', 'tf-graphdef'],
  '.zip': ['zip', 'pytorch-zip', 'torchscript', 'numpy-npz', 'keras-v3'],
  '.tar': ['tar', 'pytorch-legacy'],
  '.gz': ['gzip'],
  '.tgz': ['gzip'],
  '.bz2': ['bzip2'],
  '.xz': ['xz'],
  '.zst': ['zstd'],
  '.7z': ['7z'],
  '.csv': ['csv', 'text'],
  '.tsv': ['tsv', 'csv', 'text'],
  '.jsonl': ['jsonl', 'json', 'text'],
  '.ndjson': ['jsonl', 'json', 'text'],
  '.json': ['json', 'jsonl'],
  '.parquet': ['parquet'],
  '.png': ['png'],
  '.jpg': ['jpeg'],
  '.jpeg': ['jpeg'],
  '.gif': ['gif'],
  '.bmp': ['bmp'],
  '.webp': ['webp'],
  '.jinja': ['jinja', 'text'],
  '.j2': ['jinja', 'text'],
  '.txt': ['text', 'csv', 'tsv', 'jsonl', 'json', 'jinja', 'empty'],
  '.md': ['text', 'jinja', 'empty'],
  '.pdf': ['pdf'],
};

export function extensionOf(fileName: string): string | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : null;
}

export interface ExtensionCheck {
  /** The first format the extension names, for display; null when the extension claims nothing. */
  claim: FormatId | null;
  mismatch: boolean;
}

export function checkExtension(fileName: string, detected: FormatId): ExtensionCheck {
  const ext = extensionOf(fileName);
  const claims = ext ? EXTENSION_CLAIMS[ext] : undefined;
  if (!claims) return { claim: null, mismatch: false };
  // An empty file claims nothing either way: there is nothing in it to disagree with.
  if (detected === 'empty') return { claim: claims[0] ?? null, mismatch: false };
  return { claim: claims[0] ?? null, mismatch: !claims.includes(detected) };
}
