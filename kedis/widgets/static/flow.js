// FlowView: one command's steps through the layers, one at a time, each drawn (see flow.py and
// _layers.py, which makes each step's picture as data).
//
// Python sends every step of the command shown, each complete in itself; this module draws the
// current one from its own data. Moving back, forward or playing only changes `step`, which is
// drawn here at once and sent to Python (so that view.step, forward() and back() agree), and
// the browser needs no answer: stepping works even while the kernel is busy.
//
// One visual language for every layer: the bytes and arguments are cells, the command table's
// entry is a card, the keyspace a row of buckets with the key's chain under its own, the
// deadline a mark on a line against the clock, the reply its RESP bytes in groups. Everything
// stays in place between steps: the row of layers, the stage (a fixed height, whatever the
// layer draws), the caption under it and the list of steps.

const NO_ENTRY = "(no key)";

/** A row of argument cells: argv[i] over the bytes it holds (keys marked). */
function argvCells({ cells, more }) {
  const row = h("div", "kedis-argv");
  for (const cell of cells) {
    const box = h("div", cell.key ? "kedis-argv-cell kedis-argv-key" : "kedis-argv-cell");
    box.append(h("span", "kedis-argv-index", `argv[${cell.index}]`),
      h("span", "kedis-argv-value", cell.value),
      h("span", "kedis-argv-bytes", `${cell.bytes} B`));
    if (cell.key) box.title = "a key";
    row.append(box);
  }
  if (more) row.append(h("span", "kedis-flow-more", `… ${more} more`));
  return row;
}

function drawLine(p) {
  const box = h("div", "kedis-flow-line-picture");
  box.append(h("div", "kedis-flow-typed", p.text + (p.cut ? "…" : "")),
    h("div", "kedis-flow-note", `${p.bytes} ${p.bytes === 1 ? "byte" : "bytes"} of text, one line`));
  return box;
}

function drawArgv(p) {
  const box = h("div", "kedis-flow-argv-picture");
  box.append(argvCells(p), h("div", "kedis-flow-note", "arguments as the client sent them (RESP): nothing to split"));
  return box;
}

// The typed line, each argument bracketed over the characters it came from, and under each
// bracket the bytes it became: quotes and escapes resolved.
function drawParser(p) {
  const box = h("div", "kedis-parse");
  const line = h("div", "kedis-parse-line");
  const byIndex = new Map(p.args.map((arg) => [arg.index, arg]));
  for (const piece of p.pieces) {
    if (piece.arg === null || piece.arg === undefined) {
      const gap = h("span", piece.error ? "kedis-parse-gap kedis-parse-error" : "kedis-parse-gap");
      gap.append(h("span", "kedis-parse-label", piece.error ? "✗" : ""),
        h("span", "kedis-parse-text", piece.text.replace(/ /g, "·")));
      if (piece.error) gap.title = "where the parser gave up";
      line.append(gap);
      continue;
    }
    const arg = byIndex.get(piece.arg);
    const span = h("span", arg.resolved ? "kedis-parse-arg kedis-parse-resolved" : "kedis-parse-arg");
    span.dataset.arg = String(piece.arg);
    const value = h("span", "kedis-parse-value");
    if (arg.value !== null) {
      value.append(h("span", "kedis-parse-bytes", arg.value),
        h("span", "kedis-parse-count", `${arg.bytes} B`));
    }
    span.append(h("span", "kedis-parse-label", `argv[${piece.arg}]`),
      h("span", "kedis-parse-text", piece.text),
      h("span", "kedis-parse-down", "↓"), value);
    line.append(span);
  }
  box.append(line);
  let note;
  if (p.error_at !== null) note = `refused at byte ${p.error_at}: a quote that never closes (Invalid argument(s))`;
  else if (p.count === 0) note = "a blank line: no arguments";
  else note = `${p.count} ${p.count === 1 ? "argument" : "arguments"}` +
    (p.quoting ? ": quotes and escapes resolved" : ", split at the spaces") + (p.more ? ` (${p.more} more not drawn)` : "");
  box.append(h("div", p.error_at !== null ? "kedis-flow-note kedis-flow-bad" : "kedis-flow-note", note));
  return box;
}

