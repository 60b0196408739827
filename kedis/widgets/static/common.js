// Helpers shared by the Kedis views. Python puts this file in front of each view's module
// (anywidget loads one module per widget, and a module loaded that way cannot import its
// neighbours by a relative path).
//
// One rule holds in every view: text from the engine (keys, values, sentences) goes into the
// page through textContent, never innerHTML, so that a key such as <img src=x onerror=...> is
// shown as the characters it holds and never becomes an element.

/** A new element with a class and, optionally, its text. */
function h(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

/** A duration in ms, short and readable: "850 ms", "12.3 s", "4 m 05 s", "2 h 03 m", "3 d 04 h". */
function formatDuration(ms) {
  const pad = (n) => String(Math.floor(n)).padStart(2, "0");
  if (ms < 1000) return `${Math.max(0, Math.floor(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${pad(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${pad((s % 3600) / 60)} m`;
  return `${Math.floor(s / 86400)} d ${pad((s % 86400) / 3600)} h`;
}

/**
 * The engine's clock as the browser estimates it. Python sends now_ms at each push; a real clock
 * has moved on since by the time that passed here, a fake clock has not moved at all (it moves
 * only when told to, and then Python sends the new time).
 */
function engineClock(model) {
  let base = model.get("now_ms");
  let at = performance.now();
  const synced = () => {
    base = model.get("now_ms");
    at = performance.now();
  };
  model.on("change:now_ms", synced);
  return {
    now: () => (model.get("fake_clock") ? base : base + (performance.now() - at)),
    fake: () => model.get("fake_clock"),
    stop: () => model.off("change:now_ms", synced),
  };
}

/** What a TTL cell says for a deadline: the time left, or that it has passed. */
function ttlText(deadline, now) {
  if (deadline === null || deadline === undefined) return "no TTL";
  const left = deadline - now;
  return left >= 0 ? formatDuration(left) : "expired, still stored";
}

/** Re-run `draw` whenever one of the named traits changes; returns the undo. */
function onChanges(model, names, draw) {
  for (const name of names) model.on(`change:${name}`, draw);
  return () => {
    for (const name of names) model.off(`change:${name}`, draw);
  };
}
