// The shipped default intake policy, byte for byte the readable file assets/policy/intake-policy.json
// (a test keeps the two identical). Embedded so every face has it — the packaged app ships its
// bundles, not the source tree — and so its SHA-256 is the same as `sha256sum` of that file.
export const DEFAULT_POLICY_SOURCE = 'assets/policy/intake-policy.json (shipped default)';

export const DEFAULT_POLICY_TEXT = `{
  "$comment": [
    "Assay intake policy: which intake decisions a case allows. Edit this file to match your organisation's rules.",
    "A case may always be rejected. 'approved' needs every requirement below met or waived; 'approved-with-conditions' tolerates the requirements marked as conditions.",
    "Every $comment is documentation only. The policy in force, its SHA-256, the decision and the waivers are written into the audit bundle and the custody log."
  ],
  "format": "assay-intake-policy",
  "version": 1,
  "name": "Assay default intake policy",
  "approval": {
    "$comment": [
      "blockingSeverities: an open finding (not accepted, not a false positive) of these severities blocks approval.",
      "requireAllPointsReviewed: every one of the 20 checklist points must have a status other than not_reviewed.",
      "mustPass: these points must have the status pass (not partial, fail or not_applicable).",
      "failedPointBlocks: any other point with the status fail blocks approval.",
      "partialPointNeedsConditions: a point with the status partial allows approval only with conditions."
    ],
    "blockingSeverities": ["critical", "high"],
    "requireAllPointsReviewed": true,
    "mustPass": ["P08", "P10", "P11"],
    "failedPointBlocks": true,
    "partialPointNeedsConditions": true
  },
  "waivers": {
    "$comment": [
      "A waiver is recorded per checklist point with a justification; it lifts the requirements above for that point, and the open findings whose every linked point is waived.",
      "allowed: whether waivers are accepted at all.",
      "minJustificationLength: shortest accepted justification, in characters.",
      "notWaivable: points no waiver can lift."
    ],
    "allowed": true,
    "minJustificationLength": 20,
    "notWaivable": []
  },
  "decision": {
    "$comment": [
      "minJustificationLength: shortest accepted justification of the decision itself, in characters.",
      "conditionsRequired: 'approved-with-conditions' must list at least one condition."
    ],
    "minJustificationLength": 10,
    "conditionsRequired": true
  }
}
`;
