// The tabs of a case, as a table: each capability adds its tab here.
import type { ComponentType } from 'react';
import { ArtifactsTab } from './ArtifactsTab.tsx';
import { ChecklistTab } from './ChecklistTab.tsx';
import { CustodyTab } from './CustodyTab.tsx';
import { FindingsTab } from './FindingsTab.tsx';

export interface CaseTab {
  id: string;
  label: string;
  Component: ComponentType<{ caseId: string }>;
}

export const CASE_TABS: readonly CaseTab[] = [
  { id: 'artifacts', label: 'Artifacts', Component: ArtifactsTab },
  { id: 'checklist', label: 'Checklist', Component: ChecklistTab },
  { id: 'findings', label: 'Findings', Component: FindingsTab },
  { id: 'custody', label: 'Custody log', Component: CustodyTab },
];
