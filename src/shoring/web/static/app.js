// shoring web pages: every value comes from the JSON API; user text is only ever set
// with textContent (never innerHTML), so a name like <script> shows as text.
"use strict";

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  const type = response.headers.get("content-type") || "";
  const body = type.includes("application/json") ? await response.json() : await response.text();
  if (!response.ok) {
    const error = new Error((body && body.detail) || response.statusText);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = value;
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch (e) {
    return null;
  }
}

function fmt(value, column = "") {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && /year/.test(column)) return String(value);
  if (typeof value === "number") {
    return Math.abs(value) >= 1000 ? value.toLocaleString("en-US", { maximumFractionDigits: 0 })
      : String(Math.round(value * 10000) / 10000);
  }
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function pct(value) {
  return value === null || value === undefined ? "" : (value * 100).toFixed(2) + "%";
}

function fillTable(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c)))));
}

function grid(columns, rows) {
  return el("div", { class: "tablewrap" }, el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", { text: c })))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => el("td", { text: fmt(c, columns[i]) })))))));
}

function showProblems(table, status, error) {
  const problems = (error.body && error.body.problems) || [];
  status.className = "status error";
  status.textContent = error.message;
  table.hidden = problems.length === 0;
  fillTable(table, problems.map((p) => [p.file, p.sheet ?? "", p.row ?? "", p.field ?? "", p.message]));
}

function plot(div, figure) {
  if (typeof div === "string") div = document.getElementById(div);
  return Plotly.newPlot(div, figure.data, figure.layout,
    { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] });
}

// ---------------------------------------------------------------- home
async function loadNetworks(select) {
  const networks = await api("/api/networks");
  fillTable(document.getElementById("networks"), networks.map((n) => [
    el("a", { href: "/networks/" + encodeURIComponent(n.id), text: n.name }),
    n.filename, n.summary.products, n.summary.sites, n.summary.markets, n.created.slice(0, 19),
  ]));
  const run = document.getElementById("run-network");
  const keep = select || run.value;
  run.replaceChildren(...networks.map((n) => el("option", { value: n.id, text: `${n.name} (${n.filename})` })));
  if (keep) run.value = keep;
}

async function loadRuns() {
  const [runs, networks] = await Promise.all([api("/api/runs"), api("/api/networks")]);
  const names = Object.fromEntries(networks.map((n) => [n.id, n.name]));
  fillTable(document.getElementById("runs"), runs.map((r) => [
    el("a", { href: "/runs/" + encodeURIComponent(r.id), text: r.id }),
    names[r.network_id] || r.network_id, r.request.scenarios.join(", "), r.status,
    (r.started || r.created).slice(0, 19),
  ]));
}

// An upload with problems in rows: each row's cells as inputs (the flagged ones first,
// with what is wrong), checked again on the server with the edits ("Check again").
function draftRow(row, inputs) {
  const flagged = new Map();
  for (const p of row.problems) {
    if (p.field) flagged.set(p.field, [...(flagged.get(p.field) || []), p.message]);
  }
  const whole = row.problems.filter((p) => !p.field).map((p) => p.message);
  const cell = (column) => {
    const input = el("input", { value: row.values[column] ?? "", "data-table": row.table,
      "data-index": row.index, "data-field": column, "aria-label": `${row.table} row ${row.row} ${column}` });
    input.dataset.original = input.value;
    inputs.push(input);
    return el("tr", { class: flagged.has(column) ? "bad" : "" }, el("th", { text: column }),
      el("td", {}, input), el("td", { class: "error", text: (flagged.get(column) || []).join("; ") }));
  };
  const first = row.columns.filter((c) => flagged.has(c) || whole.length);
  const rest = row.columns.filter((c) => !first.includes(c));
  const label = row.values[row.columns[0]] ? ` (${row.values[row.columns[0]]})` : "";
  return el("div", { class: "draft-row" },
    el("h4", { text: `${row.table}, row ${row.row ?? "?"}${label}` }),
    ...whole.map((m) => el("p", { class: "error", text: m })),
    el("table", { class: "problems" }, el("tbody", {}, ...first.map(cell))),
    rest.length ? el("details", {}, el("summary", { text: `the other ${rest.length} cells of this row` }),
      el("table", {}, el("tbody", {}, ...rest.map(cell)))) : null);
}

