// The playground chat page: one simulated Telegram user (?user=ID) talking to the bot through the
// emulator's user-side endpoints, with live updates over server-sent events.
import { messageElement } from "./messages.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_USER_ID = 1001;
const TYPING_MS = 5000;

const state = { userId: currentUserId(), messages: new Map(), commands: [], bot: null, typingTimer: 0 };

function currentUserId() {
  const fromUrl = Number(new URLSearchParams(location.search).get("user"));
  const id = Number.isSafeInteger(fromUrl) && fromUrl > 0 ? fromUrl : DEFAULT_USER_ID;
  if (String(id) !== new URLSearchParams(location.search).get("user")) {
    history.replaceState(null, "", `?user=${id}`);
  }
  return id;
}

async function api(path, body) {
  const init = body instanceof FormData ? { method: "POST", body } : body ? jsonPost(body) : {};
  const response = await fetch(path, init);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error ?? response.statusText);
  return data;
}

function jsonPost(body) {
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

const messageActions = {
  onCommand: (command) => sendText(command),
  onImageLoad: () => scrollToEnd(),
  onPress: async (messageId, data) => {
    try {
      await api("/api/press", { user: state.userId, messageId, data });
    } catch (error) {
      toast(error.message);
      throw error;
    }
  },
};

function upsertMessage(message) {
  state.messages.set(message.message_id, message);
  const list = $("messages");
  const next = messageElement(message, messageActions);
  const existing = list.querySelector(`[data-id="${message.message_id}"]`);
  if (existing) existing.replaceWith(next);
  else {
    const later = [...list.children].find((li) => Number(li.dataset.id) > message.message_id);
    list.insertBefore(next, later ?? null);
    scrollToEnd();
  }
  $("empty").hidden = state.messages.size > 0;
}

function removeMessage(messageId) {
  state.messages.delete(messageId);
  $("messages").querySelector(`[data-id="${messageId}"]`)?.remove();
  $("empty").hidden = state.messages.size > 0;
}

function scrollToEnd() {
  const chat = $("chat");
  chat.scrollTop = chat.scrollHeight;
}

// === Menus, keyboards, status

function renderCommands(commands, shown = commands) {
  state.commands = commands;
  $("commands-button").hidden = commands.length === 0;
  const menu = $("command-menu");
  menu.replaceChildren(
    ...shown.map((c) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      const name = document.createElement("b");
      name.textContent = `/${c.command}`;
      const description = document.createElement("span");
      description.textContent = c.description;
      button.append(name, description);
      button.addEventListener("click", () => {
        menu.hidden = true;
        $("text-input").value = "";
        sendText(`/${c.command}`);
      });
      item.append(button);
      return item;
    }),
  );
}

/** While the user types "/tr", the menu shows the commands starting with it. */
function suggestCommands(value) {
  const typing = value.startsWith("/") && !/\s/.test(value);
  const matching = typing ? state.commands.filter((c) => `/${c.command}`.startsWith(value)) : [];
  if (matching.length > 0) renderCommands(state.commands, matching);
  $("command-menu").hidden = matching.length === 0;
}

function renderReplyKeyboard(keyboard) {
  const area = $("reply-keyboard");
  area.hidden = !keyboard;
  if (!keyboard) return area.replaceChildren();
  area.replaceChildren(
    ...keyboard.keyboard.map((row) => {
      const line = document.createElement("div");
      line.className = "row";
      for (const key of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = key.text;
        button.addEventListener("click", () => {
          if (keyboard.one_time_keyboard) area.hidden = true;
          sendText(key.text);
        });
        line.append(button);
      }
      return line;
    }),
  );
}

function setStatus(text) {
  $("status").textContent = text;
}

function showTyping(action) {
  setStatus(action === "typing" ? "typing…" : `${action.replaceAll("_", " ")}…`);
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => setStatus("bot"), TYPING_MS);
}

function toast(text, sticky = false) {
  const element = $("toast");
  element.textContent = text;
  element.hidden = false;
  element.classList.toggle("alert", sticky);
  clearTimeout(element.timer);
  if (!sticky) element.timer = setTimeout(() => (element.hidden = true), 3500);
}

// === Sending

async function sendText(text) {
  const trimmed = text.trim();
  if (!trimmed) return;
  try {
    await api("/api/send", { user: state.userId, text: trimmed });
  } catch (error) {
    toast(error.message);
  }
}

