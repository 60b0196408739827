// StoreView: one page of a database's keys. Python sends the rows of the visible page only
// (see store.py); this module draws them, counts TTLs down, and sends back what the user asks
// for: another page, another filter.

// The column headers. Their classes are not the cells' (kedis-key...): those name data only.
const COLUMNS = [
  ["key", "kedis-col-key"],
  ["type", "kedis-col-type"],
  ["value", "kedis-col-value"],
  ["TTL", "kedis-col-ttl"],
  ["size (bytes)", "kedis-col-size"],
  ["change", "kedis-col-change"],
];

function render({ model, el }) {
  const clock = engineClock(model);
  const root = h("div", "kedis-store kedis-view");

  // --- the bar: filter, totals, paging ------------------------------------------------------
  const bar = h("div", "kedis-bar");
  const title = h("span", "kedis-title");
  const filter = h("input", "kedis-store-filter");
  filter.type = "text";
  filter.placeholder = "pattern, as KEYS reads it: user:*";
  filter.title = "a Redis glob: * any bytes, ? one byte, [abc] one of them, \\x x itself";
  filter.spellcheck = false;
  const total = h("span", "kedis-store-total");
  const prev = h("button", "kedis-store-prev", "◀ prev");
  const pageLabel = h("span", "kedis-store-page");
  const next = h("button", "kedis-store-next", "next ▶");
  bar.append(title, filter, total, prev, pageLabel, next);

  // --- what the last command did --------------------------------------------------------------
  const last = h("div", "kedis-store-last");

  // --- the table -------------------------------------------------------------------------------
  const table = h("table", "kedis-store-table");
  const head = h("tr");
  for (const [label, cls] of COLUMNS) head.append(h("th", cls, label));
  const thead = h("thead");
  thead.append(head);
  table.append(thead);
  const body = h("tbody");
  table.append(body);
  const empty = h("div", "kedis-empty");

  root.append(bar, last, table, empty);
  el.append(root);

  // Typing in the filter asks Python for the matching keys, once the user pauses: filtering
  // 100,000 keys takes a few tens of ms, not worth doing at every keystroke.
  let typing = null;
  filter.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      model.set("pattern", filter.value === "" ? "*" : filter.value);
      model.save_changes();
    }, 200);
  });
  const turn = (delta) => {
    const page = Math.min(Math.max(model.get("page") + delta, 0), model.get("page_count") - 1);
    if (page === model.get("page")) return;
    model.set("page", page);
    model.save_changes();
  };
  prev.addEventListener("click", () => turn(-1));
  next.addEventListener("click", () => turn(+1));

  // The TTL cells of the page, to count down without redrawing the rows.
  let ttlCells = [];

  function drawTtl() {
    const now = clock.now();
    for (const [cell, row, deadline] of ttlCells) {
      cell.textContent = ttlText(deadline, now);
      // A deadline passed but the key still there: lazy expiry has not come by yet.
      row.classList.toggle("kedis-stale", deadline !== null && deadline < now);
    }
  }

  function draw() {
    const db = model.get("db");
    const dbSize = model.get("db_size");
    const count = model.get("total");
    const pattern = model.get("pattern");
    title.textContent = `db ${db}`;
    // Never overwrite what the user is typing.
    if (document.activeElement !== filter) filter.value = pattern === "*" ? "" : pattern;
    total.textContent =
      pattern === "*"
        ? `${count} key${count === 1 ? "" : "s"}`
        : `${count} of ${dbSize} key${dbSize === 1 ? "" : "s"} match`;
    const page = model.get("page");
    const pages = model.get("page_count");
    pageLabel.textContent = `page ${page + 1} of ${pages}`;
    prev.disabled = page <= 0;
    next.disabled = page >= pages - 1;

    // What the last command did, to each key it named (deleted keys included: they have no row).
    const changes = model.get("changes");
    const byKey = new Map(changes.map((change) => [change.key, change]));
    last.replaceChildren();
    const command = model.get("last_command");
    if (command) {
      last.append(h("span", "kedis-label", "last command "), h("code", "kedis-command", command));
      for (const change of changes) {
        const item = h("span", "kedis-store-last-change");
        if (change.changed) item.classList.add("kedis-did-change");
        item.append(h("code", null, change.key), document.createTextNode(`: ${change.change}`));
        last.append(item);
      }
    }

    // The rows of this page, drawn afresh: at most page_size of them.
    body.replaceChildren();
    ttlCells = [];
    for (const row of model.get("rows")) {
      const tr = h("tr", "kedis-store-row");
      const ttl = h("td", "kedis-ttl");
      if (row.expires_at !== null) {
        ttl.title = `expires at ${row.expires_text} (${row.expires_at} ms), ${clock.fake() ? "fake" : "real"} clock`;
      }
      const change = byKey.get(row.key);
      const changeCell = h("td", "kedis-change");
      if (change && change.changed) {
        tr.classList.add("kedis-changed");
        changeCell.textContent = change.change;
      } else if (change) {
        tr.classList.add("kedis-touched"); // named by the last command, but not changed
      }
      tr.append(
        h("td", "kedis-key", row.key),
        h("td", "kedis-type", row.type),
        h("td", "kedis-value", row.value),
        ttl,
        h("td", "kedis-size", row.size),
        changeCell,
      );
      body.append(tr);
      ttlCells.push([ttl, tr, row.expires_at]);
    }
    empty.textContent = count === 0 ? (pattern === "*" ? "(empty database)" : "(no key matches)") : "";
    drawTtl();
  }

  const undo = onChanges(
    model,
    ["rows", "total", "db_size", "page", "page_count", "pattern", "db", "changes", "last_command"],
    draw,
  );
  model.on("change:now_ms", drawTtl);
  model.on("change:fake_clock", drawTtl);
  draw();
  // A real clock moves by itself: count down between pushes (a fake one waits to be moved).
  const timer = setInterval(() => {
    if (!clock.fake()) drawTtl();
  }, 250);
  return () => {
    clearInterval(timer);
    clearTimeout(typing);
    undo();
    clock.stop();
  };
}

export default { render };
