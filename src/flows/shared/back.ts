/**
 * BACK as explicit transitions: each state lists the steps it may have come from; the one on top of
 * context.history wins, and the `goBack` action (defined per machine) clears what later steps set.
 */

/** Transitions for `user.back` from a state that may have been reached from any of `targets`. */
export function backTransitions(machineId: string, ...targets: string[]) {
  return targets.map((target) => ({
    guard: { type: "cameFrom" as const, params: { state: target } },
    target: `#${machineId}.${target}`,
    actions: { type: "goBack" as const, params: { to: target } },
  }));
}

/**
 * The context update of BACK to `to`: pops the history and resets what `to` and every later step chose, so the
 * step is asked again from a clean slate and nothing chosen after it lingers.
 * @param order the forward steps in order
 * @param owned what each step sets in context (the values they are reset to)
 */
export function popHistoryTo<C extends { history: string[] }>(
  context: C,
  to: string,
  order: readonly string[],
  owned: Readonly<Record<string, Partial<C>>>,
): Partial<C> {
  const index = order.indexOf(to);
  const cleared: Partial<C> = Object.assign({}, ...order.slice(index).map((step) => owned[step]));
  return {
    ...cleared,
    history: context.history.slice(0, -1),
    notice: undefined,
    error: undefined,
  } as Partial<C>;
}