async function uploadFile(file) {
  const form = new FormData();
  form.append("user", String(state.userId));
  const caption = $("text-input").value.trim();
  if (caption) form.append("caption", caption);
  form.append("file", file, file.name);
  $("text-input").value = "";
  try {
    await api("/api/upload", form);
  } catch (error) {
    toast(error.message);
  }
}

// === Loading and live updates

async function load() {
  const data = await api(`/api/state?user=${state.userId}`);
  state.bot = data.bot;
  $("bot-name").textContent = data.bot.first_name;
  $("bot-avatar").textContent = data.bot.first_name.slice(0, 1);
  document.title = `${data.bot.first_name} · Playground`;
  $("profile-name").value = data.user.first_name;
  $("profile-language").value = data.user.language_code ?? "";
  renderUsers(data.users, data.user);
  state.messages.clear();
  $("messages").replaceChildren();
  for (const message of data.messages) upsertMessage(message);
  $("empty").hidden = data.messages.length > 0;
  renderCommands(data.commands);
  renderReplyKeyboard(data.keyboard);
  setStatus("bot");
}

function renderUsers(users, me) {
  const select = $("user-select");
  const options = users.map(
    (u) => new Option(`${u.first_name} (${u.id})`, String(u.id), false, u.id === me.id),
  );
  options.push(new Option("New user…", "new"));
  select.replaceChildren(...options);
}

function listen() {
  const events = new EventSource(`/events?user=${state.userId}`);
  events.addEventListener("message", (e) => upsertMessage(JSON.parse(e.data).message));
  events.addEventListener("edit", (e) => upsertMessage(JSON.parse(e.data).message));
  events.addEventListener("delete", (e) => removeMessage(JSON.parse(e.data).messageId));
  events.addEventListener("keyboard", (e) => renderReplyKeyboard(JSON.parse(e.data).keyboard));
  events.addEventListener("chatAction", (e) => showTyping(JSON.parse(e.data).action));
  events.addEventListener("commands", () => load());
  events.addEventListener("callbackAnswer", (e) => {
    const answer = JSON.parse(e.data);
    for (const pending of document.querySelectorAll(".inline-button.pending"))
      pending.classList.remove("pending");
    if (answer.text) toast(answer.text, answer.showAlert);
  });
  events.addEventListener("open", () => load().catch((error) => setStatus(error.message)));
  events.addEventListener("error", () => setStatus("reconnecting…"));
}

// === Wiring

function wire() {
  const input = $("text-input");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    autosize(input);
    $("command-menu").hidden = true;
    sendText(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    autosize(input);
    suggestCommands(input.value);
  });
  $("commands-button").addEventListener("click", () => {
    const menu = $("command-menu");
    if (menu.hidden) renderCommands(state.commands);
    menu.hidden = !menu.hidden;
  });
  $("attach-button").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", (event) => {
    for (const file of event.target.files) uploadFile(file);
    event.target.value = "";
  });
  wireDragAndDrop();
  wireUsers();
}

function autosize(input) {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

function wireDragAndDrop() {
  const chat = $("chat");
  const overlay = $("drop-overlay");
  chat.addEventListener("dragover", (event) => {
    event.preventDefault();
    overlay.classList.add("visible");
  });
  chat.addEventListener("dragleave", (event) => {
    if (event.target === overlay || !chat.contains(event.relatedTarget)) overlay.classList.remove("visible");
  });
  chat.addEventListener("drop", (event) => {
    event.preventDefault();
    overlay.classList.remove("visible");
    for (const file of event.dataTransfer?.files ?? []) uploadFile(file);
  });
}

function wireUsers() {
  $("user-select").addEventListener("change", (event) => {
    let id = event.target.value;
    if (id === "new")
      id = prompt("Telegram user id for the new user (a number):", String(Date.now() % 100000));
    if (id && /^\d+$/.test(id)) location.search = `?user=${id}`;
  });
  $("profile-button").addEventListener("click", () => ($("profile-form").hidden = !$("profile-form").hidden));
  $("profile-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    await api("/api/profile", {
      user: state.userId,
      firstName: $("profile-name").value.trim(),
      languageCode: $("profile-language").value.trim().toLowerCase(),
    });
    $("profile-form").hidden = true;
    await load();
  });
}

wire();
listen();
