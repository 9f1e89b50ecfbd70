// Renders a Telegram message's text and entities as DOM nodes. Text is only ever set with text nodes;
// entities become elements; no HTML string from the bot reaches innerHTML.

const SAFE_LINK = /^(https?:|tg:|mailto:)/i;

/** Builds the element for one entity; the caller appends the entity's content into it. */
function elementFor(entity, content, handlers) {
  switch (entity.type) {
    case "bold":
      return document.createElement("strong");
    case "italic":
      return document.createElement("em");
    case "underline":
      return document.createElement("u");
    case "strikethrough":
      return document.createElement("s");
    case "code":
      return document.createElement("code");
    case "pre": {
      const pre = document.createElement("pre");
      if (entity.language) pre.dataset.language = entity.language;
      return pre;
    }
    case "blockquote":
    case "expandable_blockquote": {
      const quote = document.createElement("blockquote");
      if (entity.type === "expandable_blockquote") quote.className = "expandable";
      return quote;
    }
    case "spoiler": {
      const span = document.createElement("span");
      span.className = "spoiler";
      span.title = "Spoiler: click to reveal";
      span.addEventListener("click", () => span.classList.add("revealed"));
      return span;
    }
    case "text_link":
    case "url":
      return link(entity.type === "url" ? content : entity.url);
    case "bot_command": {
      const command = document.createElement("a");
      command.href = "#";
      command.className = "command";
      command.addEventListener("click", (event) => {
        event.preventDefault();
        handlers.onCommand(content);
      });
      return command;
    }
    default:
      return document.createElement("span");
  }
}

function link(url) {
  if (!url || !SAFE_LINK.test(url)) return document.createElement("span");
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

/**
 * Appends `text` with its entities (UTF-16 offsets, as JavaScript strings count) to a fragment.
 * Entities nest as Telegram sends them; one that crosses another's boundary is dropped, not guessed at.
 */
export function renderEntities(text, entities, handlers) {
  const sorted = [...(entities ?? [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  return build(text, sorted, 0, text.length, handlers);
}

function build(text, entities, start, end, handlers) {
  const fragment = document.createDocumentFragment();
  let pos = start;
  for (let i = 0; i < entities.length; i++) {
    const entity = entities[i];
    const entityEnd = entity.offset + entity.length;
    if (entity.offset < pos || entityEnd > end) continue;
    fragment.append(document.createTextNode(text.slice(pos, entity.offset)));
    const inner = entities.filter(
      (e, j) => j > i && e.offset >= entity.offset && e.offset + e.length <= entityEnd,
    );
    const content = text.slice(entity.offset, entityEnd);
    const element = elementFor(entity, content, handlers);
    element.append(build(text, inner, entity.offset, entityEnd, handlers));
    fragment.append(element);
    pos = entityEnd;
  }
  fragment.append(document.createTextNode(text.slice(pos, end)));
  return fragment;
}

/** "12.3 KB" style sizes for document bubbles. */
export function formatSize(bytes) {
  if (bytes === undefined) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
