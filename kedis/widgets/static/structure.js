// StructureView: one key's value as Redis lays it out in memory (see structure.py). Python sends
// the shown state's picture as plain data of a few shapes, whatever the type:
//   a block of cells  {shape: "cells", title, bytes, alloc, fields: [{id, name, hex, chars,
//                      value, kind, width, points_to}]}: a row of byte cells, grouped in fields;
//   a table           {shape: "table", title, size, buckets: [{index, chain: [{id, text, sds}],
//                      more}], more_buckets, sampled}: bucket pointers, each to a chain;
//   and pointers: a field with points_to draws an arrow to the block it names (the next one).
// It draws them, marks what the step changed, and steps (buttons, arrow keys, Home, End).

/** One field: its name above, its byte cells (hex, and the character below), its meaning. */
function drawField(field, changed) {
  const box = h("div", `kedis-sv-field kedis-sv-${field.kind}`);
  box.dataset.id = field.id;
  if (changed.has(field.id)) box.classList.add("kedis-sv-changed");
  box.append(h("div", "kedis-sv-name", field.name));
  const row = h("div", "kedis-sv-cells");
  if (field.hex.length) {
    field.hex.forEach((hex, i) => {
      const cell = h("span", "kedis-sv-cell");
      cell.append(h("span", "kedis-sv-hex", hex));
      if (field.chars.length) cell.append(h("span", "kedis-sv-char", field.chars[i]));
      row.append(cell);
    });
  } else {
    // No bytes to show (a pointer, the lru bits, spare room, what was cut): one wide cell, as
    // wide as a few of its bytes, saying how many.
    const cell = h("span", "kedis-sv-cell kedis-sv-blank");
    cell.style.minWidth = `${Math.min(Math.max(field.width, 1), 4) * 1.9}em`;
    cell.append(h("span", "kedis-sv-hex", field.kind === "pointer" ? "→" : "··"));
    if (field.kind !== "pointer") cell.title = `${field.width} bytes`;
    row.append(cell);
  }
  box.append(row);
  if (field.value) box.append(h("div", "kedis-sv-value", field.value));
  return box;
}

function sizeText(block) {
  const bytes = `${block.bytes.toLocaleString("en-US")} bytes`;
  return block.alloc && block.alloc !== block.bytes
    ? `${bytes}, in a ${block.alloc.toLocaleString("en-US")}-byte allocation`
    : bytes;
}

function drawCells(block, changed) {
  const box = h("div", "kedis-sv-block");
  box.dataset.block = block.id;
  if (changed.has(block.id)) box.classList.add("kedis-sv-changed");
  const head = h("div", "kedis-sv-block-title");
  head.append(h("span", "kedis-sv-block-name", block.title), h("span", "kedis-sv-size", sizeText(block)));
  const fields = h("div", "kedis-sv-fields");
  for (const field of block.fields || []) fields.append(drawField(field, changed));
  box.append(head, fields);
  return box;
}

function drawTable(block, changed) {
  const box = h("div", "kedis-sv-block kedis-sv-table");
  box.dataset.block = block.id;
  const head = h("div", "kedis-sv-block-title");
  head.append(h("span", "kedis-sv-block-name", block.title), h("span", "kedis-sv-size", sizeText(block)));
  const rows = h("div", "kedis-sv-buckets");
  for (const bucket of block.buckets || []) {
    const row = h("div", "kedis-sv-bucket");
    row.append(h("span", "kedis-sv-index", `[${bucket.index}]`));
    if (!bucket.chain.length) row.append(h("span", "kedis-sv-null", "NULL"));
    for (const entry of bucket.chain) {
      row.append(h("span", "kedis-sv-link", "→"));
      const item = h("span", "kedis-sv-entry");
      item.dataset.id = entry.id;
      item.title = `dictEntry: key → ${entry.sds} "${entry.text}", value NULL, next`;
      if (changed.has(entry.id)) item.classList.add("kedis-sv-changed");
      item.append(h("span", "kedis-sv-member", entry.text));
      row.append(item);
    }
    if (bucket.more) row.append(h("span", "kedis-sv-link", "→"), h("span", "kedis-sv-null", `… ${bucket.more} more`));
    rows.append(row);
  }
  box.append(head, rows);
  if (block.more_buckets) {
    const what = block.sampled ? "other buckets not drawn" : "more buckets";
    box.append(h("div", "kedis-empty", `… and ${block.more_buckets.toLocaleString("en-US")} ${what}`));
  }
  return box;
}

