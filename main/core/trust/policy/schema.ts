// The intake policy, the intake decision and per-point waivers. The validators live in shared/
// (the renderer and the bundle view use them too); this module re-exports them for the engine.
export {
  DECISION_OUTCOMES, IntakeDecisionSchema, IntakePolicySchema, POLICY_FORMAT, PolicyInForceSchema, WaiverSchema,
  type DecisionOutcome, type IntakeDecision, type IntakePolicy, type PolicyInForce, type Waiver,
} from '../../../../shared/api/methods/trust-schemas.ts';
