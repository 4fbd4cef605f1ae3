// HDF5 files (Keras `.h5` models and `.keras` weight members). Only the root group's attributes
// can carry code: Keras keeps the model config JSON (layers, Lambda bytecode, custom objects) in
// `model_config` and the loss and optimizer config in `training_config`. Datasets hold numbers.
import type { ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { appendPath } from './common/json-path.ts';
import { errorText } from './common/read.ts';
import { Hdf5Error, readRootAttributes } from './hdf5/reader.ts';
import { reportKerasConfig } from './keras/report.ts';

export async function analyzeHdf5(source: ByteSource, ctx: ScanContext): Promise<void> {
  let root;
  try {
    root = await readRootAttributes(source);
  } catch (e) {
    if (e instanceof Hdf5Error || e instanceof RangeError) {
      ctx.report({ ruleId: 'scan.hdf5.malformed', severity: 'medium', message: `HDF5 structure is invalid: ${errorText(e)}`, location: e instanceof Hdf5Error ? { byteOffset: e.at } : {} });
      return;
    }
    throw e;
  }
  for (const why of new Set(root.unsupported)) {
    ctx.report({ ruleId: 'scan.hdf5.unsupported', severity: 'low', message: `root group has ${why}, which Assay does not read; a model config there was not checked` });
  }
  const configs: string[] = [];
  for (const attr of root.attributes) {
    if (attr.value === null || !/^\s*[[{]/.test(attr.value)) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(attr.value);
    } catch {
      continue; // text that merely starts with a bracket; nothing Keras would load
    }
    configs.push(attr.name);
    await reportKerasConfig(ctx, doc, { byteOffset: attr.at }, appendPath('$', attr.name));
  }
  ctx.detail('hdf5', { superblockVersion: root.superblockVersion, rootAttributes: root.attributes.map((a) => a.name), jsonAttributes: configs });
}

export const hdf5Analyzer: Analyzer = {
  formats: ['hdf5'],
  analyze: analyzeHdf5,
};
