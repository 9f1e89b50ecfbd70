/**
 * The workflows the bot runs, with their ports provided: what src/state hosts and persists.
 */
import type { WorkflowDefinition } from "../state/definitions.js";
import type { FlowPorts } from "./ports.js";
import { predictionActors } from "./prediction/actors.js";
import {
  PREDICTION_MACHINE_VERSION,
  PREDICTION_MIGRATIONS,
  predictionMachine,
} from "./prediction/machine.js";
import { statsActors } from "./stats/actors.js";
import { STATS_MACHINE_VERSION, statsMachine } from "./stats/machine.js";
import { trainingActors } from "./training/actors.js";
import { TRAINING_MACHINE_VERSION, TRAINING_MIGRATIONS, trainingMachine } from "./training/machine.js";

export type WorkflowType = "training" | "prediction" | "stats";

export function createWorkflowDefinitions(ports: FlowPorts): WorkflowDefinition[] {
  return [
    {
      type: "training",
      version: TRAINING_MACHINE_VERSION,
      machine: trainingMachine.provide({ actors: trainingActors(ports) }),
      migrations: TRAINING_MIGRATIONS,
    },
    {
      type: "prediction",
      version: PREDICTION_MACHINE_VERSION,
      machine: predictionMachine.provide({ actors: predictionActors(ports) }),
      migrations: PREDICTION_MIGRATIONS,
    },
    {
      type: "stats",
      version: STATS_MACHINE_VERSION,
      machine: statsMachine.provide({ actors: statsActors(ports) }),
    },
  ];
}

export { JOB_STATES } from "./active-jobs.js";
export type { DatasetSummary, FlowPorts, ModelChoice } from "./ports.js";
export type { PredictionContext, PredictionEvent } from "./prediction/machine.js";
export type { StatsContext, StatsEvent } from "./stats/machine.js";
export type { TrainingContext, TrainingEvent } from "./training/machine.js";
