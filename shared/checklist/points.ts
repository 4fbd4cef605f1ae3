// The 20-point AI supply-chain checklist as data. Ids P01..P20 are stable: bundles, reports and
// policies refer to them. Source of truth for wording: ../shared/checklist-20.md (beside the checkout).

export const PHASES = [
  { id: 1, title: 'Data sourcing and preprocessing' },
  { id: 2, title: 'Model development and training' },
  { id: 3, title: 'Packaging and versioning' },
  { id: 4, title: 'Deployment and integration' },
  { id: 5, title: 'Monitoring and maintenance' },
] as const;

export type PhaseId = (typeof PHASES)[number]['id'];

export const POINT_IDS = [
  'P01', 'P02', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'P09', 'P10',
  'P11', 'P12', 'P13', 'P14', 'P15', 'P16', 'P17', 'P18', 'P19', 'P20',
] as const;

export type PointId = (typeof POINT_IDS)[number];

export const CHECKLIST_STATUSES = ['not_reviewed', 'pass', 'fail', 'partial', 'not_applicable'] as const;
export type ChecklistStatus = (typeof CHECKLIST_STATUSES)[number];

export interface ChecklistPoint {
  id: PointId;
  phase: PhaseId;
  title: string;
  question: string;
  /** What the workstation gathers itself; empty when the point relies on the auditor alone. */
  automaticEvidence: string;
  auditorEvidence: string;
}

