// Reads a model for the sandbox: the bytes of an artifact (checked against the digest recorded
// at intake) or of a file, and the external data files it names, only from the reviewed folder:
// for an artifact, other files of its artifact set; for a file, files inside its own folder.
// Nothing outside is read; a missing or escaping location is left out, and the host's checks
// then refuse the model with the reason (never a path for onnxruntime to resolve).
import { createHash } from 'node:crypto';
import { open, realpath } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import { listSetArtifacts, type ArtifactRecord } from '../../store/repos/artifacts.ts';
import type { CoreContext } from '../context.ts';
import { decodeOnnxModel } from '../formats/onnx/decode.ts';
import { ioMessage } from '../intake/inspect.ts';
import { artifactBytesPath } from '../scan/service.ts';
import { forEachTensor, isExternal } from './onnx-tensors.ts';
import { isContainedLocation } from './validate.ts';

/** Protobuf's 2 GiB limit: a model with its external data inlined must fit one message. */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3 - 1;

export interface ModelBytes {
  name: string;
  bytes: Uint8Array;
  sha256: string;
  externalData: Record<string, Uint8Array>;
}

/** Reads a whole regular file of at most `max` bytes (a file that grows while read is cut at `max` and refused). */
export async function readBounded(path: string, max: number, what: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new ApiError('io_error', ioMessage(path, e));
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ApiError('invalid_input', `${path} is not a regular file`);
    if (st.size > max) throw new ApiError('invalid_input', `${what} ${path} is ${st.size} bytes, over the ${max}-byte limit of the sandbox`);
    const buf = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < st.size) {
      const { bytesRead } = await handle.read(buf, at, st.size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    if (at !== st.size) throw new ApiError('io_error', `${path} changed while it was read (${at} of ${st.size} bytes); try again`);
    return new Uint8Array(buf.buffer, buf.byteOffset, at);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError('io_error', ioMessage(path, e));
  } finally {
    await handle.close();
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The external-data locations a model names (empty when it cannot be decoded: the checks say why). */
export function externalLocations(bytes: Uint8Array): string[] {
  const decoded = decodeOnnxModel(bytes);
  if (!decoded.ok) return [];
  const out = new Set<string>();
  forEachTensor(decoded.model, (t) => {
    if (!isExternal(t)) return;
    const loc = (t.externalData ?? []).find((e) => e.key === 'location')?.value;
    if (loc) out.add(loc);
  });
  return [...out].sort();
}

function budget(model: Uint8Array): number {
  return MAX_MODEL_BYTES - model.byteLength;
}

/** An artifact's model, its content verified against intake, with external data from its artifact set. */
export async function readArtifactModel(ctx: CoreContext, artifact: ArtifactRecord): Promise<ModelBytes> {
  const bytes = await readBounded(artifactBytesPath(ctx, artifact), MAX_MODEL_BYTES, 'the model');
  const sha256 = sha256Hex(bytes);
  if (sha256 !== artifact.sha256) {
    throw new ApiError('conflict', `${artifact.displayName} no longer has the content recorded at intake (SHA-256 ${artifact.sha256.slice(0, 12)}…, now ${sha256.slice(0, 12)}…); add it again as a new artifact`);
  }
  const externalData: Record<string, Uint8Array> = {};
  const locations = externalLocations(bytes);
  if (locations.length > 0 && artifact.setId && artifact.relPath) {
    const members = new Map(listSetArtifacts(ctx.db, artifact.setId).map((a) => [a.relPath ?? '', a]));
    const base = posix.dirname(artifact.relPath);
    let left = budget(bytes);
    for (const loc of locations) {
      if (!isContainedLocation(loc)) continue;
      const member = members.get(posix.normalize(base === '.' ? loc : `${base}/${loc}`));
      if (!member) continue;
      const data = await readBounded(artifactBytesPath(ctx, member), left, 'external data');
      if (sha256Hex(data) !== member.sha256) {
        throw new ApiError('conflict', `${member.displayName}, external data of ${artifact.displayName}, no longer has the content recorded at intake; add the folder again`);
      }
      externalData[loc] = data;
      left -= data.byteLength;
    }
  }
  return { name: artifact.displayName, bytes, sha256, externalData };
}

async function insideFolder(folder: string, file: string): Promise<boolean> {
  try {
    const [root, real] = await Promise.all([realpath(folder), realpath(file)]);
    return real.startsWith(root.endsWith(sep) ? root : root + sep);
  } catch {
    return false;
  }
}

/** A model file outside any case, with external data from its own folder (links that lead out are not followed). */
export async function readFileModel(path: string): Promise<ModelBytes> {
  const bytes = await readBounded(path, MAX_MODEL_BYTES, 'the model');
  const externalData: Record<string, Uint8Array> = {};
  const folder = dirname(path);
  let left = budget(bytes);
  for (const loc of externalLocations(bytes)) {
    if (!isContainedLocation(loc)) continue;
    const file = join(folder, ...loc.split('/'));
    if (!(await insideFolder(folder, file))) continue;
    const data = await readBounded(file, left, 'external data');
    externalData[loc] = data;
    left -= data.byteLength;
  }
  return { name: path.split(/[\\/]/).pop() ?? path, bytes, sha256: sha256Hex(bytes), externalData };
}