function check(ok, text) {
  return h("span", ok ? "kedis-check kedis-pass" : "kedis-check kedis-fail", `${text} ${ok ? "✓" : "✗"}`);
}

// The command's entry in the command table, as a card.
function drawCard(p) {
  const card = h("div", p.failed ? "kedis-card kedis-card-failed" : "kedis-card");
  if (!p.found) {
    card.classList.add("kedis-card-missing");
    const head = h("div", "kedis-card-head");
    head.append(h("span", "kedis-card-name", p.looked_up), check(false, "not in the table"));
    card.append(head, argvCells(p.argv), h("div", "kedis-card-error", p.error));
    return card;
  }
  const head = h("div", "kedis-card-head");
  head.append(h("span", "kedis-card-name", p.name),
    h("span", "kedis-card-meta", `${p.group} · since ${p.since}`));
  card.append(head, h("div", "kedis-card-syntax", p.syntax));
  const rows = h("dl", "kedis-card-rows");
  const arity = h("dd", "kedis-card-arity");
  const argcText = p.arity >= 0 ? `argc ${p.argc} ${p.arity_ok ? "=" : "≠"} ${p.arity}`
    : `argc ${p.argc} ${p.arity_ok ? "≥" : "<"} ${-p.arity}`;
  arity.append(h("code", null, String(p.arity)), h("span", "kedis-label", ` (${p.arity_text}) `),
    check(p.arity_ok, argcText));
  const flags = h("dd", "kedis-card-flags");
  for (const flag of p.flags) flags.append(h("span", "kedis-chip", flag));
  if (!p.flags.length) flags.append(h("span", "kedis-label", "(none)"));
  const keys = h("dd", "kedis-card-keys",
    p.keys.length ? p.keys.map((i) => `argv[${i}]`).join(", ") : (p.failed ? "—" : "none"));
  rows.append(h("dt", null, "arity"), arity, h("dt", null, "flags"), flags,
    h("dt", null, "keys"), keys);
  card.append(rows, argvCells(p.argv));
  if (p.failed === "subcommand") card.append(h("div", "kedis-card-error", `✗ ${p.error}`));
  else if (p.failed === "refused") card.append(h("div", "kedis-card-error", `✗ ${p.error}`));
  else if (p.failed === "arity") card.append(h("div", "kedis-card-error", "the handler never runs: " + p.error));
  return card;
}

function drawHandler(p) {
  const box = h("div", "kedis-handler");
  const sig = h("div", "kedis-handler-call");
  sig.append(h("code", "kedis-handler-function", p.function), h("span", "kedis-label", ` in ${p.module}`));
  box.append(sig, h("div", "kedis-card-syntax", p.syntax), argvCells(p.argv));
  box.append(h("div", "kedis-handler-returns", `returns → ${p.returns || "—"}`));
  return box;
}

// A table's buckets: sent whole (a small database, every key known), or as a window around the
// key's bucket whose other keys are not known (_layers.py's table_buckets, the same way).
function tableBuckets(table) {
  if (!table.window) return table.buckets;
  const [low, high] = table.window;
  const buckets = [];
  for (let i = low; i <= high; i++) {
    const own = i === table.bucket;
    buckets.push({ index: i, keys: own ? table.own : [], this: own, known: own });
  }
  return buckets;
}