function render({ model, el }) {
  const root = h("div", "kedis-structure kedis-view");
  root.tabIndex = 0; // focusable: the arrow keys step when it has the focus

  const bar = h("div", "kedis-bar");
  const title = h("span", "kedis-title");
  const mode = h("span", "kedis-sv-mode");
  const followButton = h("button", "kedis-sv-follow", "follow the last key");
  const first = h("button", "kedis-sv-first", "|◀");
  const back = h("button", "kedis-sv-back", "◀ back");
  const stepLabel = h("span", "kedis-sv-step");
  const forward = h("button", "kedis-sv-forward", "forward ▶");
  const last = h("button", "kedis-sv-last", "▶|");
  first.title = "the oldest state kept (Home)";
  last.title = "the newest state (End)";
  back.title = "the state before (←)";
  forward.title = "the state after (→)";
  bar.append(title, mode, followButton, first, back, stepLabel, forward, last);

  const command = h("div", "kedis-sv-command");
  const summary = h("div", "kedis-sv-summary");
  const picture = h("div", "kedis-sv-picture");
  const notes = h("ul", "kedis-sv-notes");
  const strip = h("ol", "kedis-sv-history");
  const empty = h("div", "kedis-empty");
  root.append(bar, command, summary, picture, notes, strip, empty);
  el.append(root);

  // Python sends the states' labels and the shown state as one JSON text ("drawing").
  let drawing = { history: [], shown: {} };
  const count = () => drawing.history.length;
  const go = (step) => {
    const target = Math.min(Math.max(step, 0), count() - 1);
    if (target < 0 || target === model.get("step")) return;
    model.set("step", target);
    model.save_changes();
  };
  first.addEventListener("click", () => go(0));
  back.addEventListener("click", () => go(model.get("step") - 1));
  forward.addEventListener("click", () => go(model.get("step") + 1));
  last.addEventListener("click", () => go(count() - 1));
  followButton.addEventListener("click", () => model.send({ follow: true }));
  root.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: -1, ArrowRight: +1 };
    if (event.key in moves) go(model.get("step") + moves[event.key]);
    else if (event.key === "Home") go(0);
    else if (event.key === "End") go(count() - 1);
    else return;
    event.preventDefault();
  });

  // In a Dashboard, a click on a key of its StoreView shows that key here. (The Dashboard is
  // an ipywidgets box around the views: the click is heard on the page, and kept to this one.)
  const onClick = (event) => {
    const cell = event.target.closest && event.target.closest(".kedis-store .kedis-key");
    const board = el.closest(".kedis-dashboard");
    if (!cell || !board || !board.contains(cell)) return;
    model.set("picked", cell.textContent);
    model.save_changes();
  };
  document.addEventListener("click", onClick);

  function draw() {
    drawing = JSON.parse(model.get("drawing") || "{}");
    const history = drawing.history || [];
    const shown = drawing.shown || {};
    // The state drawn is the one whose picture has come (a step asked for waits for Python's
    // answer): the label, the buttons and the strip say that one, never a picture not yet here.
    const found = history.findIndex((entry) => entry.n === shown.n);
    const step = found >= 0 ? found : model.get("step");
    const key = model.get("key");
    const db = model.get("db");
    title.textContent = key ? `${key}${db ? ` (db ${db})` : ""}` : "structure";
    mode.textContent = model.get("following") ? "following the last key a command touched" : "";
    followButton.hidden = model.get("following");
    stepLabel.textContent = history.length ? `state ${step + 1} / ${history.length}` : "";
    first.disabled = back.disabled = step <= 0;
    forward.disabled = last.disabled = step >= history.length - 1;

    command.replaceChildren();
    picture.replaceChildren();
    notes.replaceChildren();
    strip.replaceChildren();
    if (!shown.layout) {
      summary.textContent = "";
      empty.textContent = "(no key yet: run a command that names one, or click a key in the store)";
      return;
    }
    empty.textContent = "";
    command.append(h("span", "kedis-label", "after "), h("code", "kedis-command", shown.command));
    if (shown.transition) command.append(h("span", "kedis-sv-transition", shown.transition));
    const layout = shown.layout;
    summary.textContent = layout.summary;
    const changed = new Set(shown.changed);
    layout.blocks.forEach((block, i) => {
      picture.append(block.shape === "table" ? drawTable(block, changed) : drawCells(block, changed));
      // The blocks go one under the other, each pointer an arrow down to the block it names
      // (always the next one): the same places at every step, whatever the encoding.
      const pointer = (block.fields || []).find((field) => field.points_to);
      if (pointer && i < layout.blocks.length - 1) {
        picture.append(h("div", "kedis-sv-arrow", `↓ ${pointer.name}`));
      }
    });
    for (const note of layout.notes || []) notes.append(h("li", null, note));
    history.forEach((entry, i) => {
      const item = h("li", "kedis-sv-state");
      if (i === step) item.classList.add("kedis-current");
      if (entry.transition) item.classList.add("kedis-sv-transitioned");
      item.title = entry.transition ? `${entry.command}: ${entry.transition}` : entry.command;
      item.append(h("span", "kedis-sv-state-command", entry.command), h("span", "kedis-sv-state-encoding", entry.encoding));
      item.addEventListener("click", () => go(i));
      strip.append(item);
    });
    const current = strip.children[step];
    if (current && current.scrollIntoView && strip.scrollWidth > strip.clientWidth) {
      strip.scrollLeft = current.offsetLeft - strip.clientWidth / 2;
    }
  }

  const undo = onChanges(model, ["drawing", "key", "following", "db"], draw);
  draw();
  return () => {
    undo();
    document.removeEventListener("click", onClick);
  };
}

export default { render };
