// Reading a table of series: CSV text -> columns, and a time column -> dt and unit.
//
// The time-axis policy is that of pycwt_mod.timeaxis.time_spacing (which the labelled
// API and the command line use): dates a constant number of calendar months apart
// give dt in years (1/12 for monthly dates), other evenly spaced dates give dt in the
// largest of day, hour, minute, second not longer than the step, and numbers give
// their step as is.

const MISSING = new Set(["", "na", "nan", "null", "none", "-", "n/a"]);
const UNITS = [["day", 86400e3], ["hour", 3600e3], ["minute", 60e3], ["second", 1e3]];

function splitLine(line, sep) {
  const out = [];
  let cur = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { out.push(cur.trim()); cur = ""; }
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function toNumber(cell) {
  if (MISSING.has(cell.toLowerCase())) return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : undefined;
}

/** Parse CSV (comma, semicolon, tab or whitespace separated) into named columns.
 *  Returns {names, columns: {name: [cell strings]}, rows}. A first row holding a
 *  non-number that is not a date is the header; otherwise columns are named. */
export function parseTable(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (!lines.length) throw new Error("no rows: the file or the pasted text is empty");
  const first = lines[0];
  const sep = first.includes(",") ? "," : first.includes(";") ? ";" : first.includes("\t") ? "\t" : " ";
  const rows = lines.map((l) => (sep === " " ? l.split(/\s+/) : splitLine(l, sep)));
  const header = rows[0].some((c) => toNumber(c) === undefined && !isDate(c));
  const width = rows[0].length;
  const names = header
    ? rows[0].map((c, i) => c || `column ${i + 1}`)
    : Array.from({ length: width }, (_, i) => (width === 1 ? "values" : `column ${i + 1}`));
  const body = header ? rows.slice(1) : rows;
  if (body.length < 2) throw new Error("fewer than 2 rows of values");
  const columns = {};
  names.forEach((n, i) => { columns[n] = body.map((r) => (r[i] ?? "").trim()); });
  return { names, columns, rows: body.length };
}

function isDate(cell) {
  return /^\d{4}-\d{1,2}(-\d{1,2})?([T ][\d:.]+Z?)?$/.test(cell) && !Number.isNaN(parseDate(cell));
}

function parseDate(cell) {
  const m = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?Z?$/.exec(cell);
  if (!m) return NaN;
  const [, y, mo, d = "1", h = "0", mi = "0", s = "0"] = m;
  return Date.UTC(+y, +mo - 1, +d, +h, +mi, 0) + 1000 * Number(s);
}

/** The numbers of a column (null for a missing cell), or an Error naming the row. */
export function numericColumn(table, name) {
  return table.columns[name].map((cell, i) => {
    const v = toNumber(cell);
    if (v === undefined) throw new Error(`column "${name}", row ${i + 1}: "${cell}" is not a number`);
    return v;
  });
}

/** Which columns hold numbers (missing cells allowed) and which hold dates. */
export function columnKinds(table) {
  const kinds = {};
  for (const n of table.names) {
    const cells = table.columns[n].filter((c) => !MISSING.has(c.toLowerCase()));
    if (cells.length && cells.every(isDate)) kinds[n] = "date";
    else if (cells.length && cells.every((c) => toNumber(c) !== undefined)) kinds[n] = "number";
    else kinds[n] = "text";
  }
  return kinds;
}

function even(steps, tol) {
  return steps.every((s) => Math.abs(s - steps[0]) <= tol);
}

/** dt, its unit, t0 (in that unit) and a label of the time axis, from a time column.
 *  Raises an Error for a column that is not evenly spaced (with the fix). */
export function timeAxis(table, name) {
  const cells = table.columns[name];
  if (cells.some((c) => MISSING.has(c.toLowerCase())))
    throw new Error(`the time column "${name}" has empty cells: every row needs its time`);
  if (cells.every(isDate)) {
    const ms = cells.map(parseDate);
    const parts = cells.map((c) => c.split(/[-T ]/).map(Number));
    const months = parts.map(([y, m]) => 12 * y + m - 1);
    const dm = months.slice(1).map((m, i) => m - months[i]);
    const days = parts.map((p) => p[2] ?? 1);
    const monthEnd = (p) => { const [y, m, d] = p; return new Date(Date.UTC(y, m, 0)).getUTCDate() === d; };
    const sameDay = days.every((d) => d === days[0]) || parts.every(monthEnd);
    if (dm[0] > 0 && even(dm, 0) && sameDay) {
      const [y, m] = parts[0];
      return { dt: dm[0] / 12, unit: "year", t0: y + (m - 1) / 12, label: "Year",
        describe: `${dm[0] === 1 ? "monthly" : dm[0] === 3 ? "quarterly" : dm[0] === 12 ? "yearly" : dm[0] + "-monthly"} dates from ${cells[0]} to ${cells[cells.length - 1]}` };
    }
    const steps = ms.slice(1).map((t, i) => t - ms[i]);
    if (!(steps[0] > 0) || !even(steps, 0))
      throw new Error(`the dates of "${name}" are not evenly spaced: resample them onto a regular grid first (missing samples as empty cells)`);
    const [unit, len] = UNITS.find(([, l]) => l <= steps[0]) ?? UNITS[UNITS.length - 1];
    return { dt: steps[0] / len, unit, t0: 0, label: `${unit[0].toUpperCase()}${unit.slice(1)}s since ${cells[0]}`,
      describe: `dates every ${steps[0] / len} ${unit}(s) from ${cells[0]} to ${cells[cells.length - 1]}` };
  }
  const t = numericColumn(table, name);
  const steps = t.slice(1).map((v, i) => v - t[i]);
  const tol = 1e-6 * Math.max(...steps.map(Math.abs));
  if (!(steps[0] > 0) || !even(steps, tol))
    throw new Error(`the times of "${name}" are not evenly spaced (or not increasing): resample them first`);
  const dt = steps.reduce((a, b) => a + b, 0) / steps.length;
  return { dt, unit: "", t0: t[0], label: name, describe: `times ${t[0]} to ${t[t.length - 1]}, step ${+dt.toPrecision(12)}` };
}
