/** Portuguese texts. Until the translation lands this is the English dictionary (same shape). */
import { en, type Texts } from "./en.js";

export const pt: Texts = en;
