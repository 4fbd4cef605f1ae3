// Probe rows for one model input from a dataset artifact of the case (its content checked
// against intake) or from a file named on the command line.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import { getArtifact } from '../../store/repos/artifacts.ts';
import type { CoreContext } from '../context.ts';
import { FORMATS, type FormatId } from '../formats/catalogue.ts';
import { ioMessage } from '../intake/inspect.ts';
import { sha256File } from '../intake/hash.ts';
import { artifactBytesPath } from '../scan/service.ts';
import type { BaselineProbeData } from './baselines.ts';
import { inspectModel } from './inspect.ts';
import { DEFAULT_PROBE_DATA_ROWS, isProbeDataFormat, probeFileFormat, readProbeData, type ProbeDataFormat } from './probe-data.ts';
import type { ProbeSpec } from './probe-spec.ts';
import type { ProbeRows } from './types.ts';

export interface ProbeRowsRequest {
  input?: string | undefined;
  columns?: string[] | undefined;
  maxRows?: number | undefined;
}

export interface LoadedRows {
  rows: ProbeRows;
  /** Where they came from, as a baseline keeps it (the digest is the run's). */
  source: BaselineProbeData;
  truncated: boolean;
}

/** The input the rows feed and the number of values in one of its rows. */
function targetInput(model: Uint8Array, spec: ProbeSpec | undefined, wanted: string | undefined): { name: string; rowLength: number } {
  const inspection = inspectModel(model, spec);
  if (!inspection.ok) throw new ApiError('invalid_input', `the model cannot be decoded: ${inspection.error}`);
  if (!inspection.probes) throw new ApiError('invalid_input', `probe rows cannot be fed to this model: ${inspection.probeError}`);
  const inputs = inspection.probes.inputs;
  const input = wanted !== undefined
    ? inputs.find((x) => x.name === wanted)
    : (inputs.find((x) => x.dtype.startsWith('float')) ?? inputs[0]);
  if (!input) throw new ApiError('invalid_input', `the model has no input named ${wanted}; its inputs are ${inputs.map((x) => x.name).join(', ')}`);
  return { name: input.name, rowLength: input.rowShape.reduce((a, d) => a * d, 1) };
}

async function load(path: string, format: ProbeDataFormat, name: string, model: Uint8Array, spec: ProbeSpec | undefined, req: ProbeRowsRequest, artifactId: string | null, signal: AbortSignal): Promise<LoadedRows> {
  const target = targetInput(model, spec, req.input);
  const maxRows = req.maxRows ?? DEFAULT_PROBE_DATA_ROWS;
  const data = await readProbeData({ path, format, name, rowLength: target.rowLength, columns: req.columns, maxRows, signal });
  return {
    rows: { [target.name]: data.matrix },
    source: { artifactId, name, input: target.name, columns: data.columns, maxRows },
    truncated: data.truncated,
  };
}

/** Rows from a dataset artifact of the same case. */
export async function caseProbeRows(ctx: CoreContext, caseId: string, req: ProbeRowsRequest & { artifactId: string }, model: Uint8Array, spec: ProbeSpec | undefined, signal: AbortSignal): Promise<LoadedRows> {
  const a = getArtifact(ctx.db, req.artifactId);
  if (!a || a.caseId !== caseId) throw new ApiError('not_found', `no artifact ${req.artifactId} in this case to take probe rows from`);
  if (!isProbeDataFormat(a.format)) {
    throw new ApiError('invalid_input', `${a.displayName} is ${FORMATS[a.format as FormatId]?.label ?? a.format}; probe rows come from CSV, TSV, JSON Lines or .npy datasets`);
  }
  const path = artifactBytesPath(ctx, a);
  let digest: string;
  try {
    digest = (await sha256File(path, { signal })).sha256;
  } catch (e) {
    if (signal.aborted) throw e;
    throw new ApiError('io_error', ioMessage(path, e));
  }
  if (digest !== a.sha256) throw new ApiError('conflict', `${a.displayName} no longer has the content recorded at intake; add it again before using it as probes`);
  return load(path, a.format, a.displayName, model, spec, req, a.id, signal);
}

/** Rows from a file (the CLI's --probe-data); its format from content or name. */
export async function fileProbeRows(path: string, req: ProbeRowsRequest, model: Uint8Array, spec: ProbeSpec | undefined, signal: AbortSignal): Promise<LoadedRows> {
  let head: Uint8Array;
  try {
    const h = await open(path, 'r');
    try {
      const buf = Buffer.alloc(64);
      const { bytesRead } = await h.read(buf, 0, 64, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await h.close();
    }
  } catch (e) {
    throw new ApiError('io_error', ioMessage(path, e));
  }
  return load(path, probeFileFormat(path, head), basename(path), model, spec, req, null, signal);
}
