// ExpiryView: the keys that will expire first, counting down; the expirations as they happen;
// the active cycles: the last ones that ran (slow or fast), the expires table with the cursor
// that walks it, and the last cycle's walk. Python sends deadlines and the engine's clock
// (widgets/expiry.py); countdowns and what is due are computed here, so that they move without a
// message per tick.

function render({ model, el }) {
  const clock = engineClock(model);
  const root = h("div", "kedis-expiry kedis-view");

  const bar = h("div", "kedis-bar");
  const title = h("span", "kedis-title");
  const counters = h("span", "kedis-expiry-counters");
  bar.append(title); // (the counters go on a line of their own: the bar stays one line wide)

  const clockLine = h("div", "kedis-expiry-clock");
  const timeline = h("ol", "kedis-expiry-timeline");
  const more = h("div", "kedis-empty");

  const eventsBox = h("div", "kedis-expiry-events");
  const eventsList = h("ul", "kedis-expiry-event-list");
  eventsBox.append(h("div", "kedis-subtitle", "expirations, newest first"), eventsList);

  const active = h("div", "kedis-expiry-active");
  const cyclesTitle = h("div", "kedis-subtitle", "active expiry: the last cycles, newest on the right");
  const cyclesRow = h("div", "kedis-cycles");
  const cyclesLegend = h("div", "kedis-slot-legend",
    "S: slow cycle (serverCron, hz times a second) · F: fast cycle (beforeSleep, between rounds of " +
    "commands) · red: the share of what it looked at that had expired · orange underline: out of time");
  const tableTitle = h("div", "kedis-subtitle");
  const tableCaption = h("div", "kedis-table-caption");
  const slots = h("div", "kedis-slots");
  const legend = h("div", "kedis-slot-legend");
  for (const [cls, text] of [["", "a key with a TTL"], ["kedis-slot-due", "due (expired, still stored)"],
                             ["kedis-slot-hole", "a hole (its key lost its TTL)"],
                             ["kedis-slot-walked", "walked by the last cycle"],
                             ["kedis-slot-cursor", "the cursor: where the next cycle starts"]]) {
    const item = h("span", "kedis-slot-legend-item");
    item.append(h("span", `kedis-slot kedis-slot-swatch ${cls}`), document.createTextNode(text));
    legend.append(item);
  }
  const removed = h("div", "kedis-removed");
  const sample = h("div", "kedis-expiry-sample");
  active.append(cyclesTitle, cyclesRow, cyclesLegend, tableTitle, tableCaption, slots, legend, removed, sample);

  root.append(bar, counters, clockLine, timeline, more, eventsBox, active);
  el.append(root);

  let countdowns = []; // [cell, row, bar, deadline] for each key on the timeline
  // How long each deadline was away when the view first saw it (key and deadline -> ms): the
  // bars share one scale, the longest of these, so that each bar shrinks as its time runs out
  // (a lone key's too: scaled to the deadline still ahead, it would stay full).
  const firstSeen = new Map();
  let scale = 1;

  function drawCountdowns() {
    const now = clock.now();
    for (const [cell, row, bar, deadline] of countdowns) {
      const left = deadline - now;
      cell.textContent = left >= 0 ? `in ${formatDuration(left)}` : "due: waiting for lazy or active expiry";
      row.classList.toggle("kedis-due", left < 0);
      bar.style.width = `${Math.min(100, Math.max(0, (100 * left) / scale))}%`;
    }
    const kind = clock.fake() ? "fake clock (moves only when told to)" : "real clock";
    clockLine.textContent = `${kind}: ${new Date(clock.now()).toISOString().replace("T", " ").replace("Z", " UTC")}`;
  }

  function drawTimeline() {
    title.textContent = `expiry queue of db ${model.get("db")}`;
    timeline.replaceChildren();
    countdowns = [];
    const now = clock.now();
    const onTimeline = new Set();
    scale = 1;
    for (const row of model.get("rows")) {
      const id = `${row.key}\u0000${row.expires_at}`;
      if (!firstSeen.has(id)) firstSeen.set(id, Math.max(1, row.expires_at - now));
      onTimeline.add(id);
      scale = Math.max(scale, firstSeen.get(id));
      const li = h("li", "kedis-expiry-row");
      li.title = `expires at ${row.expires_text} (${row.expires_at} ms), ${clock.fake() ? "fake" : "real"} clock`;
      const track = h("span", "kedis-expiry-track");
      const fill = h("span", "kedis-expiry-bar");
      track.append(fill);
      const countdown = h("span", "kedis-countdown");
      li.append(h("span", "kedis-key", row.key), track, countdown);
      timeline.append(li);
      countdowns.push([countdown, li, fill, row.expires_at]);
    }
    for (const id of firstSeen.keys()) if (!onTimeline.has(id)) firstSeen.delete(id);
    const all = model.get("ttl_count");
    const shown = countdowns.length;
    more.textContent =
      all === 0 ? "(no key has a TTL)" : all > shown ? `… and ${all - shown} more with a TTL` : "";
    drawCountdowns();
  }

  function drawCounters() {
    const lazy = model.get("lazy_count");
    const active = model.get("active_count");
    counters.textContent = `expired so far: ${lazy} lazy (on access), ${active} active (by the cycle)`;
  }

  function drawEvents() {
    eventsList.replaceChildren();
    const db = model.get("db");
    for (const event of model.get("events")) {
      const li = h("li", `kedis-expired-event kedis-${event.how}`);
      li.title = `at ${event.at_text}`;
      const where = event.db === db ? "" : ` in db ${event.db}`;
      const how = event.how === "lazy" ? "lazy: a command touched it" : "active: the cycle sampled it";
      li.append(h("code", "kedis-key", event.key), document.createTextNode(` expired${where} (${how})`));
      eventsList.append(li);
    }
    if (!eventsList.firstChild) eventsList.append(h("li", "kedis-empty", "(none yet)"));
  }

  const kindName = (kind) => (kind === "fast" ? "fast cycle (beforeSleep)" : "slow cycle (serverCron)");

  function cycleText(cycle) {
    const n = cycle.sampled;
    return `${kindName(cycle.kind)} at ${cycle.at_text}: looked at ${n} key${n === 1 ? "" : "s"}, ` +
      `expired ${cycle.expired}, ${cycle.elapsed_us} µs of its ${cycle.limit_us} µs` +
      (cycle.capped ? ": out of time" : "");
  }

  function drawCycles() {
    cyclesRow.replaceChildren();
    const cycles = model.get("cycles");
    if (!cycles.length) {
      cyclesRow.append(h("span", "kedis-empty", "(no cycle has run yet)"));
      return;
    }
    const newest = cycles[cycles.length - 1].seq;
    for (const cycle of cycles) {
      const block = h("span", `kedis-cycle kedis-cycle-${cycle.kind}` +
        (cycle.capped ? " kedis-cycle-capped" : "") + (cycle.seq === newest ? " kedis-cycle-newest" : ""));
      block.title = cycleText(cycle);
      const meter = h("span", "kedis-cycle-meter");
      const fill = h("span", "kedis-cycle-fill");
      fill.style.height = `${cycle.sampled ? (100 * cycle.expired) / cycle.sampled : 0}%`;
      meter.append(fill);
      block.append(h("span", "kedis-cycle-kind", cycle.kind === "fast" ? "F" : "S"), meter,
        h("span", "kedis-cycle-count", `−${cycle.expired}`));
      cyclesRow.append(block);
    }
  }

  function walkedSlots(walk, size) {
    const walked = new Set();
    if (!walk || walk.advances <= 0 || size === 0) return walked;
    const add = (from, to) => { for (let i = from; i < to; i++) walked.add(i); };
    if (walk.whole) add(0, size);
    else if (walk.from + walk.advances === walk.to) add(walk.from, walk.to);
    else { add(walk.from, size); add(0, walk.to); } // it went past the end, and on from slot 0
    return walked;
  }

  function drawTable() {
    const table = model.get("table");
    if (!table || table.size === undefined) return;
    const now = clock.now();
    tableTitle.textContent = `expires table of db ${table.db}: one cell per slot, in its place`;
    const walk = table.walk;
    const n = table.size;
    const live = table.live;
    const holes = n - live;
    tableCaption.textContent = n === 0 ? "(empty: no key has a TTL)" :
      `${live} key${live === 1 ? "" : "s"} with a TTL` +
      (holes ? ` and ${holes} hole${holes === 1 ? "" : "s"} the walk will take out` : "") +
      ` (Redis's table: ${table.slots} buckets); ` +
      `the cursor is at slot ${table.cursor}` +
      (walk ? `; the last walk here: a ${walk.kind} cycle looked at ${walk.sampled} from slot ` +
        `${walk.from}, expired ${walk.expired}, stopped at slot ${walk.to}` : "");
    const walked = walkedSlots(walk, n);
    const labelled = table.shown.length <= 32;
    slots.classList.toggle("kedis-slots-labelled", labelled);
    slots.replaceChildren();
    table.shown.forEach(([key, deadline], slot) => {
      const hole = deadline === null;
      const due = !hole && deadline < now;
      const cell = h("span", "kedis-slot" + (hole ? " kedis-slot-hole" : "") + (due ? " kedis-slot-due" : "") +
        (walked.has(slot) ? " kedis-slot-walked" : "") + (slot === table.cursor ? " kedis-slot-cursor" : ""),
        labelled && !hole ? key : undefined);
      cell.title = hole ? `slot ${slot}: a hole (${key} has no TTL any more)` :
        `slot ${slot}: ${key}, ${due ? "due" : "expires in " + formatDuration(deadline - now)}`;
      slots.append(cell);
    });
    if (n > table.shown.length) slots.append(h("span", "kedis-empty", ` … ${n - table.shown.length} more slots`));
    removed.replaceChildren();
    if (table.removed.length) {
      removed.append(h("span", "kedis-label", "removed by that walk: "));
      for (const key of table.removed.slice(0, 24)) {
        removed.append(h("span", "kedis-sample-key kedis-sample-expired", key));
      }
      if (walk && walk.expired > 24) removed.append(h("span", "kedis-empty", `… ${walk.expired - 24} more`));
    }
  }

  function drawSample() {
    const cycle = model.get("sample");
    sample.replaceChildren(h("div", "kedis-subtitle", "the last cycle's walk, key by key"));
    if (!cycle || cycle.rounds === undefined) {
      sample.append(h("div", "kedis-empty", "(no cycle has run yet)"));
      return;
    }
    const s = cycle.sampled_count;
    const summary =
      `${kindName(cycle.kind)} at ${cycle.started_text}: ${cycle.rounds} round${cycle.rounds === 1 ? "" : "s"}, ` +
      `looked at ${s} key${s === 1 ? "" : "s"} with a TTL, expired ${cycle.expired}` +
      ` in ${cycle.elapsed_us} µs of its ${cycle.time_limit_us} µs` +
      (cycle.time_cap_reached ? " (stopped: out of time)" : "");
    sample.append(h("div", "kedis-sample-summary", summary));
    const chips = h("div", "kedis-sample-keys");
    for (const item of cycle.keys) {
      const chip = h("span", item.expired ? "kedis-sample-key kedis-sample-expired" : "kedis-sample-key", item.key);
      chip.title = (item.expired ? "looked at: expired, deleted" : "looked at: still alive") +
        (item.db === model.get("db") ? "" : ` (db ${item.db})`);
      chips.append(chip);
    }
    if (s > cycle.keys.length) chips.append(h("span", "kedis-empty", `… ${s - cycle.keys.length} more`));
    sample.append(chips);
  }

  const undo = [
    onChanges(model, ["rows", "ttl_count", "db"], drawTimeline),
    onChanges(model, ["lazy_count", "active_count"], drawCounters),
    onChanges(model, ["events", "db"], drawEvents),
    onChanges(model, ["sample"], drawSample),
    onChanges(model, ["cycles"], drawCycles),
    onChanges(model, ["table", "now_ms", "fake_clock"], drawTable),
    onChanges(model, ["now_ms", "fake_clock"], drawCountdowns),
  ];
  drawTimeline();
  drawCounters();
  drawEvents();
  drawCycles();
  drawTable();
  drawSample();
  const timer = setInterval(() => {
    if (!clock.fake()) drawCountdowns();
  }, 250);
  return () => {
    clearInterval(timer);
    for (const off of undo) off();
    clock.stop();
  };
}

export default { render };
