// FlowView: one command's steps through the layers, one at a time (see flow.py).
//
// Python sends every step of the command shown, each complete in itself; this module draws the
// current one from its own data. Moving back, forward or playing only changes `step`, which is
// drawn here at once and sent to Python (so that view.step, forward() and back() agree), and
// the browser needs no answer: stepping works even while the kernel is busy.

const NO_ENTRY = "(no key)";

function entryBox(cls, label, entry, diff) {
  const box = h("div", cls);
  box.append(h("div", "kedis-subtitle", label));
  if (entry === null) {
    box.append(h("div", "kedis-entry-none", NO_ENTRY));
    return box;
  }
  // One line per field, so that a field this step changed can be marked on its own.
  const fields = [
    ["type", entry.type, "type"],
    ["value", entry.value, "value"],
    ["TTL", entry.expires_at === null ? "none" : `until ${entry.expires_text}`, "expires_at"],
    ["size", `${entry.size} ${entry.size === 1 ? "byte" : "bytes"}`, "value"],
  ];
  const list = h("dl", "kedis-entry");
  for (const [name, text, field] of fields) {
    const dt = h("dt", null, name);
    const dd = h("dd", null, text);
    if (diff.includes(field)) dd.classList.add("kedis-diff");
    list.append(dt, dd);
  }
  box.append(list);
  return box;
}

function render({ model, el }) {
  const root = h("div", "kedis-flow kedis-view");

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
  const back = h("button", "kedis-flow-back", "◀ back");
  const counter = h("span", "kedis-flow-step");
  const forward = h("button", "kedis-flow-forward", "forward ▶");
  const play = h("button", "kedis-flow-play");
  const mode = h("span", "kedis-flow-mode");
  controls.append(history, back, counter, forward, play, mode);

  const detail = h("div", "kedis-flow-detail");
  const entries = h("div", "kedis-flow-entries");
  const list = h("ol", "kedis-flow-steps");

  root.append(controls, pipeline, detail, entries, list);
  el.append(root);

  const steps = () => model.get("steps");

  function go(index) {
    const last = Math.max(steps().length - 1, 0);
    const step = Math.min(Math.max(index, 0), last);
    model.set("step", step);
    if (step >= last) model.set("playing", false);
    model.save_changes();
  }
  back.addEventListener("click", () => {
    model.set("playing", false);
    go(model.get("step") - 1);
  });
  forward.addEventListener("click", () => {
    model.set("playing", false);
    go(model.get("step") + 1);
  });
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

  function drawHistory() {
    history.replaceChildren();
    const recent = model.get("recent");
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

    detail.replaceChildren();
    entries.replaceChildren();
    if (step === undefined) {
      detail.append(h("div", "kedis-empty", "run a command to see its flow"));
      return;
    }
    detail.append(h("div", "kedis-flow-layer-name", `${step.number}. ${step.layer}`));
    const facts = h("dl", "kedis-flow-facts");
    for (const [name, text, cls] of [
      ["received", step.received, "kedis-received"],
      ["did", step.did, "kedis-did"],
      ["handed on", step.handed_on, "kedis-handed-on"],
    ]) {
      facts.append(h("dt", null, name), h("dd", cls, text === "" ? "—" : text));
    }
    detail.append(facts);

    // The keyspace entry before and after this step (only keyspace and expiry steps touch one).
    entries.classList.toggle("kedis-changed", step.changed);
    if (step.touches_keyspace) {
      const where = step.key === null ? `db ${step.db}` : `${step.key} in db ${step.db}`;
      entries.append(h("div", "kedis-subtitle", step.changed ? `${where}: changed` : `${where}: unchanged`));
      const pair = h("div", "kedis-entry-pair");
      pair.append(
        entryBox("kedis-before", "before", step.before, step.diff),
        h("span", "kedis-flow-arrow", "→"),
        entryBox("kedis-after", "after", step.after, step.diff),
      );
      entries.append(pair);
    } else {
      const pair = h("div", "kedis-entry-pair kedis-untouched");
      const before = h("div", "kedis-before", "this layer does not touch the keyspace");
      const after = h("div", "kedis-after", "");
      pair.append(before, after);
      entries.append(pair);
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
    onChanges(model, ["recent", "selected"], drawHistory),
    onChanges(model, ["layers"], () => { drawPipeline(); drawStep(); }),
    onChanges(model, ["following"], drawMode),
    onChanges(model, ["steps", "step"], drawStep),
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