// One side (before or after) of a keyspace step: the dict's buckets, the key's chain under its
// own bucket, the entry it points to, and the key's place in the expires dict.
function keyspaceSide(cls, label, side, p) {
  const box = h("div", `kedis-ks-side ${cls}`);
  const diff = cls === "kedis-after" ? p.diff : [];
  const mark = (element, field) => {
    if (diff.includes(field)) element.classList.add("kedis-diff");
    return element;
  };
  const table = side.table;
  box.append(h("div", "kedis-subtitle", label));
  box.append(mark(h("div", "kedis-ks-dict",
    table.size ? `db ${p.db} dict: ${table.size} buckets, ${table.used} ${table.used === 1 ? "key" : "keys"}`
      : `db ${p.db} dict: empty (no keys)`), "size"));
  const row = h("div", "kedis-buckets");
  if (table.gap_before) row.append(h("span", "kedis-bucket-gap", "…"));
  const buckets = tableBuckets(table);
  for (const bucket of buckets) {
    const cell = h("span", "kedis-bucket");
    cell.dataset.bucket = String(bucket.index);
    if (bucket.this) cell.classList.add("kedis-bucket-this");
    if (!bucket.known) cell.classList.add("kedis-bucket-unknown");
    else if (bucket.keys.length) cell.classList.add("kedis-bucket-used");
    cell.append(h("span", "kedis-bucket-index", String(bucket.index)),
      h("span", "kedis-bucket-count", bucket.known ? (bucket.keys.length ? "●".repeat(Math.min(bucket.keys.length, 3)) : "") : "?"));
    if (bucket.keys.length) cell.title = bucket.keys.join(", ");
    row.append(cell);
  }
  if (table.gap_after) row.append(h("span", "kedis-bucket-gap", `… ${table.size - 1}`));
  box.append(row);

  // The chain of the key's bucket, and the entry of the key.
  const chain = h("div", "kedis-chain");
  const own = buckets.find((b) => b.this);
  const names = own ? own.keys : [];
  if (table.size) {
    chain.append(h("span", "kedis-chain-head", `[${table.bucket}] →`));
    if (!names.length) chain.append(h("span", "kedis-chain-empty", "NULL"));
  }
  names.forEach((name, i) => {
    if (i > 0) chain.append(h("span", "kedis-flow-arrow", "→"));
    const isKey = name === p.key && side.entry !== null;
    const link = h("span", isKey ? "kedis-chain-key kedis-chain-this" : "kedis-chain-key", name);
    if (isKey) mark(link, "entry");
    chain.append(link);
  });
  box.append(chain);

  const entry = side.entry;
  const value = h("div", "kedis-ks-entry");
  if (entry === null) {
    value.append(mark(h("span", "kedis-entry-none", `${p.key}: ${NO_ENTRY}`), "entry"));
  } else {
    mark(value, "entry");
    value.append(h("span", "kedis-ks-entry-key", `${p.key} ⇒`),
      mark(h("span", "kedis-chip kedis-ks-type", entry.type), "type"),
      mark(h("span", "kedis-chip kedis-ks-encoding", entry.encoding), "encoding"),
      mark(h("span", "kedis-ks-value", entry.value), "value"),
      mark(h("span", "kedis-label", entry.count === null ? `${entry.bytes} B` : `${entry.count} members`), "bytes"));
  }
  box.append(value);

  const expires = side.expires;
  const line = h("div", "kedis-ks-expires");
  line.append(mark(h("span", "kedis-label", expires.size
    ? `expires dict: ${expires.size} buckets, ${expires.used} ${expires.used === 1 ? "key" : "keys"} · `
    : "expires dict: empty · "), "expires size"));
  line.append(mark(h("span", "kedis-ks-deadline", expires.deadline === null
    ? "no deadline" : `[${expires.bucket}] ${p.key} → ${expires.deadline} ms (${expires.deadline_text})`), "deadline"));
  box.append(line);
  return box;
}

function drawKeyspace(p) {
  const box = h("div", "kedis-ks");
  const hash = h("div", "kedis-ks-hash");
  const size = p.after.table.size || p.before.table.size;
  hash.append(h("code", null, `siphash(${p.key}) = 0x${p.hash}`),
    h("span", "kedis-label", size ? ` · & ${size - 1} → bucket ${p.after.table.bucket ?? p.before.table.bucket}` : ""));
  const pair = h("div", "kedis-entry-pair");
  pair.append(keyspaceSide("kedis-before", "before", p.before, p), h("span", "kedis-flow-arrow kedis-ks-arrow", "→"),
    keyspaceSide("kedis-after", "after", p.after, p));
  box.append(hash, pair);
  return box;
}

