// Panels of the artifact view, as a table: each capability adds its panel (pickle opcodes,
// ONNX graph, behaviour, dataset) and says for which artifacts it applies.
import type { ComponentType } from 'react';
import { datasetIdOf } from '../../../../shared/api/methods/dataset.ts';
import type { Artifact } from '../../../../shared/api/schemas.ts';
import { BehavePanel } from '../behave/BehavePanel.tsx';
import { DatasetPanel } from '../dataset/DatasetPanel.tsx';
import { FindingsPanel } from './FindingsPanel.tsx';
import { OnnxPanel } from './OnnxPanel.tsx';
import { PICKLE_BEARING, PicklePanel } from './PicklePanel.tsx';
import { ScanPanel } from './ScanPanel.tsx';

export interface ArtifactPanel {
  id: string;
  label: string;
  appliesTo(artifact: Artifact): boolean;
  Component: ComponentType<{ artifact: Artifact }>;
}

export const ARTIFACT_PANELS: readonly ArtifactPanel[] = [
  { id: 'findings', label: 'Findings', appliesTo: () => true, Component: FindingsPanel },
  { id: 'scan', label: 'Scan', appliesTo: (a) => a.verdict !== null, Component: ScanPanel },
  { id: 'onnx', label: 'ONNX graph', appliesTo: (a) => a.format === 'onnx', Component: OnnxPanel },
  { id: 'pickle', label: 'Pickle', appliesTo: (a) => PICKLE_BEARING.has(a.format), Component: PicklePanel },
  { id: 'behaviour', label: 'Behaviour', appliesTo: (a) => a.format === 'onnx', Component: BehavePanel },
  { id: 'dataset', label: 'Dataset', appliesTo: (a) => datasetIdOf(a) !== null, Component: DatasetPanel },
];