function showDraft(draft, status, problems) {
  const holder = document.getElementById("upload-draft");
  holder.replaceChildren();
  if (!draft) {
    if (status.classList.contains("error")) status.textContent += ": correct them in your file and upload it again.";
    return;
  }
  const inputs = [];
  const check = el("button", { type: "button", id: "draft-check" }, "Check again");
  holder.append(el("h3", { text: `Fix ${draft.filename} here` }),
    el("p", { class: "note", text: "Type the right values in the cells below and check again; " +
      "the server checks the file with your edits exactly as an upload. Problems without a row " +
      "(a missing sheet, a damaged file) must be fixed in the file." }),
    ...draft.rows.map((row) => draftRow(row, inputs)), check);
  check.addEventListener("click", async () => {
    const edits = inputs.filter((i) => i.value !== i.dataset.original).map((i) => ({
      table: i.dataset.table, index: Number(i.dataset.index), field: i.dataset.field, value: i.value }));
    status.className = "status";
    status.textContent = `checking ${draft.filename} with ${edits.length} edited cell(s) …`;
    try {
      const network = await api(`/api/drafts/${encodeURIComponent(draft.id)}/check`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ edits }) });
      holder.replaceChildren();
      problems.hidden = true;
      uploaded(network, status, " after your edits");
      await loadNetworks(network.id);
    } catch (error) {
      showProblems(problems, status, error);
      if (error.body && error.body.draft) showDraft(error.body.draft, status, problems);
    }
  });
}

function uploaded(network, status, how = "") {
  status.className = "status ok";
  status.textContent = `${network.name}: no problems found${how} (${network.summary.products} products, ` +
    `${network.summary.sites} sites, ${network.summary.markets} markets). Pick scenarios below and run a study.`;
}

async function home() {
  const status = document.getElementById("upload-status");
  const problems = document.getElementById("upload-problems");
  document.getElementById("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("upload-file").files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    status.className = "status";
    status.textContent = "checking " + file.name + " …";
    problems.hidden = true;
    try {
      const network = await api("/api/networks", { method: "POST", body: form });
      document.getElementById("upload-draft").replaceChildren();
      uploaded(network, status);
      await loadNetworks(network.id);
    } catch (error) {
      showProblems(problems, status, error);
      showDraft(error.body && error.body.draft, status, problems);
    }
  });
  const scenarios = await api("/api/scenarios");
  document.getElementById("run-scenarios").replaceChildren(...scenarios.map((s) => el("label",
    { title: s.description },
    el("input", { type: "checkbox", name: "scenario", value: s.name,
      ...(s.name === "current-law" ? { checked: "" } : {}) }),
    ` ${s.name} `, el("span", { class: "note", text: `(${s.kind}) ${s.title}` }))));
  document.getElementById("run-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const runStatus = document.getElementById("run-status");
    const chosen = [...document.querySelectorAll("#run-scenarios input:checked")].map((i) => i.value);
    const analyses = ["costs"];
    for (const name of ["optimize", "simulate", "stress"]) {
      if (document.getElementById("run-" + name).checked) analyses.push(name);
    }
    try {
      const run = await api("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ network_id: document.getElementById("run-network").value,
          scenarios: chosen, analyses }),
      });
      window.location.href = "/runs/" + encodeURIComponent(run.id);
    } catch (error) {
      runStatus.className = "status error";
      runStatus.textContent = error.message;
    }
  });
  await loadNetworks();
  await loadRuns();
}