function entryChip(cls, label, entry, key) {
  const box = h("div", `kedis-expiry-entry ${cls}`);
  box.append(h("span", "kedis-label", `${label}: `));
  if (entry === null) box.append(h("span", "kedis-entry-none", `${key} ${NO_ENTRY}`));
  else box.append(h("span", "kedis-ks-value", `${key} = ${entry.value}`), h("span", "kedis-chip", entry.type));
  return box;
}

// The deadline on a line against the clock of the moment.
function drawExpiry(p) {
  const box = h("div", "kedis-expiry-picture");
  const line = h("div", "kedis-timeline");
  const track = h("div", "kedis-timeline-track");
  line.append(track);
  if (p.deadline !== null) {
    // Past the deadline, the key is expired: that part of the line is red.
    const past = h("div", "kedis-timeline-past");
    past.style.left = `${p.deadline_at}%`;
    line.append(past);
    const dead = h("div", p.removed ? "kedis-timeline-mark kedis-timeline-deadline kedis-timeline-removed" : "kedis-timeline-mark kedis-timeline-deadline");
    dead.style.left = `${p.deadline_at}%`;
    dead.append(h("span", "kedis-timeline-tick"), h("span", "kedis-timeline-label", p.removed ? "deadline ✗" : "deadline"));
    dead.title = `${p.deadline} ms (${p.deadline_text})`;
    line.append(dead);
  }
  const now = h("div", "kedis-timeline-mark kedis-timeline-now");
  now.style.left = `${p.now_at}%`;
  now.append(h("span", "kedis-timeline-tick"), h("span", "kedis-timeline-label", "now"));
  now.title = `${p.now} ms (${p.now_text})`;
  line.append(now);
  box.append(line);

  let verdict;
  const left = p.left_ms;
  if (p.found !== null) {
    verdict = `found at ${p.found === "access" ? "access (lazy expiry)" : "the active expiry cycle"}: ` +
      `the deadline passed ${formatDuration(-left)} ago → deleted`;
  } else if (p.removed) verdict = `the deadline (${formatDuration(Math.max(left, 0))} away) is removed: the key no longer expires`;
  else verdict = `expires in ${formatDuration(left)}`;
  box.append(h("div", p.found !== null ? "kedis-flow-note kedis-expiry-verdict kedis-flow-bad" : "kedis-flow-note kedis-expiry-verdict", verdict));
  const facts = h("div", "kedis-expiry-clock-facts");
  facts.append(h("span", null, `now ${p.now} ms`), h("span", null, p.deadline === null ? "no deadline" : `deadline ${p.deadline} ms`));
  box.append(facts);
  const pair = h("div", "kedis-entry-pair");
  pair.append(entryChip("kedis-before", "before", p.before, p.key), h("span", "kedis-flow-arrow", "→"),
    entryChip("kedis-after", "after", p.after, p.key));
  box.append(pair);
  return box;
}

// The RESP bytes as they go on the wire, beside what redis-cli prints.
function drawReply(p) {
  const box = h("div", "kedis-reply-picture");
  const wire = h("div", "kedis-resp");
  wire.append(h("div", "kedis-subtitle", `on the wire: ${p.bytes} ${p.bytes === 1 ? "byte" : "bytes"} of RESP2`));
  const groups = h("div", "kedis-resp-groups");
  for (const group of p.groups) {
    const cell = h("span", `kedis-resp-group kedis-resp-${group.kind}`);
    if (group.kind === "crlf") {
      cell.append(h("span", "kedis-glyph", "\\r"), h("span", "kedis-glyph", "\\n"));
      cell.title = "CR LF: the end of a line of the protocol";
    } else {
      cell.textContent = group.text;
      cell.title = `${group.kind}: ${group.bytes} ${group.bytes === 1 ? "byte" : "bytes"}`;
    }
    groups.append(cell);
  }
  if (p.left) groups.append(h("span", "kedis-flow-more", `… ${p.left} more bytes`));
  wire.append(groups);
  const cli = h("div", "kedis-cli");
  cli.append(h("div", "kedis-subtitle", "redis-cli prints"));
  const text = h("pre", p.error ? "kedis-cli-text kedis-flow-bad" : "kedis-cli-text",
    p.cli.join("\n") + (p.cli_more ? `\n… ${p.cli_more} more lines` : ""));
  cli.append(text);
  box.append(wire, cli);
  return box;
}

