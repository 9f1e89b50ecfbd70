// Draws one message as Telegram would: reply quote, photo, document, formatted text, time, inline keyboard.
// `actions` connects the drawing to the page: sending a command, pressing a button, an image loading.
import { formatSize, renderEntities } from "./format.js";

export function messageElement(message, actions) {
  const fromBot = Boolean(message.from?.is_bot);
  const item = document.createElement("li");
  item.className = `message ${fromBot ? "from-bot" : "from-user"}`;
  item.dataset.id = String(message.message_id);
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.reply_to_message) bubble.append(replyQuote(message.reply_to_message));
  if (message.photo) bubble.append(photo(message.photo, actions));
  if (message.document) bubble.append(documentLink(message.document));
  const body = message.text ?? message.caption;
  if (body) {
    const text = document.createElement("div");
    text.className = "text";
    text.append(
      renderEntities(body, message.entities ?? message.caption_entities, { onCommand: actions.onCommand }),
    );
    bubble.append(text);
  }
  bubble.append(meta(message));
  item.append(bubble);
  const keyboard = message.reply_markup?.inline_keyboard;
  if (keyboard?.length) item.append(inlineKeyboard(message.message_id, keyboard, actions));
  return item;
}

function replyQuote(original) {
  const quote = document.createElement("div");
  quote.className = "reply-quote";
  quote.textContent = (original.text ?? original.caption ?? original.document?.file_name ?? "Photo").slice(
    0,
    80,
  );
  return quote;
}

function photo(sizes, actions) {
  const largest = sizes[sizes.length - 1];
  const img = document.createElement("img");
  img.className = "photo";
  img.src = `/api/file?id=${encodeURIComponent(largest.file_id)}`;
  img.alt = "Photo";
  img.width = largest.width;
  img.height = largest.height;
  img.addEventListener("load", actions.onImageLoad);
  return img;
}

function documentLink(doc) {
  const a = document.createElement("a");
  a.className = "document";
  a.href = `/api/file?id=${encodeURIComponent(doc.file_id)}&download=1`;
  a.download = doc.file_name ?? "file";
  const icon = document.createElement("span");
  icon.className = "doc-icon";
  icon.textContent = (doc.file_name?.split(".").pop() ?? "file").slice(0, 4).toUpperCase();
  const info = document.createElement("span");
  info.className = "doc-info";
  const name = document.createElement("span");
  name.className = "doc-name";
  name.textContent = doc.file_name ?? "file";
  const size = document.createElement("span");
  size.className = "doc-size";
  size.textContent = formatSize(doc.file_size);
  info.append(name, size);
  a.append(icon, info);
  return a;
}

function meta(message) {
  const span = document.createElement("span");
  span.className = "meta";
  const time = new Date(message.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  span.textContent = message.edit_date ? `edited ${time}` : time;
  return span;
}

function inlineKeyboard(messageId, rows, actions) {
  const keyboard = document.createElement("div");
  keyboard.className = "inline-keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) line.append(inlineButton(messageId, button, actions));
    keyboard.append(line);
  }
  return keyboard;
}

function inlineButton(messageId, button, actions) {
  if (button.url && /^https?:/i.test(button.url)) {
    const a = document.createElement("a");
    a.className = "inline-button";
    a.href = button.url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = `${button.text} ↗`;
    return a;
  }
  const element = document.createElement("button");
  element.type = "button";
  element.className = "inline-button";
  element.textContent = button.text;
  if (button.callback_data === undefined) element.disabled = true;
  element.addEventListener("click", () => {
    element.classList.add("pending");
    actions.onPress(messageId, button.callback_data).catch(() => element.classList.remove("pending"));
  });
  return element;
}
