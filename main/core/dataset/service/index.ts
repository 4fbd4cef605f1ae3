// The dataset integration's entry points: the API handlers, the demo and the audit bundle call these.
export { exportMaskedInCase } from './export.ts';
export { completeness, listDatasetRecords, setProvenance, type DatasetBundleRecord } from './records.ts';
export { exportExclusions, readRows, reviewRows } from './review.ts';
export { detectorList } from './run.ts';
export { scanCaseDataset } from './scan.ts';
export { scanPathForCli } from './scan-path.ts';
export { findTarget, listTargets, requireTarget, type DatasetTarget } from './targets.ts';
export { detailOf, summaryOf } from './view.ts';
