/** Button codecs: round trips, the wire format of buttons already sent, the 64-byte limit, foreign data. */
import { describe, expect, it } from "vitest";
import { CALLBACK_DATA_LIMIT, screenButtons, workflowScopeOf } from "../../src/bot/callback-data.js";
import { deleteButtons } from "../../src/bot/dialogs.js";
import { modelButtons } from "../../src/bot/features/models.js";
import {
  predictionButtons,
  sharedButtons,
  statsButtons,
  trainingButtons,
} from "../../src/bot/views/buttons.js";

describe("workflow button codecs", () => {
  it("packs to the wire format of buttons already sent, and reads it back", () => {
    expect(trainingButtons.pack("k3x9", "pickTarget", 4)).toBe("k3x9|pt|4");
    expect(trainingButtons.pack("k3x9", "setParam", "C:2")).toBe("k3x9|prm|C:2");
    expect(sharedButtons.pack("k3x9", "cancel")).toBe("k3x9|cx");
    expect(trainingButtons.unpack("k3x9|prm|C:2")).toEqual({ scope: "k3x9", action: "setParam", arg: "C:2" });
    expect(trainingButtons.unpack("k3x9|cx")).toEqual({ scope: "k3x9", action: "cancel" });
  });

  it("decodes buttons as they were sent before the codecs, each with its own workflow's vocabulary", () => {
    const sent = {
      training: [
        "ab12|acc",
        "ab12|tgt",
        "ab12|task|c",
        "ab12|fdone",
        "ab12|mdl|ridge",
        "ab12|off|2",
        "ab12|go",
      ],
      prediction: ["ab12|pm|0", "ab12|col", "ab12|run", "ab12|pa", "ab12|back"],
      stats: ["ab12|tst|ttest", "ab12|pcl|3", "ab12|at", "ab12|done"],
    };
    expect(sent.training.map((d) => trainingButtons.unpack(d)?.action)).toEqual([
      "acceptSchema",
      "changeTarget",
      "setTask",
      "featuresDone",
      "pickModel",
      "pickOffer",
      "launch",
    ]);
    expect(sent.prediction.map((d) => predictionButtons.unpack(d)?.action)).toEqual([
      "pickPredictionModel",
      "useDefaultColumn",
      "run",
      "predictAnyway",
      "back",
    ]);
    expect(sent.stats.map((d) => statsButtons.unpack(d)?.action)).toEqual([
      "pickTest",
      "pickColumn",
      "anotherTest",
      "done",
    ]);
  });

  it("does not read another workflow's buttons, screen buttons or foreign data (they get the stale answer)", () => {
    expect(trainingButtons.unpack("ab12|tst|ttest")).toBeUndefined(); // a stats button
    expect(statsButtons.unpack("ab12|go")).toBeUndefined(); // a training button
    expect(trainingButtons.unpack("-|mr|model_1")).toBeUndefined(); // a /models button
    expect(trainingButtons.unpack("whatever")).toBeUndefined();
    expect(workflowScopeOf("ab12|go")).toBe("ab12");
    expect(workflowScopeOf("-|mr|m")).toBeUndefined();
    expect(workflowScopeOf("again")).toBeUndefined();
  });

  it("refuses data over Telegram's 64 bytes when the button is made", () => {
    const fits = "x".repeat(CALLBACK_DATA_LIMIT - "ab12|dsp|".length);
    expect(Buffer.byteLength(sharedButtons.pack("ab12", "pickDataset", fits))).toBe(CALLBACK_DATA_LIMIT);
    expect(() => sharedButtons.pack("ab12", "pickDataset", `${fits}x`)).toThrow(RangeError);
    // bytes, not characters
    expect(() => sharedButtons.pack("ab12", "pickDataset", "é".repeat(28))).toThrow(/over 64 bytes/);
  });

  it("refuses a workflow id that is not one", () => {
    expect(() => trainingButtons.pack("-", "launch")).toThrow(RangeError);
    expect(() => trainingButtons.pack("a|b", "launch")).toThrow(RangeError);
  });
});

describe("screen button codecs", () => {
  it("read their own vocabulary only, and their filter matches exactly their presses", () => {
    expect(modelButtons.pack("rename", "model_abc")).toBe("-|mr|model_abc");
    expect(modelButtons.unpack("-|mo|model_abc")).toEqual({ scope: "-", action: "open", arg: "model_abc" });
    // The delete's Yes belongs to the confirmation dialog's family, with the code buttons already sent carry.
    expect(modelButtons.unpack("-|mdy|model_abc")).toBeUndefined();
    expect(deleteButtons.unpack("-|mdy|model_abc")).toEqual({
      scope: "-",
      action: "model",
      arg: "model_abc",
    });
    expect(deleteButtons.pack("dataset", "ds_1")).toBe("-|ddy|ds_1");
    expect(modelButtons.unpack("-|dd|ds_1")).toBeUndefined(); // a /datasets button
    expect(modelButtons.unpack("ab12|mr|x")).toBeUndefined(); // a workflow's scope
    expect(modelButtons.filter.test("-|ml|0")).toBe(true);
    expect(modelButtons.filter.test("-|md|m1")).toBe(true);
    expect(modelButtons.filter.test("-|mdx|m1")).toBe(false); // a prefix of a code is not the code
    expect(modelButtons.filter.test("ab12|mo|m1")).toBe(false);
  });

  it("refuses a vocabulary that would make two actions one code", () => {
    expect(() => screenButtons({ a: "x", b: "x" })).toThrow(/used twice/);
    expect(() => screenButtons({ a: "x|y" })).toThrow(/contains/);
  });
});
