// The workbench: data -> options (generated from openapi.json) -> run -> figure and
// downloads. Every address is relative to <base href>, the service's root path.

import { columnKinds, numericColumn, parseTable, timeAxis } from "./csv.js";
import { buildForm, isUserField, pick, requestSchema } from "./form.js";
import { pythonSnippet } from "./snippet.js";

const $ = (id) => document.getElementById(id);
const NPZ = "application/x-npz";
const PATHS = {
  cwt: { analysis: "/api/v1/analysis/cwt", plot: "/api/v1/plots/cwt" },
  wct: { analysis: "/api/v1/analysis/wct", plot: "/api/v1/plots/wct", job: "/api/v1/analysis/significance" },
};
/** Request fields the page fills from the data section (never form fields). */
const FROM_DATA = new Set(["data", "data1", "data2", "dt", "job_id"]);
const RETRIES = 5; // tries of a request answered 503 (overloaded)
const MEDIA = { png: "image/png", svg: "image/svg+xml", pdf: "application/pdf" };

const state = { schemas: {}, forms: {}, table: null, kinds: {}, file: "", axis: null, job: null, urls: [] };

// ------------------------------------------------------------------ HTTP

function headers(extra = {}) {
  const key = $("api-key").value.trim();
  return key ? { ...extra, "X-API-Key": key } : extra;
}

async function failure(resp) {
  const text = await resp.text();
  let msg = text.slice(0, 500);
  try {
    const detail = JSON.parse(text).detail;
    msg = Array.isArray(detail)
      ? detail.map((e) => `${(e.loc || []).filter((p) => p !== "body").join(".")}: ${e.msg}`).join("; ")
      : String(detail ?? msg);
  } catch { /* not JSON: the text itself */ }
  return new Error(`${resp.status} ${resp.statusText}: ${msg}`);
}

async function api(path, { method = "POST", body, accept = "application/json", signal } = {}) {
  const init = { method, headers: headers({ Accept: accept }), signal };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  for (let attempt = 1; ; attempt++) {
    const resp = await fetch(path.replace(/^\//, ""), init);
    if (resp.ok) return resp;
    if (resp.status !== 503 || attempt >= RETRIES) throw await failure(resp);
    // overloaded: wait as the service asks (Retry-After), then try again
    const wait = Math.min(Number(resp.headers.get("Retry-After")) || attempt, 5);
    status(`The service is busy; retrying in ${wait} s…`);
    await new Promise((done) => setTimeout(done, 1000 * wait));
  }
}

// ------------------------------------------------------------------ messages

function status(text) { $("status").textContent = text; }
function error(err) {
  $("error").textContent = err ? String(err.message ?? err) : "";
  if (err) status("");
}
function busy(on) {
  for (const id of ["run", "run-job"]) $(id).disabled = on;
}

// ------------------------------------------------------------------ options

async function loadOptions() {
  const resp = await fetch("openapi.json");
  if (!resp.ok) throw await failure(resp);
  const openapi = await resp.json();
  const box = $("options");
  box.replaceChildren();
  for (const [kind, paths] of Object.entries(PATHS)) {
    const schemas = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, requestSchema(openapi, p)]));
    const props = {};
    const groups = [];
    const seen = new Set();
    const titles = { analysis: "Options", plot: "Figure", job: "Significance job (Monte Carlo, areawise test)" };
    for (const [part, schema] of Object.entries(schemas)) {
      const names = Object.keys(schema.properties).filter(
        (n) => !seen.has(n) && isUserField(n, schema.properties[n], FROM_DATA));
      names.forEach((n) => { seen.add(n); props[n] = schema.properties[n]; });
      groups.push({ title: titles[part], names, open: part === "analysis" });
    }
    const form = buildForm(groups, props, kind);
    form.element.id = `${kind}-options`;
    form.element.hidden = kind !== analysis();
    box.append(form.element);
    state.schemas[kind] = schemas;
    state.forms[kind] = form;
  }
  fillFigureFields();
}

function analysis() {
  return document.querySelector('input[name="analysis"]:checked').value;
}

function onAnalysis() {
  const kind = analysis();
  for (const k of Object.keys(PATHS)) $(`${k}-options`).hidden = k !== kind;
  $("run-job").hidden = kind !== "wct";
}

// ------------------------------------------------------------------ data

function fillSelect(select, names, { none, value } = {}) {
  select.replaceChildren();
  if (none) select.append(new Option(none, ""));
  for (const n of names) select.append(new Option(n, n));
  select.value = value ?? (none ? "" : names[0] ?? "");
}

function loadTable(text, file) {
  error(null);
  try {
    const table = parseTable(text);
    const kinds = columnKinds(table);
    const times = table.names.filter((n) => kinds[n] === "date" || kinds[n] === "number");
    const firstDate = table.names.find((n) => kinds[n] === "date");
    Object.assign(state, { table, kinds, file });
    fillSelect($("time-col"), times, { none: "(none: sample number)", value: firstDate ?? "" });
    $("columns").disabled = false;
    $("data-summary").textContent =
      `${file || "pasted values"}: ${table.rows} rows; columns ${table.names.map((n) => `${n} (${kinds[n]})`).join(", ")}`;
    onTime();
  } catch (err) {
    $("columns").disabled = true;
    error(err);
  }
}

