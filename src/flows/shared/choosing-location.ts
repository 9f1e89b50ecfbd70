/**
 * Choosing where a job runs and confirming its cost, built once: the quote (offers and budget, fetched
 * together), a pick among the offers (skipped when only this machine, free, is offered), and the confirm
 * transition that starts the job only within every budget cap and otherwise says which cap it breaks.
 */
export interface LocationStepOptions<TQuote, TFree, TBack, TPicked> {
  /** The state's own name ("CHOOSING_TRAINING_LOCATION"): BACK from the next step returns here. */
  name: string;
  /** The quoting actor and its input. */
  quote: TQuote;
  /** Where the only, free offer leads, and what else it does. */
  free: TFree;
  /** Where a picked offer leads (its actions run after `takeOffer`). */
  picked: { target: string; actions?: TPicked };
  /** The BACK transitions (backTransitions). */
  back: TBack;
}

export function locationStep<const TQuote, const TFree, const TBack, const TPicked extends string = never>(
  machineId: string,
  options: LocationStepOptions<TQuote, TFree, TBack, TPicked>,
) {
  const takeOffer = { type: "takeOffer", params: { from: options.name } } as const;
  const pickedActions =
    options.picked.actions === undefined ? [takeOffer] : [takeOffer, options.picked.actions];
  return {
    initial: "quoting",
    on: { "user.back": options.back },
    states: {
      quoting: {
        invoke: {
          ...options.quote,
          onDone: [
            { guard: "onlyFreeOffer", ...options.free },
            { target: "ready", actions: "takeOffers" },
          ],
          onError: { target: `#${machineId}.FAILED`, actions: "recordError" },
        },
      },
      ready: {
        on: {
          "user.pickOffer": { guard: "isOffer", target: options.picked.target, actions: pickedActions },
        },
      },
    },
  } as const;
}

/** The confirm transition: start the job within budget, or stay and name the cap it breaks. */
export function confirmCost<const TActions>(target: string, actions: TActions) {
  return [{ guard: "isWithinBudget", target, actions }, { actions: "refuseOverBudget" }] as const;
}
