/** validateHyperparameters: typed or button values → the estimator's full parameter object, or one clear error. */
import type { ZodType } from "zod";
import { InvalidParameterError } from "./errors.js";
import { describeValue } from "./params.js";
import { getModelSpec } from "./registry.js";

/** Validates hyperparameters against the registry schema; message shape of STYLE R20. */
export function validateHyperparameters(
  modelType: string,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const spec = getModelSpec(modelType);
  const shape = spec.params.shape as Record<string, ZodType>;
  values = camelCaseKeys(values, shape);
  for (const [key, value] of Object.entries(values)) {
    const field = shape[key];
    if (!field) {
      const valid = Object.keys(shape);
      throw new InvalidParameterError(
        `'${key}' is not a parameter of ${spec.estimatorName}. ` +
          (valid.length > 0 ? `Valid parameters: ${valid.join(", ")}.` : "It takes no parameters."),
        { modelType: spec.id, parameter: key },
      );
    }
    if (value === undefined) continue;
    if (!field.safeParse(value).success) {
      throw new InvalidParameterError(
        `The '${key}' parameter of ${spec.estimatorName} must be ${field.description ?? "valid"}. Got ${describeValue(value)}.`,
        { modelType: spec.id, parameter: key, value: describeValue(value), constraint: field.description },
      );
    }
  }
  const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  return spec.params.parse(defined) as Record<string, unknown>;
}

/** The libraries spell parameters in snake_case (n_estimators, reg_lambda); ours are camelCase. */
function camelCaseKeys(
  values: Record<string, unknown>,
  shape: Record<string, ZodType>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    out[!(key in shape) && camel in shape ? camel : key] = value;
  }
  return out;
}
