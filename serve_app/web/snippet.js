// The Python that reproduces a run with the library (pycwt_mod.labelled + plot).

/** Request fields that are no option of the library's functions. */
const REQUEST_ONLY = new Set(["output", "dtype", "significance_test", "ar1", "job_id"]);

function py(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (Array.isArray(value)) return `(${value.map(py).join(", ")}${value.length === 1 ? "," : ""})`;
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  return JSON.stringify(value);
}

function kwargs(obj) {
  return Object.entries(obj).map(([k, v]) => `${k}=${py(v)}`);
}

function call(fn, args, kw) {
  const parts = [...args, ...kwargs(kw)];
  const one = `${fn}(${parts.join(", ")})`;
  return one.length <= 88 ? one : `${fn}(\n    ${parts.join(",\n    ")},\n)`;
}

/** The snippet. `run`: {analysis: "cwt"|"wct", job: bool, file, time, dtRequired, dt,
 *  names: [a, b?], options: {request field: value}, figure: {plot field: value}}. */
export function pythonSnippet(run) {
  const lines = ["import pandas as pd", "", "from pycwt_mod import labelled"];
  const fig = run.analysis === "cwt" ? "scalogram_figure" : "coherence_figure";
  lines.push(`from pycwt_mod.plot import ${fig}`, "");
  const file = run.file || "data.csv";
  if (run.time && run.timeKind === "date")
    lines.push(`table = pd.read_csv(${py(file)}, parse_dates=[${py(run.time)}], index_col=${py(run.time)})`);
  else if (run.time) lines.push(`table = pd.read_csv(${py(file)}, index_col=${py(run.time)})`);
  else lines.push(`table = pd.read_csv(${py(file)})`);
  const opts = {};
  for (const [k, v] of Object.entries(run.options)) if (!REQUEST_ONLY.has(k)) opts[k] = v;
  if (run.analysis === "wct") {
    if (run.job) {
      opts.sig = true;
    } else opts.sig = Boolean(run.options.significance_test);
  }
  const series = run.names.map((n) => `table[${py(n)}]`);
  const dtArg = run.time ? [] : [py(run.dt)]; // a time column is the index: it gives dt
  if (run.timeKind !== "date" && run.unit) opts.unit = run.unit;
  const fn = run.analysis === "cwt" ? "labelled.cwt" : "labelled.wct";
  lines.push(`ds = ${call(fn, [...series, ...dtArg], opts)}`);
  const f = { ...run.figure };
  const dpi = f.dpi ?? 100;
  delete f.dpi;
  delete f.format;
  if ("width" in f || "height" in f) {
    f.figsize = [f.width ?? 9, f.height ?? 4.5];
    delete f.width;
    delete f.height;
  }
  delete f.t0; // the Dataset carries its time axis, its unit and the series names
  if (f.series_names && JSON.stringify(f.series_names) !== JSON.stringify(run.names)) {
    if (run.analysis === "wct") f.series_labels = f.series_names;
    else f.title = f.title ?? `Wavelet power spectrum: ${f.series_names[0]}`;
  }
  delete f.series_names;
  if (f.period_unit === (run.timeKind === "date" ? "year" : run.unit)) delete f.period_unit;
  if (run.timeKind === "date") delete f.time_label; // dates label the axis
  lines.push(`fig = ${call(fig, ["ds"], f)}`);
  const ext = run.figure.format || "png";
  lines.push(`fig.savefig(${py(`${run.analysis === "cwt" ? "power" : "coherence"}.${ext}`)}, dpi=${dpi})`);
  return lines.join("\n") + "\n";
}