// ---------------------------------------------------------------- network
async function networkPage() {
  const id = document.body.dataset.network;
  const network = await api("/api/networks/" + encodeURIComponent(id));
  document.getElementById("network-name").textContent = `${network.name} (${network.filename})`;
  const s = network.summary;
  document.getElementById("network-summary").replaceChildren(grid(["", ""], Object.entries(s)));
  plot("network-map", await api(`/api/networks/${encodeURIComponent(id)}/map`));
  const tables = await api(`/api/networks/${encodeURIComponent(id)}/tables`);
  const holder = document.getElementById("network-tables");
  for (const [name, records] of Object.entries(tables)) {
    if (name === "meta" || !records.length) continue;
    const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
    holder.append(el("h4", { text: `${name} (${records.length})` }),
      grid(columns, records.map((r) => columns.map((c) => r[c]))));
  }
}

// ---------------------------------------------------------------- scenarios
async function scenariosPage() {
  const list = document.getElementById("scenario-list");
  for (const s of await api("/api/scenarios")) {
    const sources = el("ul", {}, ...s.sources.map((src) => {
      const url = src.url && safeUrl(src.url);
      const name = `${src.name}${src.year ? " (" + src.year + ")" : ""}`;
      return el("li", {}, url ? el("a", { href: url, rel: "noopener noreferrer", target: "_blank", text: name }) : name);
    }));
    const input = el("input", { placeholder: "new name", pattern: "[a-z0-9][a-z0-9-]*", class: "clone-name" });
    const status = el("span", { class: "status" });
    const clone = el("button", { type: "button", class: "clone", on: { click: async () => {
      try {
        const made = await api(`/api/scenarios/${encodeURIComponent(s.name)}/clone`, {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: input.value || `my-${s.name}`.slice(0, 60) }) });
        window.location.href = "/scenarios/" + encodeURIComponent(made.name);
      } catch (error) { status.className = "status error"; status.textContent = error.message; }
    } } }, "Clone to edit");
    list.append(el("article", { class: "scenario", id: "scenario-" + s.name },
      el("h3", {}, el("a", { href: "/scenarios/" + encodeURIComponent(s.name), text: s.name }),
        el("span", { class: "note", text: ` ${s.kind}${s.builtin ? "" : " · yours"}` })),
      el("p", { text: s.title }), el("p", { class: "note", text: s.description }),
      s.assumptions.length ? el("details", {}, el("summary", { text: `${s.assumptions.length} assumption(s)` }),
        el("ul", {}, ...s.assumptions.map((a) => el("li", { text: a })))) : null,
      el("div", { class: "note" }, "Sources:", sources), el("div", {}, input, clone, status)));
  }
}

async function scenarioPage() {
  const name = document.body.dataset.scenario;
  const status = document.getElementById("scenario-status");
  const problems = document.getElementById("scenario-problems");
  const show = (s) => {
    document.getElementById("scenario-title").textContent = `${s.name}: ${s.title}`;
    document.getElementById("scenario-meta").replaceChildren(
      el("p", { class: "note", text: `${s.kind}${s.builtin ? " (built in: clone it to edit)" : ""}; ` +
        `parents: ${s.parents.join(", ") || "none"}; ${s.measures} measure(s) of its own` }),
      el("p", { text: s.description }));
    document.getElementById("scenario-yaml").value = s.yaml;
    const view = document.getElementById("scenario-view");
    view.textContent = s.yaml;
    view.hidden = !s.builtin;
    document.getElementById("scenario-edit").hidden = s.builtin;
  };
  const path = "/api/scenarios/" + encodeURIComponent(name);
  show(await api(path));
  const send = async (url, method, payload) => {
    problems.hidden = true;
    try {
      show(await api(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(payload) }));
      status.className = "status ok";
      status.textContent = "saved and checked";
    } catch (error) { showProblems(problems, status, error); }
  };
  document.getElementById("tariff-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = new FormData(event.target);
    send(path + "/tariffs", "POST", {
      id: f.get("id"), importers: f.get("importers"), exporters: f.get("exporters"), hs: f.get("hs"),
      ad_valorem: Number(f.get("rate")) / 100, stacking: f.get("stacking"), start: f.get("start"),
      end: f.get("end") || null });
  });
  document.getElementById("yaml-form").addEventListener("submit", (event) => {
    event.preventDefault();
    send(path, "PUT", { yaml: document.getElementById("scenario-yaml").value });
  });
}

