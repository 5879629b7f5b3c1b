// The observer page: polls the JSON API once a second and redraws the table, the charts, the
// link tree, the environments and the crashes. Text from processes (names, module names) is
// only ever set as textContent, never parsed as HTML.
"use strict";

const token = new URLSearchParams(location.search).get("token");
const headers = token ? { Authorization: "Bearer " + token } : {};
const history = [];  // {t, processes, messages, memory, busy: [seconds per worker]}
const kHistory = 120;
let processes = [];
let liveCount = 0;  // all live processes; the table lists the first kListed of them
const kListed = 1000;
let sortKey = "id", sortAsc = true, selected = null;

const $ = (id) => document.getElementById(id);
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function bytes(n) {
  if (n === null || n === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}
function duration(s) {
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = Math.floor(s % 60);
  return (h ? h + "h " : "") + (h || m ? m + "m " : "") + sec + "s";
}
async function api(path, options) {
  const res = await fetch(path, Object.assign({ headers, cache: "no-store" }, options || {}));
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(path + ": " + res.status + " " + (body.error || ""));
  return body;
}

// ---- the process table ----------------------------------------------------------------------
function sortValue(p, key) {
  switch (key) {
    case "names": return p.names.join(",");
    case "mailbox": return p.mailbox.messages;
    case "links": return p.links.length;
    case "fuel_used": return p.fuel_used === null ? -1 : p.fuel_used;
    default: return p[key];
  }
}
function matches(p, filter) {
  if (!filter) return true;
  const text = [p.id, p.names.join(" "), p.state, p.module, p.entry].join(" ").toLowerCase();
  return filter.split(/\s+/).every((word) => text.includes(word));
}
function renderTable() {
  const filter = $("filter").value.trim().toLowerCase();
  const rows = processes.filter((p) => matches(p, filter));
  rows.sort((a, b) => {
    const x = sortValue(a, sortKey), y = sortValue(b, sortKey);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return sortAsc ? c : -c;
  });
  const body = document.createElement("tbody");
  for (const p of rows) {
    const tr = document.createElement("tr");
    tr.dataset.processId = p.id;
    if (String(p.id) === selected) tr.className = "selected";
    tr.append(el("td", p.id), el("td", p.names.join(", ")),
              el("td", p.state, "state-" + p.state),
              el("td", p.mailbox.messages + " (" + bytes(p.mailbox.bytes) + ")"),
              el("td", bytes(p.memory_bytes)), el("td", p.slices),
              el("td", p.fuel_used === null ? "-" : p.fuel_used), el("td", p.environment),
              el("td", p.links.map((l) => l.process).join(" ")),
              el("td", p.module || p.entry));
    const kill = el("button", "kill", "kill");
    kill.title = "kill process " + p.id;
    kill.addEventListener("click", (event) => { event.stopPropagation(); killProcess(p.id); });
    const cell = el("td");
    cell.append(kill);
    tr.append(cell);
    tr.addEventListener("click", () => { selected = String(p.id); showDetail(); renderTable(); });
    body.append(tr);
  }
  $("processes").replaceChild(body, $("processes").tBodies[0]);
  $("shown").textContent = "(" + rows.length + " shown of " + liveCount + ")";
  for (const th of document.querySelectorAll("#processes th[data-key]")) {
    th.className = th.dataset.key === sortKey ? (sortAsc ? "sorted-asc" : "sorted-desc") : "";
  }
}
async function killProcess(id) {
  try {
    await api("/api/processes/" + id + "/kill", { method: "POST" });
    $("status").textContent = "";
    refresh();
  } catch (e) { $("status").textContent = e.message; }
}

// ---- one process ----------------------------------------------------------------------------
async function showDetail() {
  if (!selected) return;
  $("detail-id").textContent = selected;
  const box = $("detail");
  let p;
  try { p = await api("/api/processes/" + selected); } catch (e) {
    box.replaceChildren(el("p", "process " + selected + " is gone"));
    return;
  }
  const dl = el("dl");
  const add = (k, v) => dl.append(el("dt", k), el("dd", v));
  add("state", p.state);
  if (p.reason) add("reason", p.reason);
  if (p.names) add("names", p.names.join(", ") || "-");
  if (p.mailbox) add("mailbox", p.mailbox.messages + " messages, " + bytes(p.mailbox.bytes));
  if (p.memory_bytes !== undefined) add("memory", bytes(p.memory_bytes));
  if (p.slices !== undefined) add("slices", p.slices);
  if (p.fuel_used !== undefined) add("fuel used / left",
      p.fuel_used === null ? "unlimited" : p.fuel_used + " / " + p.fuel_left);
  add("environment", p.environment);
  add("links", p.links.map((l) => l.process + " (tag " + l.tag + ")").join(", ") || "-");
  if (p.monitored_by !== undefined) add("monitors", "by " + p.monitored_by + ", of " + p.monitoring);
  add("module", (p.module || "-") + ", entry " + p.entry);
  add("started", new Date(p.start_time_ms).toLocaleString());
  const parts = [dl];
  if (p.backtrace && p.backtrace.length) parts.push(backtrace(p.backtrace));
  box.replaceChildren(...parts);
}
function backtrace(frames) {
  return el("pre", frames.map((f, i) => String(i).padStart(3) + ": 0x" +
      f.offset.toString(16).padStart(6, "0") + " - func[" + f.function_index + "] " +
      (f.function_name || "<unnamed>")).join("\n"));
}

// ---- the link tree --------------------------------------------------------------------------
function renderTree() {
  const svg = $("tree");
  const shown = processes.slice(0, 300);
  const byId = new Map(shown.map((p) => [p.id, p]));
  const depth = new Map(), parent = new Map();
  const columns = [];
  for (const root of shown) {  // breadth first from the lowest id of each linked group
    if (depth.has(root.id)) continue;
    depth.set(root.id, 0);
    const queue = [root.id];
    while (queue.length) {
      const id = queue.shift();
      const d = depth.get(id);
      (columns[d] = columns[d] || []).push(id);
      for (const l of byId.get(id).links) {
        if (byId.has(l.process) && !depth.has(l.process)) {
          depth.set(l.process, d + 1);
          parent.set(l.process, id);
          queue.push(l.process);
        }
      }
    }
  }
  const pos = new Map();
  const rowHeight = 18, colWidth = 150;
  columns.forEach((ids, d) => ids.forEach((id, i) => pos.set(id, [20 + d * colWidth, 14 + i * rowHeight])));
  const ns = "http://www.w3.org/2000/svg";
  const parts = [];
  for (const [child, from] of parent) {
    const line = document.createElementNS(ns, "line");
    const [x1, y1] = pos.get(from), [x2, y2] = pos.get(child);
    line.setAttribute("x1", x1); line.setAttribute("y1", y1);
    line.setAttribute("x2", x2); line.setAttribute("y2", y2);
    parts.push(line);
  }
  for (const [id, [x, y]] of pos) {
    const p = byId.get(id);
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", x); c.setAttribute("cy", y); c.setAttribute("r", 4);
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", x + 7); t.setAttribute("y", y + 4);
    t.textContent = id + (p.names.length ? " " + p.names[0] : "");
    parts.push(c, t);
  }
  svg.replaceChildren(...parts);
  const rows = Math.max(1, ...columns.map((c) => c.length));
  svg.setAttribute("height", 20 + rows * rowHeight);
  svg.setAttribute("width", 40 + columns.length * colWidth);
}

// ---- charts ---------------------------------------------------------------------------------
const kColors = ["#3465a4", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#16a085", "#7f8c8d"];
function chart(canvas, series, format) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  let max = 0;
  for (const s of series) for (const v of s) max = Math.max(max, v);
  max = (max || 1) * 1.15;  // headroom: a flat line stays below the label
  ctx.font = "10px sans-serif";
  ctx.fillStyle = getComputedStyle(document.body).color;
  ctx.fillText(format(max), 2, 10);
  series.forEach((s, k) => {
    ctx.strokeStyle = kColors[k % kColors.length];
    ctx.beginPath();
    s.forEach((v, i) => {
      const x = (i / (kHistory - 1)) * w, y = h - 2 - (v / max) * (h - 14);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  });
}
function renderCharts() {
  const rates = [], utilisation = [];
  for (let i = 1; i < history.length; i++) {
    const a = history[i - 1], b = history[i], dt = (b.t - a.t) / 1000 || 1;
    rates.push(Math.max(0, (b.messages - a.messages) / dt));
    b.busy.forEach((s, k) => {
      (utilisation[k] = utilisation[k] || []).push(Math.min(1, Math.max(0, (s - (a.busy[k] || 0)) / dt)));
    });
  }
  chart($("c-processes"), [history.map((h) => h.processes)], (v) => String(v));
  chart($("c-messages"), [rates], (v) => v.toFixed(0) + "/s");
  chart($("c-memory"), [history.map((h) => h.memory)], bytes);
  chart($("c-workers"), utilisation, (v) => (v * 100).toFixed(0) + "%");
  $("n-rate").textContent = rates.length ? rates[rates.length - 1].toFixed(0) : "-";
}

// ---- environments and crashes -----------------------------------------------------------------
function renderEnvironments(list) {
  const body = document.createElement("tbody");
  const limit = (v) => (v === null ? "unlimited" : v);
  for (const e of list) {
    const tr = el("tr");
    tr.append(el("td", e.id), el("td", e.parent === null ? "-" : e.parent),
              el("td", e.usage.processes), el("td", e.usage.names), el("td", bytes(e.usage.memory_bytes)),
              el("td", bytes(e.limits.max_memory_bytes)), el("td", limit(e.limits.max_fuel)),
              el("td", limit(e.limits.max_processes)), el("td", e.limits.allowed.join(" ")));
    body.append(tr);
  }
  $("environments").replaceChild(body, $("environments").tBodies[0]);
}
function renderCrashes(list) {
  const parts = list.slice().reverse().slice(0, 20).map((c) => {
    const box = el("div", null, "crash");
    box.append(el("div", new Date(c.end_time_ms).toLocaleTimeString() + "  process " + c.id +
        (c.names.length ? " (" + c.names.join(", ") + ")" : "") + ": " + c.reason +
        (c.links.length ? "; linked to " + c.links.map((l) => l.process).join(", ") : "")));
    if (c.backtrace.length) box.append(backtrace(c.backtrace));
    return box;
  });
  $("crashes").replaceChildren(...(parts.length ? parts : [el("p", "none")]));
}

// ---- polling --------------------------------------------------------------------------------
async function refresh() {
  try {
    const [node, list, envs, crashes] = await Promise.all([
      api("/api/node"), api("/api/processes?limit=" + kListed), api("/api/environments"),
      api("/api/crashes")]);
    processes = list.processes;
    liveCount = list.count;
    history.push({ t: Date.now(), processes: node.processes, messages: node.messages_sent_total,
                   memory: node.memory_bytes, busy: node.workers.map((w) => w.busy_seconds) });
    if (history.length > kHistory) history.shift();
    $("n-processes").textContent = node.processes;
    $("n-spawns").textContent = node.spawns_total;
    $("n-memory").textContent = bytes(node.memory_bytes);
    $("n-crashes").textContent = node.crashes_total;
    $("n-uptime").textContent = duration(node.uptime_seconds);
    renderTable();
    renderTree();
    renderCharts();
    renderEnvironments(envs.environments);
    renderCrashes(crashes.crashes);
    if (selected) showDetail();
    $("status").textContent = "";
  } catch (e) {
    $("status").textContent = "not connected: " + e.message;
  }
}
for (const th of document.querySelectorAll("#processes th[data-key]")) {
  th.addEventListener("click", () => {
    if (sortKey === th.dataset.key) sortAsc = !sortAsc; else { sortKey = th.dataset.key; sortAsc = true; }
    renderTable();
  });
}
$("filter").addEventListener("input", renderTable);
setInterval(() => { if (!$("pause").checked) refresh(); }, 1000);
refresh();
