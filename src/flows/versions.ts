/**
 * Every machine's recorded shapes: version → SHA-256 of its shape (src/state/transition-graph.ts,
 * `shapeHash`). test/flows/versions.test.ts fails when a machine's shape no longer matches the hash of its
 * current version: a persisted snapshot names states and invoked actors, so a changed shape needs a version
 * bump, a step in the machine's migration table (TRAINING_MIGRATIONS …) and a new row here.
 * Context changes that views or actors rely on bump the version too; the shape may then stay the same.
 */
export const MACHINE_SHAPES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  training: {
    3: "e60795b39f742c879a2027d3f8cc57fb8b9e6aa8e4dd3a469aa19dd7c6e84cdf",
    // 4: the same states; context gained `modelName` (the screens read it instead of the ML registry).
    4: "e60795b39f742c879a2027d3f8cc57fb8b9e6aa8e4dd3a469aa19dd7c6e84cdf",
  },
  prediction: {
    3: "25716d8ac595419989f2f9a2f6b177b7fd4dbfca2ff9f217b12a434de99ebaab",
  },
  stats: {
    1: "186603b8b3c19b1a2bc24c03d49387211a9a6b9a6f3e9880988adf587847af10",
  },
};
