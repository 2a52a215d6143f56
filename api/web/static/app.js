// The web page: chat with streamed answers, the proposals queue, the audit view.
// Plain DOM code, no framework; every text from the server goes in through textContent.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, cls, text) => {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
};

const state = { threadId: null };

function headers(extra = {}) {
  const out = { ...extra };
  const key = localStorage.getItem("wcm.apiKey");
  const user = localStorage.getItem("wcm.devUser");
  if (key) out["X-API-Key"] = key;
  if (user) out["X-WCM-User"] = user;
  return out;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error.message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function money(value, currency) {
  return `${Number(value).toLocaleString("en-US", { maximumFractionDigits: 0 })} ${currency || ""}`.trim();
}

function figureText(f) {
  if (typeof f.value === "number") {
    if (f.unit === "money") return money(f.value, f.currency);
    if (f.unit === "percent") return `${f.value.toFixed(1)}%`;
    if (f.unit === "days") return `${f.value.toFixed(1)} days`;
    return f.value.toLocaleString("en-US");
  }
  return f.value;
}

// ---- chat ------------------------------------------------------------------------------

function addMessage(role, text) {
  const box = el("div", `msg ${role}`);
  box.append(el("div", "text", text));
  $("#messages").append(box);
  box.scrollIntoView({ block: "end" });
  return box;
}

async function showChart(box, chart) {
  const holder = el("figure", "chart");
  holder.dataset.chartId = chart.chart_id;
  holder.append(el("figcaption", null, chart.title));
  box.append(holder);
  try {
    const response = await api(`/v1/charts/${encodeURIComponent(chart.chart_id)}.svg`);
    const img = el("img");
    img.alt = chart.title;
    img.src = URL.createObjectURL(await response.blob());
    holder.append(img);
  } catch (err) {
    holder.append(el("span", "error", `chart unavailable: ${err.message}`));
  }
}

function showParts(box, kind, data) {
  if (kind === "figures" && data.figures.length) {
    const grid = el("div", "figures");
    for (const f of data.figures) {
      const cell = el("div", "figure");
      cell.append(el("div", "label", f.label || f.key), el("div", "value", figureText(f)));
      grid.append(cell);
    }
    box.append(grid);
  } else if (kind === "citations" && data.citations.length) {
    const list = el("div", "citations", "Sources: ");
    list.append(data.citations.map((c) => [c.title, c.section].filter(Boolean).join(" · ")).join("; "));
    box.append(list);
  } else if (kind === "charts") {
    for (const chart of data.charts) showChart(box, chart);
  } else if (kind === "proposals") {
    for (const p of data.proposals) {
      box.append(el("div", "proposal-inline",
        `Proposal ${p.proposal_id}: ${p.title} (${money(p.amount, p.currency)}), ${p.status}`));
    }
    if (data.proposals.length) loadProposals();
  }
}

function parseEvents(buffer, onEvent) {
  let cut;
  while ((cut = buffer.indexOf("\n\n")) >= 0) {
    const block = buffer.slice(0, cut);
    buffer = buffer.slice(cut + 2);
    let event = "message", data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    onEvent(event, data ? JSON.parse(data) : {});
  }
  return buffer;
}

async function ask(question) {
  addMessage("user", question);
  const box = addMessage("assistant", "");
  box.dataset.state = "streaming";
  const text = box.querySelector(".text");
  $("#send").disabled = true;
  try {
    const response = await api("/v1/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message: question, thread_id: state.threadId, channel: "web" }),
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = parseEvents(buffer + decoder.decode(value, { stream: true }), (event, data) => {
        if (event === "thread") state.threadId = data.thread_id;
        else if (event === "delta") text.textContent += data.text;
        else if (event === "error") box.append(el("div", "error", data.error.message));
        else if (event !== "status" && event !== "done") showParts(box, event, data);
      });
    }
  } catch (err) {
    box.append(el("div", "error", err.message));
  } finally {
    box.dataset.state = "done";
    $("#send").disabled = false;
  }
}

// ---- proposals -------------------------------------------------------------------------

async function decide(id, verb) {
  const note = $("#proposal-note");
  try {
    const response = await api(`/v1/proposals/${encodeURIComponent(id)}/${verb}`, { method: "POST" });
    const result = await response.json();
    note.className = "ok";
    note.textContent = `${id}: ${result.proposal.status}` +
      (result.execution ? ` (execution ${result.execution.status})` : "");
  } catch (err) {
    note.className = "error";
    note.textContent = `${id}: ${err.message}`;
  }
  await loadProposals();
  await loadAudit();
}

async function loadProposals() {
  const status = $("#status-filter").value;
  const query = status ? `?status=${encodeURIComponent(status)}` : "";
  try {
    const { data } = await (await api(`/v1/proposals${query}`)).json();
    const body = $("#proposals tbody");
    body.replaceChildren();
    for (const p of data) {
      const row = el("tr");
      row.dataset.proposalId = p.proposal_id;
      row.append(el("td", null, p.proposal_id), el("td", null, p.action), el("td", null, p.title),
        el("td", "num", money(p.amount, p.currency)), el("td", null, p.requester),
        el("td", "status", p.status), el("td", null, `${p.approvers.length} of ${p.required_approvers}`));
      const actions = el("td");
      if (p.status === "pending") {
        for (const verb of ["approve", "reject"]) {
          const button = el("button", verb, verb === "approve" ? "Approve" : "Reject");
          button.type = "button";
          button.addEventListener("click", () => decide(p.proposal_id, verb));
          actions.append(button);
        }
      }
      row.append(actions);
      body.append(row);
    }
    const pending = (await (await api("/v1/proposals?status=pending&limit=1")).json()).count;
    $("#pending-count").textContent = pending ? `(${pending})` : "";
  } catch (err) {
    $("#proposal-note").textContent = err.message;
  }
}

// ---- alerts ----------------------------------------------------------------------------

async function acknowledgeAlert(id) {
  const note = $("#alert-note");
  try {
    await api(`/v1/alerts/${encodeURIComponent(id)}/acknowledge`, { method: "POST" });
    note.className = "ok";
    note.textContent = "Alert acknowledged";
  } catch (err) {
    note.className = "error";
    note.textContent = err.message;
  }
  await loadAlerts();
}

async function loadAlerts() {
  const level = $("#severity-filter").value;
  const query = level ? `?min_severity=${encodeURIComponent(level)}&limit=200` : "?limit=200";
  try {
    const { data, count } = await (await api(`/v1/alerts${query}`)).json();
    const body = $("#alerts tbody");
    body.replaceChildren();
    for (const a of data) {
      const row = el("tr", `severity-${a.severity}`);
      row.dataset.alertId = a.alert_id;
      const text = el("td");
      text.append(el("div", "alert-title", a.title), el("div", "alert-cause", a.cause));
      row.append(el("td", "severity", a.severity), el("td", null, a.created_at.slice(0, 10)),
        el("td", null, a.source), el("td", null, a.scope), text, el("td", "status", a.status));
      const actions = el("td");
      if (a.status === "open") {
        const button = el("button", "acknowledge", "Acknowledge");
        button.type = "button";
        button.addEventListener("click", () => acknowledgeAlert(a.alert_id));
        actions.append(button);
      }
      row.append(actions);
      body.append(row);
    }
    const open = data.filter((a) => a.status === "open").length;
    $("#alert-count").textContent = open ? `(${open}${count > data.length ? "+" : ""})` : "";
  } catch (err) {
    $("#alert-note").textContent = err.message;
  }
}

// ---- audit -----------------------------------------------------------------------------

async function loadAudit() {
  try {
    const { data } = await (await api("/v1/audit?limit=200")).json();
    const body = $("#audit tbody");
    body.replaceChildren();
    for (const e of data) {
      const row = el("tr");
      row.append(el("td", "num", e.seq), el("td", null, e.at.replace("T", " ").slice(0, 19)),
        el("td", null, e.actor), el("td", null, e.channel), el("td", "event", e.event),
        el("td", null, e.proposal_id || ""), el("td", "hash", e.hash.slice(0, 12)));
      body.append(row);
    }
    const check = await (await api("/v1/audit/verify")).json();
    const verdict = $("#audit-verify");
    verdict.className = check.ok ? "ok" : "error";
    verdict.textContent = check.ok
      ? `Chain intact: ${check.records} records`
      : `Chain broken: ${check.problems.join("; ")}`;
  } catch (err) {
    $("#audit-verify").textContent = err.message;
  }
}

// ---- page ------------------------------------------------------------------------------

function show(view) {
  for (const button of document.querySelectorAll("nav button")) {
    button.classList.toggle("active", button.dataset.view === view);
  }
  for (const section of document.querySelectorAll(".view")) {
    section.hidden = section.id !== `view-${view}`;
  }
  if (view === "proposals") loadProposals();
  if (view === "audit") loadAudit();
  if (view === "alerts") loadAlerts();
}

async function whoAmI() {
  try {
    const me = await (await api("/v1/me")).json();
    $("#me").textContent = `${me.user} (${me.roles.join(", ") || "no roles"})`;
  } catch (err) {
    $("#me").textContent = err.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#api-key").value = localStorage.getItem("wcm.apiKey") || "";
  $("#dev-user").value = localStorage.getItem("wcm.devUser") || "";
  for (const [id, key] of [["#api-key", "wcm.apiKey"], ["#dev-user", "wcm.devUser"]]) {
    $(id).addEventListener("change", (e) => {
      if (e.target.value) localStorage.setItem(key, e.target.value);
      else localStorage.removeItem(key);
      whoAmI();
      loadProposals();
      loadAlerts();
    });
  }
  for (const button of document.querySelectorAll("nav button")) {
    button.addEventListener("click", () => show(button.dataset.view));
  }
  $("#ask").addEventListener("submit", (e) => {
    e.preventDefault();
    const question = $("#question").value.trim();
    if (!question) return;
    $("#question").value = "";
    ask(question);
  });
  $("#status-filter").addEventListener("change", loadProposals);
  $("#refresh-proposals").addEventListener("click", loadProposals);
  $("#refresh-audit").addEventListener("click", loadAudit);
  $("#severity-filter").addEventListener("change", loadAlerts);
  $("#refresh-alerts").addEventListener("click", loadAlerts);
  whoAmI();
  loadProposals();
  loadAlerts();
});
