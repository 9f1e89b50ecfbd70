/**
 * The workflows the bot runs, with their ports provided: what src/state hosts and persists.
 */
import type { WorkflowDefinition } from "../state/definitions.js";
import type { FlowPorts } from "./ports.js";
import { predictionActors } from "./prediction/actors.js";
import { PREDICTION_MACHINE_VERSION, predictionMachine } from "./prediction/machine.js";
import { trainingActors } from "./training/actors.js";
import { migrateTrainingSnapshot, TRAINING_MACHINE_VERSION, trainingMachine } from "./training/machine.js";

export type WorkflowType = "training" | "prediction";

export function createWorkflowDefinitions(ports: FlowPorts): WorkflowDefinition[] {
  return [
    {
      type: "training",
      version: TRAINING_MACHINE_VERSION,
      machine: trainingMachine.provide({ actors: trainingActors(ports) }),
      migrate: migrateTrainingSnapshot,
    },
    {
      type: "prediction",
      version: PREDICTION_MACHINE_VERSION,
      machine: predictionMachine.provide({ actors: predictionActors(ports) }),
    },
  ];
}

export type { DatasetSummary, FlowPorts, ModelChoice } from "./ports.js";
export type { PredictionContext, PredictionEvent } from "./prediction/machine.js";
export type { TrainingContext, TrainingEvent } from "./training/machine.js";
