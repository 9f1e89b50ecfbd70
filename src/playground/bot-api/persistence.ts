/**
 * Optional JSON persistence for the playground, so a demo survives `npm start` restarts: users, chats and
 * transcripts, commands, unconfirmed updates and files (bytes in a sibling folder, one file per upload).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatState, Store, StoredFile, UserState } from "./store.js";
import type { TgBotCommand, TgMessage, TgUpdate } from "./types.js";
import type { UpdateQueue } from "./updates.js";

interface PersistedState {
  version: 1;
  users: UserState[];
  chats: Array<Omit<ChatState, "messages"> & { messages: TgMessage[] }>;
  files: Array<Omit<StoredFile, "bytes">>;
  commands: Array<[string, TgBotCommand[]]>;
  counters: Store["counters"];
  updates: { nextId: number; pending: TgUpdate[]; allowed: string[] | null };
}

const SAVE_DELAY_MS = 200;

export class StatePersistence {
  private timer: NodeJS.Timeout | null = null;
  private readonly filesDir: string;
  private readonly written = new Set<string>();

  constructor(
    private readonly stateFile: string,
    private readonly store: Store,
    private readonly updates: UpdateQueue,
  ) {
    this.filesDir = `${stateFile}.files`;
  }

  /** Loads a previous session if the state file exists. */
  load(): void {
    if (!existsSync(this.stateFile)) return;
    const state = JSON.parse(readFileSync(this.stateFile, "utf8")) as PersistedState;
    if (state.version !== 1) return;
    for (const user of state.users) this.store.users.set(user.user.id, user);
    for (const chat of state.chats) {
      const messages = new Map(chat.messages.map((m) => [m.message_id, m]));
      this.store.chats.set(chat.chat.id, { ...chat, messages });
    }
    for (const meta of state.files) {
      const path = join(this.filesDir, meta.uniqueId);
      if (!existsSync(path)) continue;
      const file: StoredFile = { ...meta, bytes: readFileSync(path) };
      this.store.files.set(file.fileId, file);
      if (file.filePath) this.store.filePathFor(file);
      this.written.add(file.uniqueId);
    }
    for (const [key, list] of state.commands) this.store.commands.set(key, list);
    this.store.counters = state.counters;
    this.updates.restore(state.updates);
  }

  /** Saves a moment later, so a burst of changes is one write. */
  scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.save();
    }, SAVE_DELAY_MS);
  }

  /** Writes now (used on close). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.save();
  }

  private save(): void {
    mkdirSync(this.filesDir, { recursive: true });
    const files: PersistedState["files"] = [];
    for (const file of this.store.files.values()) {
      const { bytes, ...meta } = file;
      if (!this.written.has(file.uniqueId)) {
        writeFileSync(join(this.filesDir, file.uniqueId), bytes);
        this.written.add(file.uniqueId);
      }
      files.push(meta);
    }
    const state: PersistedState = {
      version: 1,
      users: [...this.store.users.values()],
      chats: [...this.store.chats.values()].map((c) => ({ ...c, messages: [...c.messages.values()] })),
      files,
      commands: [...this.store.commands.entries()],
      counters: this.store.counters,
      updates: this.updates.snapshot(),
    };
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, this.stateFile);
  }
}