// ---------------------------------------------------------------- run
function explainView(items) {
  const out = el("div");
  for (const item of items) {
    out.append(el("h4", { text: `${item.scenario}: ${item.product} (HS ${item.hs}) ${item.exporter} → ` +
      `${item.importer}, ${item.year}: duty ${pct(item.rate)} (day-weighted)` }));
    for (const line of item.origin.explanation || []) out.append(el("p", { class: "origin", text: line }));
    for (const period of item.periods) {
      const lane = period.explanation;
      const applied = lane.steps.filter((s) => s.status !== "not applicable");
      const skipped = lane.steps.filter((s) => s.status === "not applicable");
      out.append(el("p", { class: "note", text: `from ${period.start}, ${period.days} days: ${pct(lane.rate)}` }),
        grid(["measure", "status", "rate", "share", "why"],
          applied.map((s) => [s.id, s.status, pct(s.rate), s.share === null ? "" : pct(s.share), s.reason])),
        el("details", {}, el("summary", { text: `${skipped.length} measure(s) skipped` }),
          grid(["measure", "why not"], skipped.map((s) => [s.id, s.reason]))));
    }
  }
  return out;
}

async function showResults(id) {
  const base = "/api/runs/" + encodeURIComponent(id);
  document.getElementById("results").hidden = false;
  const index = await api(base + "/json/pairs");
  const cheapest = await api(base + "/tables/cheapest");
  const yearCol = cheapest.columns.indexOf("year");
  const keep = ["product", "market", "scenario", "site", "site_country", "total", "margin"]
    .map((c) => cheapest.columns.indexOf(c)).filter((i) => i >= 0);
  const rows = cheapest.rows.filter((r) => r[yearCol] === index.year).map((r) => keep.map((i) => r[i]));
  document.getElementById("cheapest").replaceChildren(
    el("p", { class: "note", text: `${index.year}, USD per unit at the market; reference ${index.reference}` }),
    grid(keep.map((i) => cheapest.columns[i]), rows));
  await plot("result-map", await api(base + "/figures/map"));
  const pair = document.getElementById("pair");
  pair.replaceChildren(...index.pairs.map((p) => el("option", { value: p.index, text: `${p.product} → ${p.market}` })));
  const draw = async () => {
    const p = index.pairs[Number(pair.value)];
    if (!p) return;
    await plot("chart-waterfall", await api(`${base}/figures/waterfall-${p.index}`));
    await plot("chart-stack", await api(`${base}/figures/stack-${p.index}`));
    const deltas = document.getElementById("chart-deltas");
    if (p.deltas) await plot(deltas, await api(`${base}/figures/${p.deltas}`));
    else deltas.replaceChildren(el("p", { class: "note", text: "One scenario only: pick two or more to compare." }));
    const breakeven = document.getElementById("chart-breakeven");
    if (p.breakeven) await plot(breakeven, await api(`${base}/figures/${p.breakeven}`));
    else breakeven.replaceChildren(el("p", { class: "note", text: "No existing and candidate site both serve this market: no break-even." }));
    const explain = document.getElementById("explain");
    if (!p.lanes) {
      explain.replaceChildren(el("p", { class: "note", text: "No site can serve this market." }));
      return;
    }
    const usd = (v) => Math.round(v).toLocaleString("en-US");
    const lane = el("select", { id: "explain-lane" }, ...p.lanes.map((l) => el("option", { value: l.explain,
      text: `${l.site} (${l.country}): landed ${usd(l.total)} USD/unit, duties ${usd(l.duties)} USD/unit` })));
    lane.value = p.explain;
    const body = el("div");
    const show = async () => body.replaceChildren(explainView(await api(`${base}/json/${lane.value}`)));
    lane.addEventListener("change", show);
    explain.replaceChildren(el("label", {}, "Lane from ", lane,
      el("span", { class: "note", text: " (first shown: the cheapest lane that pays duty)" })), body);
    await show();
  };
  pair.addEventListener("change", draw);
  await draw();
  const names = new Set((await api(base + "/results")).map((r) => r.name));
  if (names.has("losses") || names.has("risk_ranking")) {
    document.getElementById("resilience").hidden = false;
    if (names.has("losses")) {
      const s = await api(base + "/json/simulation_summary");
      const usd = (v) => (v === null ? "n/a" : Math.round(v).toLocaleString("en-US") + " USD");
      document.getElementById("simulation-summary").replaceChildren(grid(["", ""], [
        ["draws (seed)", `${s.runs} (${s.seed})`], ["horizon, weeks", s.weeks],
        ["expected total loss", usd(s.expected_total_loss)],
        [`VaR ${Math.round(s.alpha * 100)}%`, usd(s.var)], [`CVaR ${Math.round(s.alpha * 100)}%`, usd(s.cvar)],
        ["probability of any loss", pct(s.p_any_loss)]]));
      await plot("chart-losses", await api(base + "/figures/losses"));
    }
    if (names.has("risk-ranking")) await plot("chart-risk", await api(base + "/figures/risk-ranking"));
    if (names.has("risk_ranking")) {
      const t = await api(base + "/tables/risk_ranking");
      document.getElementById("risk-table").replaceChildren(grid(t.columns, t.rows));
    }
  }
  if (index.design_findings) {
    document.getElementById("design").hidden = false;
    document.getElementById("design-findings").replaceChildren(
      ...index.design_findings.map((t) => el("p", { text: t })));
    if (index.flows) await plot("chart-flows", await api(`${base}/figures/${index.flows}`));
    if (index.frontier) await plot("chart-frontier", await api(`${base}/figures/${index.frontier}`));
  }
  document.body.dataset.ready = "1";
}

