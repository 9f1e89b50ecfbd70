/**
 * Saving the current choices as a template, built once: ask for a name (the one naming rule,
 * state/names.ts), save it, and come back to the screen with a notice either way.
 */
export function templateNamingStates<const TInput>(input: TInput, options: { backToIdle: boolean }) {
  const back = options.backToIdle
    ? ({ "user.back": { target: "idle", actions: "clearNotice" } } as const)
    : {};
  return {
    idle: { on: { "user.saveTemplate": { target: "namingTemplate", actions: "clearNotice" } } },
    namingTemplate: {
      on: {
        "user.typedText": [
          { guard: "isValidTemplateName", target: "savingTemplate", actions: "takeTemplateName" },
          { actions: "refuseTemplateName" },
        ],
        ...back,
      },
    },
    savingTemplate: {
      invoke: {
        src: "saveTemplate",
        input,
        onDone: { target: "idle", actions: "templateSaved" },
        onError: { target: "namingTemplate", actions: "showError" },
      },
    },
  } as const;
}
