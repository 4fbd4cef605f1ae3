// Panels of the artifact view, as a table: each capability adds its panel (pickle opcodes,
// ONNX graph, behaviour, dataset) and says for which artifacts it applies.
import type { ComponentType } from 'react';
import type { Artifact } from '../../../../shared/api/schemas.ts';
import { FindingsPanel } from './FindingsPanel.tsx';

export interface ArtifactPanel {
  id: string;
  label: string;
  appliesTo(artifact: Artifact): boolean;
  Component: ComponentType<{ artifact: Artifact }>;
}

export const ARTIFACT_PANELS: readonly ArtifactPanel[] = [
  { id: 'findings', label: 'Findings', appliesTo: () => true, Component: FindingsPanel },
];