const PICTURES = {
  line: drawLine, argv: drawArgv, parser: drawParser, card: drawCard, handler: drawHandler,
  keyspace: drawKeyspace, expiry: drawExpiry, reply: drawReply,
};

function render({ model, el }) {
  const root = h("div", "kedis-flow kedis-view");
  // Focusable, so that the keys step: ← →, Home, End.
  root.tabIndex = 0;
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", "command flow: arrow keys step, Home and End jump");

  // The pipeline: a box for each layer the shown command went through, in the order it went
  // (model "layers"); the boxes stay in place while one steps through that command.
  const pipeline = h("div", "kedis-flow-pipeline");
  let boxes = [];
  function drawPipeline() {
    pipeline.replaceChildren();
    boxes = model.get("layers").map((layer, i) => {
      if (i > 0) pipeline.append(h("span", "kedis-flow-arrow", "→"));
      const box = h("div", "kedis-layer", layer);
      box.dataset.layer = layer;
      pipeline.append(box);
      return box;
    });
  }

  const controls = h("div", "kedis-bar");
  const history = h("select", "kedis-flow-history");
  history.title = "recent commands";
  history.setAttribute("aria-label", "recent commands");
  const back = h("button", "kedis-flow-back", "◀ back");
  back.setAttribute("aria-label", "step back");
  const counter = h("span", "kedis-flow-step");
  counter.setAttribute("aria-live", "polite");
  const forward = h("button", "kedis-flow-forward", "forward ▶");
  forward.setAttribute("aria-label", "step forward");
  const play = h("button", "kedis-flow-play");
  const mode = h("span", "kedis-flow-mode");
  controls.append(history, back, counter, forward, play, mode);

  // The stage: the same places for every step (a head, the picture, the caption).
  const detail = h("div", "kedis-flow-detail");
  const head = h("div", "kedis-flow-layer-name");
  const picture = h("div", "kedis-flow-picture");
  const caption = h("div", "kedis-flow-caption kedis-did");
  const io = h("div", "kedis-flow-facts");
  detail.append(head, picture, caption, io);
  const list = h("ol", "kedis-flow-steps");

  root.append(controls, pipeline, detail, list);
  el.append(root);

  // The steps come as one JSON text (flow.py's steps_json), parsed once when it changes.
  let parsed = null;
  let parsedFrom = null;
  const steps = () => {
    const text = model.get("steps_json");
    if (text !== parsedFrom) {
      parsed = JSON.parse(text);
      parsedFrom = text;
    }
    return parsed;
  };

  function go(index) {
    const last = Math.max(steps().length - 1, 0);
    const step = Math.min(Math.max(index, 0), last);
    model.set("step", step);
    if (step >= last) model.set("playing", false);
    model.save_changes();
  }
  function stepBy(delta) {
    model.set("playing", false);
    go(model.get("step") + delta);
  }
  back.addEventListener("click", () => stepBy(-1));
  forward.addEventListener("click", () => stepBy(1));
  play.addEventListener("click", () => {
    if (model.get("playing")) {
      model.set("playing", false);
      model.save_changes();
      return;
    }
    if (model.get("step") >= steps().length - 1) model.set("step", 0);
    model.set("playing", steps().length > 1);
    model.save_changes();
  });
  history.addEventListener("change", () => {
    model.set("selected", Number(history.value));
    model.save_changes();
  });
  root.addEventListener("keydown", (event) => {
    if (event.target === history || event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = {
      ArrowLeft: () => stepBy(-1),
      ArrowRight: () => stepBy(1),
      Home: () => { model.set("playing", false); go(0); },
      End: () => { model.set("playing", false); go(steps().length - 1); },
    };
    const move = moves[event.key];
    if (!move) return;
    // The notebook has its own uses for these keys: while the view has focus, they are its.
    event.preventDefault();
    event.stopPropagation();
    move();
  });

  function drawHistory() {
    history.replaceChildren();
    const recent = JSON.parse(model.get("recent_json"));  // (flow.py: one text, not a tree)
    for (const item of recent) {
      const where = item.db === null ? "" : `db ${item.db} · `;
      const option = h("option", null, `${where}${item.label}`);
      option.value = String(item.index);
      if (item.at_text) option.title = `ran at ${item.at_text}`;
      history.append(option);
    }
    if (recent.length === 0) history.append(h("option", null, "(no command yet)"));
    history.value = String(model.get("selected"));
  }

  function drawStep() {
    const all = steps();
    const index = model.get("step");
    const step = all[index];
    counter.textContent = `${all.length ? index + 1 : 0} / ${all.length}`;
    back.disabled = index <= 0;
    forward.disabled = index >= all.length - 1;
    play.textContent = model.get("playing") ? "❚❚ pause" : "▶ play";
    play.setAttribute("aria-label", model.get("playing") ? "pause" : "play the steps");
    play.disabled = all.length <= 1;

    // Light the box of the current step; mark the boxes before it. A step's box is its run of
    // steps of one layer, counted as the model counts them ("layers").
    let box = -1;
    all.slice(0, index + 1).forEach((s, i) => {
      if (i === 0 || s.layer !== all[i - 1].layer) box += 1;
    });
    boxes.forEach((element, i) => {
      element.classList.toggle("kedis-current", step !== undefined && i === box);
      element.classList.toggle("kedis-visited", i < box);
    });

    picture.replaceChildren();
    io.replaceChildren();
    if (step === undefined) {
      head.textContent = "";
      caption.textContent = "";
      picture.dataset.kind = "";
      picture.append(h("div", "kedis-empty", "run a command to see its flow"));
      list.replaceChildren();
      return;
    }
    head.textContent = `${step.number}. ${step.layer} · ${step.action}`;
    const drawn = step.picture;
    picture.dataset.kind = drawn ? drawn.kind : "";
    picture.dataset.layer = step.layer;
    if (drawn && PICTURES[drawn.kind]) picture.append(PICTURES[drawn.kind](drawn));
    else picture.append(h("div", "kedis-flow-note", step.did));
    // The caption: the step's sentence, and what came in and went out, one line each.
    caption.textContent = step.did;
    for (const [name, text] of [["received", step.received], ["handed on", step.handed_on]]) {
      const row = h("div", "kedis-flow-fact");
      const value = h("span", "kedis-flow-fact-value", text === "" ? "—" : text);
      value.title = text;
      row.append(h("span", "kedis-flow-fact-name", name), value);
      io.append(row);
    }

    // Every step's sentence, the current one marked: a click goes there.
    list.replaceChildren();
    all.forEach((s, i) => {
      const li = h("li", i === index ? "kedis-flow-line kedis-current-line" : "kedis-flow-line");
      li.append(h("span", "kedis-flow-line-layer", s.layer), document.createTextNode(` ${s.did}`));
      li.addEventListener("click", () => {
        model.set("playing", false);
        go(i);
      });
      list.append(li);
    });
  }

  // Play: one step every play_interval_ms, until the last step or a pause.
  let timer = null;
  function syncPlaying() {
    clearInterval(timer);
    timer = null;
    if (model.get("playing")) {
      timer = setInterval(() => go(model.get("step") + 1), model.get("play_interval_ms"));
    }
    drawStep();
  }

  function drawMode() {
    mode.textContent = model.get("following") ? "follows each new command" : "stays on this command";
  }

  const undo = [
    onChanges(model, ["recent_json", "selected"], drawHistory),
    onChanges(model, ["layers"], () => { drawPipeline(); drawStep(); }),
    onChanges(model, ["following"], drawMode),
    onChanges(model, ["steps_json", "step"], drawStep),
    onChanges(model, ["playing", "play_interval_ms"], syncPlaying),
  ];
  drawPipeline();
  drawHistory();
  drawMode();
  syncPlaying();
  return () => {
    clearInterval(timer);
    for (const off of undo) off();
  };
}

export default { render };
