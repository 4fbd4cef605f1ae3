// The tabs of a case, as a table: each capability adds its tab here.
import type { ComponentType } from 'react';
import { ArtifactsTab } from './ArtifactsTab.tsx';
import { ChecklistTab } from './ChecklistTab.tsx';
import { CustodyTab } from './CustodyTab.tsx';
import { DatasetsTab } from '../dataset/DatasetsTab.tsx';
import { FindingsTab } from './FindingsTab.tsx';
import { DecisionTab } from '../trust/DecisionTab.tsx';
import { VerifyTab } from '../trust/VerifyTab.tsx';

export interface CaseTab {
  id: string;
  label: string;
  Component: ComponentType<{ caseId: string }>;
}

export const CASE_TABS: readonly CaseTab[] = [
  { id: 'artifacts', label: 'Artifacts', Component: ArtifactsTab },
  { id: 'checklist', label: 'Checklist', Component: ChecklistTab },
  { id: 'findings', label: 'Findings', Component: FindingsTab },
  { id: 'datasets', label: 'Datasets', Component: DatasetsTab },
  { id: 'verify', label: 'Signatures & digests', Component: VerifyTab },
  { id: 'decision', label: 'Decision & bundle', Component: DecisionTab },
  { id: 'custody', label: 'Custody log', Component: CustodyTab },
];