function onTime() {
  const { table, kinds } = state;
  if (!table) return;
  const time = $("time-col").value;
  const series = table.names.filter((n) => kinds[n] === "number" && n !== time);
  const s1 = $("series1").value, s2 = $("series2").value;
  fillSelect($("series1"), series, { value: series.includes(s1) ? s1 : series[0] });
  fillSelect($("series2"), series, { none: "(none)", value: series.includes(s2) ? s2 : series[1] ?? "" });
  state.axis = null;
  try {
    if (time) {
      state.axis = timeAxis(table, time);
      $("dt").value = +state.axis.dt.toPrecision(12);
      $("unit").value = state.axis.unit;
      $("time-summary").textContent = `${state.axis.describe}: dt = ${$("dt").value} ${state.axis.unit}`.trim();
    } else {
      if (!$("dt").value) $("dt").value = 1;
      $("time-summary").textContent = "No time column: samples numbered from 0, dt as given.";
    }
  } catch (err) {
    error(err);
  }
  if (series.length >= 2 && $("series2").value) {
    document.querySelector('input[name="analysis"][value="wct"]').checked = true;
  }
  onAnalysis();
  fillFigureFields();
}

/** Labels the figure takes from the data: start time, axis label, unit, names. */
function fillFigureFields() {
  const ax = state.axis;
  const names = [$("series1").value, $("series2").value].filter(Boolean);
  for (const [kind, form] of Object.entries(state.forms)) {
    form.set("t0", ax ? ax.t0 : 0);
    form.set("time_label", ax ? ax.label : "Time");
    form.set("period_unit", $("unit").value);
    form.set("series_names", kind === "cwt" ? names.slice(0, 1) : names);
  }
}

function series() {
  if (!state.table) throw new Error("load a CSV file or paste values first");
  const dt = Number($("dt").value);
  if (!(dt > 0)) throw new Error("dt must be a positive number");
  const a = $("series1").value, b = $("series2").value;
  if (!a) throw new Error("pick a series (a column of numbers)");
  const out = { dt, names: [a], x: numericColumn(state.table, a) };
  if (analysis() === "wct") {
    if (!b || b === a) throw new Error("coherence needs a second, different series");
    out.names.push(b);
    out.y = numericColumn(state.table, b);
  }
  return out;
}

// ------------------------------------------------------------------ results

function clearResult() {
  state.urls.forEach((u) => URL.revokeObjectURL(u));
  state.urls = [];
  $("downloads").replaceChildren();
  $("figure").hidden = true;
  $("snippet-box").hidden = true;
}

function addDownload(label, blob, filename) {
  const url = URL.createObjectURL(blob);
  state.urls.push(url);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.textContent = label;
  const li = document.createElement("li");
  li.append(a);
  $("downloads").append(li);
  return a;
}

/** Buttons fetching the figure in the other formats the plot route offers. */
function addFormats(kind, body) {
  const format = state.schemas[kind].plot.properties.format;
  const choices = format?.enum ?? format?.anyOf?.find((a) => a.enum)?.enum ?? [];
  for (const f of choices.filter((c) => c !== "png")) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `Figure (${f.toUpperCase()})`;
    button.addEventListener("click", async () => {
      error(null);
      try {
        const resp = await api(PATHS[kind].plot, { body: { ...body, format: f }, accept: MEDIA[f] ?? "*/*" });
        const a = addDownload(`Figure (${f.toUpperCase()}) ready`, await resp.blob(), `${kind}.${f}`);
        a.click();
      } catch (err) { error(err); }
    });
    const li = document.createElement("li");
    li.append(button);
    $("downloads").append(li);
  }
}

function showFigure(kind, png, names) {
  const url = URL.createObjectURL(png);
  state.urls.push(url);
  $("figure-img").src = url;
  $("figure-img").alt = kind === "cwt"
    ? `Wavelet power of ${names[0]} over time and period`
    : `Wavelet coherence of ${names[0]} and ${names[1]} over time and period, with phase arrows`;
  $("figure").hidden = false;
  addDownload("Figure (PNG)", png, `${kind}.png`);
}

function showSnippet(run) {
  const text = pythonSnippet(run);
  $("snippet").textContent = text;
  $("snippet-box").hidden = false;
  addDownload("Python snippet (.py)", new Blob([text], { type: "text/x-python" }), `${run.analysis}.py`);
}

function runRecord(kind, s, values, job) {
  const plotOnly = Object.keys(state.schemas[kind].plot.properties).filter(
    (n) => !(n in state.schemas[kind].analysis.properties));
  const figure = Object.fromEntries(Object.entries(values).filter(([k]) => plotOnly.includes(k)));
  const opts = job ? pick(values, state.schemas.wct.job) : pick(values, state.schemas[kind].analysis);
  return { analysis: kind, job, file: state.file, time: $("time-col").value,
    timeKind: state.kinds[$("time-col").value], unit: $("unit").value, dt: s.dt,
    names: s.names, options: opts, figure };
}

