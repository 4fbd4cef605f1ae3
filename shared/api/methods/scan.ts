import { z } from 'zod';
import { defineMethods } from '../define.ts';
import { FindingSchema, IdSchema, IsoTimeSchema, PathSchema, Sha256Schema, VerdictSchema } from '../schemas.ts';

export const ScanUnitSchema = z.object({
  /** Member chain joined with '!'; '' for the file itself. */
  path: z.string(),
  format: z.string(),
  formatDetail: z.string(),
  size: z.number(),
  /** Analyzer details for the views (pickle opcodes, ONNX graph summary, archive layout...). */
  details: z.record(z.string(), z.unknown()),
});

export const ScannedFileSchema = z.object({
  path: z.string(),
  sha256: Sha256Schema,
  size: z.number().int(),
  format: z.string(),
  formatLabel: z.string(),
  verdict: VerdictSchema,
  findings: z.array(FindingSchema),
  units: z.number().int(),
});

export const StoredScanReportSchema = z.object({
  artifactId: IdSchema,
  verdict: VerdictSchema,
  format: z.string(),
  formatDetail: z.string(),
  units: z.array(ScanUnitSchema),
  bytesRead: z.number(),
  durationMs: z.number(),
  scannedAt: IsoTimeSchema,
  toolVersion: z.string(),
});

export const scanMethods = defineMethods({
  'scan.paths': {
    description: 'Scans files and folders (every file in a folder) without adding them to a case: one result per file.',
    long: true,
    input: z.object({ paths: z.array(PathSchema).min(1).max(10_000), jobId: z.string().max(64).optional() }),
    output: z.object({
      files: z.array(ScannedFileSchema),
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  },
  'scan.report': {
    description: 'The latest static scan report of an artifact, with every unit scanned and its details; null if never scanned.',
    input: z.object({ artifactId: IdSchema }),
    output: StoredScanReportSchema.nullable(),
  },
  'scan.rescan': {
    description: 'Scans the artifacts of a case again (after a rule update); refuses files whose content changed since intake.',
    long: true,
    input: z.object({ caseId: IdSchema, artifactIds: z.array(IdSchema).max(100_000).optional(), jobId: z.string().max(64).optional() }),
    output: z.object({
      rescanned: z.number().int(),
      verdicts: z.record(z.string(), z.number().int()),
      errors: z.array(z.object({ artifactId: IdSchema, message: z.string() })),
    }),
  },
});
