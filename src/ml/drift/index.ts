export {
  checkDrift,
  type DriftReason,
  type DriftReport,
  type FeatureDrift,
  KS_ALPHA,
  kolmogorovUpper,
  OUTSIDE_LIMIT,
  outsideTrainingDomain,
  PSI_LIMIT,
} from "./check.js";
export { buildTrainingProfile, type FeatureProfile, type TrainingProfile } from "./profile.js";