export const CHECKLIST: readonly ChecklistPoint[] = [
  {
    id: 'P01', phase: 1, title: 'Data provenance and lineage',
    question: 'Where did every dataset come from, who labelled it, who touched it, and when?',
    automaticEvidence: 'Content hashes of every dataset file; a tamper-evident custody log of every import, scan and export in the case.',
    auditorEvidence: 'Source, licence, labeller, collection dates.',
  },
  {
    id: 'P02', phase: 1, title: 'Data poisoning scan',
    question: 'Are there injected samples that could plant a backdoor or skew a boundary?',
    automaticEvidence: 'Poisoning indicators: label-conflicting duplicates, trigger tokens or patches tied to one label, feature outliers, invisible or bidirectional Unicode, near-duplicate clusters.',
    auditorEvidence: 'Review of flagged rows.',
  },
  {
    id: 'P03', phase: 1, title: 'PII and sensitive data',
    question: 'Is personal or secret data in the training set?',
    automaticEvidence: 'PII and secret findings with validated detectors, counts per column, a masked export.',
    auditorEvidence: 'Sign-off that the masking is sufficient.',
  },
  {
    id: 'P04', phase: 1, title: 'Access control on data stores',
    question: 'Who can read and write the golden datasets?',
    automaticEvidence: 'Recorded file permissions of imported copies.',
    auditorEvidence: 'Access-policy description, attached IAM/ACL exports.',
  },
  {
    id: 'P05', phase: 2, title: 'Isolated development environment',
    question: 'Was the model built in a controlled, egress-restricted environment?',
    automaticEvidence: '',
    auditorEvidence: 'Environment description, attachments.',
  },
  {
    id: 'P06', phase: 2, title: 'Dependency scanning',
    question: 'Do the training and serving dependencies carry known vulnerabilities or look-alike package names?',
    automaticEvidence: 'Offline vulnerability match of requirements and lock files against an imported advisory database; typosquat warnings.',
    auditorEvidence: 'Waivers with justification.',
  },
  {
    id: 'P07', phase: 2, title: 'Architecture security review',
    question: 'Is the architecture more complex or opaque than the task needs?',
    automaticEvidence: 'Graph summary of an ONNX model: operator counts, custom-op domains, control-flow and comparison nodes fed by the input, parameter count.',
    auditorEvidence: 'Review notes.',
  },
  {
    id: 'P08', phase: 2, title: 'Vetting and fingerprinting pre-trained models',
    question: 'Is this exactly the model its publisher released, and does it behave as expected?',
    automaticEvidence: 'SHA-256 of every file checked against a published digest or a verified signature; behavioural fingerprint and baseline tests in the sandbox; backdoor probes.',
    auditorEvidence: 'Source, publisher, download record.',
  },
  {
    id: 'P09', phase: 2, title: 'Training infrastructure security',
    question: 'Was the training cluster hardened?',
    automaticEvidence: '',
    auditorEvidence: 'Description, attachments.',
  },
  {
    id: 'P10', phase: 3, title: 'Unsafe serialization',
    question: 'Can loading this artifact execute code?',
    automaticEvidence: 'Static scans of pickle and every container that embeds it, Keras lambdas, GGUF chat templates, ONNX external data, archives.',
    auditorEvidence: 'Accepted-risk notes.',
  },
  {
    id: 'P11', phase: 3, title: 'Cryptographic signing',
    question: 'Is the artifact signed, by whom, and does the signature verify?',
    automaticEvidence: 'Offline signature verification of the model files; the signer\'s key and identity.',
    auditorEvidence: 'Key-trust decision.',
  },
  {
    id: 'P12', phase: 3, title: 'Model registry and versioning',
    question: 'Is the model tracked with version, lineage, metrics and a rollback path?',
    automaticEvidence: 'The workstation\'s own intake registry: version, hashes, parent version, state history.',
    auditorEvidence: 'Link to the external registry entry.',
  },
  {
    id: 'P13', phase: 4, title: 'Hardened deployment pipeline',
    question: 'Can someone swap the model between registry and production?',
    automaticEvidence: '',
    auditorEvidence: 'Pipeline review, branch-protection and approver evidence.',
  },
  {
    id: 'P14', phase: 4, title: 'Input validation and prompt injection',
    question: 'Does the system resist inputs crafted to override its instructions?',
    automaticEvidence: 'For text models run in the sandbox: a probe suite of injection prompts and its results.',
    auditorEvidence: 'Red-team notes.',
  },
  {
    id: 'P15', phase: 4, title: 'Output filtering and guardrails',
    question: 'Is the model\'s output checked before it reaches users?',
    automaticEvidence: 'PII and secret scan of sandboxed outputs from the probe suite.',
    auditorEvidence: 'Guardrail description.',
  },
  {
    id: 'P16', phase: 4, title: 'Resource isolation and sandboxing',
    question: 'Does inference run with least privilege?',
    automaticEvidence: 'The workstation\'s own sandbox report for each run (limits in force, denied operations).',
    auditorEvidence: 'Production isolation description.',
  },
  {
    id: 'P17', phase: 5, title: 'Drift and adversarial monitoring',
    question: 'Would anyone notice drift or an attack in production?',
    automaticEvidence: 'Drift statistics between a reference dataset and a production sample (PSI, KS); confidence shifts measured in the sandbox.',
    auditorEvidence: 'Monitoring and alerting description.',
  },
  {
    id: 'P18', phase: 5, title: 'AI incident response plan',
    question: 'Can the team disable, roll back and investigate a misbehaving model?',
    automaticEvidence: 'The rollback target recorded in the intake registry.',
    auditorEvidence: 'Plan document, owners.',
  },
  {
    id: 'P19', phase: 5, title: 'Red teaming and vulnerability scanning',
    question: 'Has anyone tried to break this model?',
    automaticEvidence: 'Results of every sandboxed probe run (evasion, trigger, injection, extraction-style query budgets).',
    auditorEvidence: 'Red-team report.',
  },
  {
    id: 'P20', phase: 5, title: 'Secure decommissioning',
    question: 'When the model is retired, are endpoints, artifacts and data handled?',
    automaticEvidence: 'Decommission record in the registry: archived hashes, deletion attestations.',
    auditorEvidence: 'Decommission checklist sign-off.',
  },
];

const byId = new Map(CHECKLIST.map((p) => [p.id, p]));

export function checklistPoint(id: PointId): ChecklistPoint {
  const point = byId.get(id);
  if (!point) throw new Error(`unknown checklist point ${id}`);
  return point;
}

export function isPointId(value: string): value is PointId {
  return byId.has(value as PointId);
}
