// ExpiryView: the keys that will expire first, counting down; the expirations as they happen;
// the last active cycle's sample. Python sends deadlines and the engine's clock (expiry.py);
// the countdowns are computed here, so that they move without a message per tick.

function render({ model, el }) {
  const clock = engineClock(model);
  const root = h("div", "kedis-expiry kedis-view");

  const bar = h("div", "kedis-bar");
  const title = h("span", "kedis-title");
  const counters = h("span", "kedis-expiry-counters");
  bar.append(title, counters);

  const clockLine = h("div", "kedis-expiry-clock");
  const timeline = h("ol", "kedis-expiry-timeline");
  const more = h("div", "kedis-empty");

  const eventsBox = h("div", "kedis-expiry-events");
  const eventsList = h("ul", "kedis-expiry-event-list");
  eventsBox.append(h("div", "kedis-subtitle", "expirations, newest first"), eventsList);

  const sample = h("div", "kedis-expiry-sample");

  root.append(bar, clockLine, timeline, more, eventsBox, sample);
  el.append(root);

  let countdowns = []; // [cell, row, bar, deadline] for each key on the timeline

  function drawCountdowns() {
    const now = clock.now();
    // The bars share one scale: the furthest deadline shown is the full width.
    const furthest = Math.max(1, ...countdowns.map(([, , , deadline]) => deadline - now));
    for (const [cell, row, bar, deadline] of countdowns) {
      const left = deadline - now;
      cell.textContent = left >= 0 ? `in ${formatDuration(left)}` : "due: waiting for lazy or active expiry";
      row.classList.toggle("kedis-due", left < 0);
      bar.style.width = `${Math.max(0, (100 * left) / furthest)}%`;
    }
    const kind = clock.fake() ? "fake clock (moves only when told to)" : "real clock";
    clockLine.textContent = `${kind}: ${new Date(clock.now()).toISOString().replace("T", " ").replace("Z", " UTC")}`;
  }

  function drawTimeline() {
    title.textContent = `expiry queue of db ${model.get("db")}`;
    timeline.replaceChildren();
    countdowns = [];
    for (const row of model.get("rows")) {
      const li = h("li", "kedis-expiry-row");
      li.title = `expires at ${row.expires_text} (${row.expires_at} ms)`;
      const track = h("span", "kedis-expiry-track");
      const fill = h("span", "kedis-expiry-bar");
      track.append(fill);
      const countdown = h("span", "kedis-countdown");
      li.append(h("span", "kedis-key", row.key), track, countdown);
      timeline.append(li);
      countdowns.push([countdown, li, fill, row.expires_at]);
    }
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

  function drawSample() {
    const cycle = model.get("sample");
    sample.replaceChildren(h("div", "kedis-subtitle", "last active expiry cycle"));
    if (!cycle || cycle.rounds === undefined) {
      sample.append(h("div", "kedis-empty", "(it has not run yet)"));
      return;
    }
    const s = cycle.sampled_count;
    const summary =
      `at ${cycle.started_text}: ${cycle.rounds} round${cycle.rounds === 1 ? "" : "s"}, ` +
      `sampled ${s} key${s === 1 ? "" : "s"} with a TTL, expired ${cycle.expired}` +
      (cycle.time_cap_reached ? " (stopped: out of time)" : "") +
      ` in ${cycle.elapsed_us} µs`;
    sample.append(h("div", "kedis-sample-summary", summary));
    const chips = h("div", "kedis-sample-keys");
    for (const item of cycle.keys) {
      const chip = h("span", item.expired ? "kedis-sample-key kedis-sample-expired" : "kedis-sample-key", item.key);
      chip.title = item.expired ? "sampled: expired, deleted" : "sampled: still alive";
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
    onChanges(model, ["now_ms", "fake_clock"], drawCountdowns),
  ];
  drawTimeline();
  drawCounters();
  drawEvents();
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