async function runPage() {
  const id = document.body.dataset.run;
  const cancel = document.getElementById("run-cancel");
  cancel.addEventListener("click", async () => {
    try { await api(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: "POST" }); } catch (e) { /* over */ }
  });
  for (;;) {
    const run = await api("/api/runs/" + encodeURIComponent(id));
    document.getElementById("run-state").textContent = run.status;
    document.getElementById("run-stage").textContent = run.stage
      ? `${run.total ? `step ${Math.min(run.done + 1, run.total)} of ${run.total}: ` : ""}${run.stage}` : "";
    const bar = document.getElementById("run-progress");
    if (run.total) { bar.max = run.total; bar.value = run.done || 0; } else if (run.status !== "done") bar.removeAttribute("value");
    document.getElementById("run-log").textContent = run.log;
    cancel.hidden = !["queued", "running"].includes(run.status);
    if (run.status === "done") { bar.max = 1; bar.value = 1; await showResults(id); return; }
    if (["failed", "cancelled"].includes(run.status)) {
      const error = document.getElementById("run-error");
      error.hidden = false;
      error.textContent = run.error;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
}

const PAGES = { home, network: networkPage, scenarios: scenariosPage, scenario: scenarioPage, run: runPage };

document.addEventListener("DOMContentLoaded", () => {
  const page = PAGES[document.body.dataset.page];
  if (page) page().catch((error) => {
    const main = document.querySelector("main");
    main.prepend(el("p", { class: "error", text: "error: " + error.message }));
  });
});