// ------------------------------------------------------------------ run

function bodies(kind, s) {
  const base = kind === "cwt" ? { data: s.x, dt: s.dt } : { data1: s.x, data2: s.y, dt: s.dt };
  const values = state.forms[kind].values();
  return { base, values };
}

async function run() {
  error(null);
  busy(true);
  try {
    const kind = analysis();
    const s = series();
    const { base, values } = bodies(kind, s);
    const schemas = state.schemas[kind];
    status("Running the analysis…");
    const plotBody = { ...base, ...pick(values, schemas.plot) };
    // one request at a time: a small service queues few
    const png = await (await api(PATHS[kind].plot, { body: plotBody, accept: "image/png" })).blob();
    const body = { ...base, ...pick(values, schemas.analysis) };
    const npz = await (await api(PATHS[kind].analysis, { body, accept: NPZ })).blob();
    clearResult();
    showFigure(kind, png, s.names);
    addDownload("Result (.npz)", npz, `${kind}.npz`);
    addFormats(kind, plotBody);
    showSnippet(runRecord(kind, s, values, false));
    status(`Done: ${kind === "cwt" ? "wavelet power" : "coherence"} of ${s.names.join(" and ")}.`);
  } catch (err) {
    error(err);
  } finally {
    busy(false);
  }
}

function showJob(job) {
  $("job").hidden = false;
  $("job-id").textContent = job.job_id;
  $("job-progress").value = job.progress ?? 0;
  $("job-state").textContent = `${job.status}, ${Math.round(100 * (job.progress ?? 0))}%` +
    (job.error ? `: ${job.error}` : "");
  $("cancel-job").hidden = !["queued", "running"].includes(job.status);
}

/** Follow a job's server-sent events (fetch, so the API key header goes along)
 *  until the stream ends; returns the last state. */
async function follow(id) {
  const resp = await api(`/api/v1/jobs/${id}/events?interval=0.2`, { method: "GET", accept: "text/event-stream" });
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "", last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf = (buf + value).replace(/\r\n/g, "\n"); // sse-starlette ends lines with CRLF
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const event = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = event.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5)).join("\n").trim();
      if (data && data !== "{}") {
        const job = JSON.parse(data);
        if (job && job.status) { last = job; showJob(job); }
      }
    }
  }
  return last;
}

async function runJob() {
  error(null);
  busy(true);
  try {
    const s = series();
    const { base, values } = bodies("wct", s);
    const schemas = state.schemas.wct;
    status("Submitting the significance job…");
    const job = await (await api(PATHS.wct.job, { body: { ...base, ...pick(values, schemas.job) } })).json();
    state.job = job.job_id;
    showJob(job);
    status(`Job ${job.job_id} submitted; following its progress.`);
    const last = await follow(job.job_id);
    if (!last || last.status !== "completed") {
      status(`Job ${job.job_id} ended ${last ? last.status : "without a state"}.`);
      return;
    }
    status("Job completed: drawing its significance contour…");
    const plotBody = { ...base, ...pick(values, schemas.plot), job_id: job.job_id };
    delete plotBody.significance_test;
    const analysisBody = { ...base, ...pick(values, schemas.analysis) };
    delete analysisBody.significance_test;
    const png = await (await api(PATHS.wct.plot, { body: plotBody, accept: "image/png" })).blob();
    const thresholds = await (await api(`/api/v1/jobs/${job.job_id}/result`, { method: "GET", accept: NPZ })).blob();
    const npz = await (await api(PATHS.wct.analysis, { body: analysisBody, accept: NPZ })).blob();
    clearResult();
    showFigure("wct", png, s.names);
    addDownload("Coherence (.npz)", npz, "wct.npz");
    addDownload("Job thresholds (.npz)", thresholds, `job-${job.job_id}.npz`);
    addFormats("wct", plotBody);
    showSnippet(runRecord("wct", s, values, true));
    status(`Done: coherence of ${s.names.join(" and ")} with the thresholds of job ${job.job_id}.`);
  } catch (err) {
    error(err);
  } finally {
    busy(false);
  }
}

async function cancelJob() {
  if (!state.job) return;
  try {
    showJob(await (await api(`/api/v1/jobs/${state.job}`, { method: "DELETE" })).json());
  } catch (err) {
    error(err);
  }
}

// ------------------------------------------------------------------ wiring

function init() {
  $("csv-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (file) loadTable(await file.text(), file.name);
  });
  $("load-text").addEventListener("click", () => loadTable($("csv-text").value, ""));
  $("time-col").addEventListener("change", onTime);
  for (const id of ["series1", "series2", "unit"]) $(id).addEventListener("change", fillFigureFields);
  document.querySelectorAll('input[name="analysis"]').forEach((r) => r.addEventListener("change", onAnalysis));
  $("run").addEventListener("click", run);
  $("run-job").addEventListener("click", runJob);
  $("cancel-job").addEventListener("click", cancelJob);
  loadOptions().then(() => { onAnalysis(); document.body.dataset.ready = "1"; }).catch(error);
}

init();
