/** Random-forest parameters as the registry's defaults give them, with the trees and threads a test picks. */
export function forestParams(nEstimators: number, threads = 1) {
  return {
    nEstimators,
    maxDepth: null,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
    maxFeatures: "auto" as const,
    bootstrap: true,
    criterion: "gini" as const,
    threads,
  };
}
