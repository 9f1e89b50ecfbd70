/**
 * The training steps between reading the data and choosing where to run: the schema (target, features, task),
 * the model family and model, and its hyperparameters.
 */
import { assign } from "xstate";
import { backTransitions } from "../shared/back.js";
import { trainingSetup } from "./setup.js";
import {
  forwardFrom,
  paramUpdate,
  setFeatures,
  toggledFeature,
  typedFeatures,
  typedTarget,
  withTarget,
} from "./steps.js";

/** BACK to one of `targets`, whichever was the previous step. */
export const back = (...targets: string[]) => backTransitions("training", ...targets);

export const CONFIRMING_SCHEMA = trainingSetup.createStateConfig({
  on: {
    "user.acceptSchema": [
      {
        guard: "templateReady",
        target: "CHOOSING_TRAINING_LOCATION",
        actions: assign(({ context }) => ({
          ...forwardFrom(context, "CONFIRMING_SCHEMA"),
          notice: undefined,
        })),
      },
      {
        guard: "canStartModelChoice",
        target: "SELECTING_MODEL_CATEGORY",
        actions: assign(({ context }) => ({
          ...forwardFrom(context, "CONFIRMING_SCHEMA"),
          notice: undefined,
        })),
      },
    ],
    "user.changeTarget": { target: "SELECTING_TARGET", actions: assign({ page: 0, notice: undefined }) },
    "user.chooseFeatures": [
      {
        guard: "hasTarget",
        target: "SELECTING_FEATURES",
        actions: assign({ page: 0, notice: undefined }),
      },
      { target: "SELECTING_TARGET", actions: assign({ page: 0, notice: undefined }) },
    ],
    "user.setTask": {
      guard: "isAllowedTask",
      actions: assign({
        task: ({ event }) => event.task,
        modelType: undefined,
        modelName: undefined,
        category: undefined,
      }),
    },
    "user.back": back("CHOOSING_DATA_SOURCE"),
  },
});

export const SELECTING_TARGET = trainingSetup.createStateConfig({
  on: {
    "user.pickTarget": [
      {
        guard: "isUsableTarget",
        target: "CONFIRMING_SCHEMA",
        actions: assign(({ context, event }) => ({
          ...withTarget(context, event.column)!,
          templateConfig: undefined,
        })),
      },
      {
        actions: assign({
          notice: ({ event }) => ({
            key: "notATarget",
            params: { column: (event as { column: string }).column },
          }),
        }),
      },
    ],
    "user.typedText": [
      {
        guard: "isTypedTarget",
        target: "CONFIRMING_SCHEMA",
        actions: assign(({ context, event }) => ({
          ...typedTarget(context, event.text),
          templateConfig: undefined,
        })),
      },
      { actions: assign(({ context, event }) => typedTarget(context, event.text)) },
    ],
    "user.page": { actions: assign({ page: ({ event }) => Math.max(0, event.page) }) },
    "user.back": { target: "CONFIRMING_SCHEMA", actions: assign({ page: 0, notice: undefined }) },
  },
});

export const SELECTING_FEATURES = trainingSetup.createStateConfig({
  on: {
    "user.toggleFeature": {
      actions: assign(({ context, event }) => toggledFeature(context, event.column)),
    },
    "user.setFeatures": { actions: assign(({ context, event }) => setFeatures(context, event.columns)) },
    "user.typedText": { actions: assign(({ context, event }) => typedFeatures(context, event.text)) },
    "user.page": { actions: assign({ page: ({ event }) => Math.max(0, event.page) }) },
    "user.featuresDone": [
      {
        guard: "hasFeatures",
        target: "CONFIRMING_SCHEMA",
        actions: assign({ page: 0, notice: undefined }),
      },
      { actions: assign({ notice: { key: "noFeatures" } }) },
    ],
    "user.back": [
      {
        guard: "hasFeatures",
        target: "CONFIRMING_SCHEMA",
        actions: assign({ page: 0, notice: undefined }),
      },
      { actions: assign({ notice: { key: "noFeatures" } }) },
    ],
  },
});

export const SELECTING_MODEL_CATEGORY = trainingSetup.createStateConfig({
  on: {
    "user.pickCategory": {
      guard: "isOfferedCategory",
      target: "CONFIRMING_MODEL",
      actions: assign(({ context, event }) => ({
        category: event.category,
        ...forwardFrom(context, "SELECTING_MODEL_CATEGORY"),
      })),
    },
    "user.back": back("CONFIRMING_SCHEMA"),
  },
});

export const CONFIRMING_MODEL = trainingSetup.createStateConfig({
  on: {
    "user.pickModel": [
      {
        guard: { type: "isOfferedModel" },
        target: "COLLECTING_HYPERPARAMETERS",
        actions: "takeModel",
      },
    ],
    "user.back": back("SELECTING_MODEL_CATEGORY"),
  },
});

export const COLLECTING_HYPERPARAMETERS = trainingSetup.createStateConfig({
  initial: "choosing",
  // Models without hyperparameters skip this step (BACK from the next one returns to the model list).
  always: { guard: "modelHasNoParams", target: "CHOOSING_TRAINING_LOCATION" },
  on: {
    "user.paramsDone": {
      target: "CHOOSING_TRAINING_LOCATION",
      actions: assign(({ context }) => ({
        ...forwardFrom(context, "COLLECTING_HYPERPARAMETERS"),
        notice: undefined,
        editingParam: undefined,
      })),
    },
    "user.resetParams": {
      target: ".choosing",
      actions: assign({ hyperparameters: {}, notice: undefined }),
    },
    "user.setParam": {
      target: ".choosing",
      actions: assign(({ context, event }) => paramUpdate(context, event.name, event.value)),
    },
    "user.back": back("CONFIRMING_MODEL"),
  },
  states: {
    choosing: {
      on: {
        "user.editParam": {
          guard: "isKnownParam",
          target: "typing",
          actions: assign({ editingParam: ({ event }) => event.name, notice: undefined }),
        },
      },
    },
    typing: {
      on: {
        "user.typedText": [
          {
            guard: "isTypedParam",
            target: "choosing",
            actions: assign(({ context, event }) => paramUpdate(context, context.editingParam!, event.text)),
          },
          {
            actions: assign(({ context, event }) => paramUpdate(context, context.editingParam!, event.text)),
          },
        ],
      },
    },
  },
});
