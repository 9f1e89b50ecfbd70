/** Fraction of equal entries (accuracy on class indices). */
export function accuracyOf(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return yTrue.length === 0 ? Number.NaN : hit / yTrue.length;
}
