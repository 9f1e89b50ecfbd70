/**
 * Typed callback data, one codec per button family (as bot-base's `callback-data/` does): a family has its
 * own vocabulary of actions, `pack` builds the data (Telegram's 64 bytes checked there, so an oversized
 * button fails where it is made, not when Telegram refuses the whole keyboard), `unpack` reads it back or
 * answers undefined for data that is not this family's, and `filter` matches the family's presses.
 *
 * The wire format is the one buttons in already-sent messages carry: `{scope}|{code}|{arg}`. The scope is the
 * short id of the workflow the button belongs to (so a press on a finished or replaced workflow's menu is
 * recognised as stale) or "-" for screens outside workflows (/models, /budget …).
 */

export const CALLBACK_DATA_LIMIT = 64;
/** The scope of buttons that belong to no workflow. */
export const SCREEN_SCOPE = "-";
const SEPARATOR = "|";

/** Action name → the short code that goes on the wire (codes must never change: old buttons carry them). */
export type Vocabulary = Readonly<Record<string, string>>;

export interface Press<Action extends string> {
  scope: string;
  action: Action;
  arg?: string;
}

function encode(scope: string, code: string, arg: string | number | undefined): string {
  const data = [scope, code, arg].filter((part) => part !== undefined).join(SEPARATOR);
  if (Buffer.byteLength(data, "utf8") > CALLBACK_DATA_LIMIT) {
    throw new RangeError(`callback data over ${CALLBACK_DATA_LIMIT} bytes: ${data}`);
  }
  return data;
}

function split(data: string): { scope: string; code: string; arg?: string } | undefined {
  const [scope, code, ...rest] = data.split(SEPARATOR);
  if (!scope || !code) return undefined;
  return rest.length > 0 ? { scope, code, arg: rest.join(SEPARATOR) } : { scope, code };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function actionsByCode<V extends Vocabulary>(vocabulary: V): Map<string, keyof V & string> {
  const byCode = new Map<string, keyof V & string>();
  for (const [action, code] of Object.entries(vocabulary)) {
    if (byCode.has(code)) throw new Error(`callback code "${code}" is used twice`);
    if (code.includes(SEPARATOR)) throw new Error(`callback code "${code}" contains "${SEPARATOR}"`);
    byCode.set(code, action);
  }
  return byCode;
}

/** The buttons of one workflow's screens: every button carries the workflow's short id. */
export function workflowButtons<const V extends Vocabulary>(vocabulary: V) {
  type Action = keyof V & string;
  const byCode = actionsByCode(vocabulary);
  return {
    vocabulary,
    pack(workflowId: string, action: Action, arg?: string | number): string {
      if (workflowId === SCREEN_SCOPE || workflowId.includes(SEPARATOR))
        throw new RangeError(`not a workflow id: "${workflowId}"`);
      return encode(workflowId, vocabulary[action], arg);
    },
    /** The press, or undefined when the data is not a workflow button of this vocabulary. */
    unpack(data: string): Press<Action> | undefined {
      const parts = split(data);
      const action = parts && parts.scope !== SCREEN_SCOPE ? byCode.get(parts.code) : undefined;
      return parts && action ? { scope: parts.scope, action, arg: parts.arg } : undefined;
    },
  };
}

/** The buttons of one screen outside workflows (/models, /budget …): scope "-". */
export function screenButtons<const V extends Vocabulary>(vocabulary: V) {
  type Action = keyof V & string;
  const byCode = actionsByCode(vocabulary);
  const codes = [...byCode.keys()].map(escapeRegExp).join("|");
  return {
    vocabulary,
    pack(action: Action, arg?: string | number): string {
      return encode(SCREEN_SCOPE, vocabulary[action], arg);
    },
    unpack(data: string): Press<Action> | undefined {
      const parts = split(data);
      const action = parts?.scope === SCREEN_SCOPE ? byCode.get(parts.code) : undefined;
      return parts && action ? { scope: SCREEN_SCOPE, action, arg: parts.arg } : undefined;
    },
    /** Matches this screen's presses, for `composer.callbackQuery(codec.filter, …)`. */
    filter: new RegExp(
      `^${escapeRegExp(SCREEN_SCOPE + SEPARATOR)}(?:${codes})(?:${escapeRegExp(SEPARATOR)}|$)`,
    ),
  };
}

/** A workflow button of any vocabulary (its scope is a workflow id), for the workflow router. */
export function workflowScopeOf(data: string): string | undefined {
  const parts = split(data);
  return parts && parts.scope !== SCREEN_SCOPE ? parts.scope : undefined;
}
