/** The location picker names the worker fleet in the user's language (the offer carries numbers, not words). */
import { describe, expect, it } from "vitest";
import { en } from "../../../src/bot/i18n/en.js";
import { pt } from "../../../src/bot/i18n/pt.js";
import { predictionLocationView } from "../../../src/bot/views/prediction.js";
import { locationView } from "../../../src/bot/views/training.js";
import type { ComputeOffer } from "../../../src/cloud/offers.js";
import type { PredictionContext } from "../../../src/flows/prediction/machine.js";
import type { TrainingContext } from "../../../src/flows/training/machine.js";
import { LOCAL_OFFER } from "../../flows/fixtures.js";

const fleetOffer: ComputeOffer = {
  ...LOCAL_OFFER,
  estimatedMinutes: 2,
  fleet: { online: 3, busy: 1, waitMinutes: 2 },
};

describe("the location picker with a worker fleet", () => {
  it("says how the fleet stands in English and in Portuguese, in the list and on the button", () => {
    const training = { workflowId: "wf-1", offers: [fleetOffer] } as unknown as TrainingContext;
    const english = locationView(en, training, false);
    expect(english.text).toContain("Workers · 3 online, 1 busy · about 2 min wait");
    const portuguese = locationView(pt, training, false);
    expect(portuguese.text).toContain("Workers · 3 on-line, 1 ocupado · cerca de 2 min de espera");
    const buttons = portuguese.keyboard?.inline_keyboard.flat().map((button) => button.text) ?? [];
    expect(buttons.some((text) => text.startsWith("1. Workers · 3 on"))).toBe(true);

    const prediction = { workflowId: "wf-2", offers: [fleetOffer] } as unknown as PredictionContext;
    expect(predictionLocationView(pt, prediction, false).text).toContain("Workers · 3 on-line, 1 ocupado");
  });

  it("names an offer without a fleet by its own label", () => {
    const training = {
      workflowId: "wf-3",
      offers: [{ ...fleetOffer, fleet: undefined }],
    } as unknown as TrainingContext;
    expect(locationView(pt, training, false).text).toContain("This machine");
  });
});
