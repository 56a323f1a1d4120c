// Option forms generated from the service's OpenAPI schema: every field of a request
// model (their names, defaults, bounds, choices and descriptions come from
// pycwt_mod.options through the service), none listed here by hand.

/** The JSON schema of the request body of `POST path` in an OpenAPI document. */
export function requestSchema(openapi, path) {
  const op = openapi.paths[path]?.post;
  if (!op) throw new Error(`the service has no POST ${path}`);
  return resolve(openapi, op.requestBody.content["application/json"].schema);
}

function resolve(openapi, schema) {
  if (schema && schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return resolve(openapi, openapi.components.schemas[name]);
  }
  return schema;
}

/** What kind of input a property needs: {kind, nullable, choices, item}. */
export function fieldKind(prop) {
  let alts = prop.anyOf ?? [prop];
  const nullable = alts.some((a) => a.type === "null");
  alts = alts.filter((a) => a.type !== "null");
  const enumAlt = alts.find((a) => a.enum);
  if (alts.length === 1 && enumAlt) return { kind: "choice", nullable, choices: enumAlt.enum };
  if (alts.length === 1 && alts[0].type === "boolean") return { kind: "boolean", nullable };
  if (alts.length === 1 && (alts[0].type === "number" || alts[0].type === "integer"))
    return { kind: alts[0].type, nullable, bounds: alts[0] };
  if (alts.length === 1 && alts[0].type === "array") return { kind: "list", nullable };
  if (alts.every((a) => ["number", "integer", "string"].includes(a.type))) {
    const numeric = alts.some((a) => a.type !== "string");
    return { kind: numeric && alts.some((a) => a.type === "string") ? "mixed" : "string", nullable };
  }
  return { kind: "string", nullable };
}

function bound(prop, k, bounds) {
  return prop[k] ?? bounds?.[k];
}

/** One labelled input for property `name` of a request schema. */
function fieldElement(name, prop, idPrefix) {
  const info = fieldKind(prop);
  const id = `${idPrefix}-${name}`;
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = name;
  let input;
  if (info.kind === "choice") {
    input = document.createElement("select");
    if (info.nullable) input.append(new Option("(default)", ""));
    for (const c of info.choices) input.append(new Option(String(c), String(c)));
    input.value = prop.default == null ? "" : String(prop.default);
  } else if (info.kind === "boolean") {
    input = document.createElement("input");
    input.type = "checkbox";
    input.checked = Boolean(prop.default);
    wrap.classList.add("check");
  } else {
    input = document.createElement("input");
    if (info.kind === "number" || info.kind === "integer") {
      input.type = "number";
      input.step = info.kind === "integer" ? "1" : "any";
      const lo = bound(prop, "minimum", info.bounds), hi = bound(prop, "maximum", info.bounds);
      if (lo != null) input.min = lo;
      if (hi != null) input.max = hi;
    } else input.type = "text";
    input.value = prop.default == null ? "" : Array.isArray(prop.default) ? prop.default.join(", ") : String(prop.default);
    if (prop.default == null) input.placeholder = "default";
  }
  input.id = id;
  input.name = name;
  input.dataset.kind = info.kind;
  const help = document.createElement("small");
  help.id = `${id}-help`;
  help.textContent = prop.description ?? "";
  input.setAttribute("aria-describedby", help.id);
  if (info.kind === "boolean") wrap.append(input, label, help);
  else wrap.append(label, input, help);
  return wrap;
}

/** Read one input back as a JSON value (undefined: left at the default). */
function readInput(input, prop) {
  const kind = input.dataset.kind;
  if (kind === "boolean") return input.checked;
  const raw = input.value.trim();
  if (raw === "") return prop.default ?? null;
  if (kind === "number" || kind === "integer") return Number(raw);
  if (kind === "mixed") return Number.isFinite(Number(raw)) ? Number(raw) : raw;
  if (kind === "list") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  return raw;
}

/** Properties the page fills itself (the data) or that are no choice of the user. */
export function isUserField(name, prop, skip) {
  return !skip.has(name) && !prop.deprecated && prop.const === undefined && !prop.readOnly;
}

/** Build fieldsets for the union of `schemas`' properties, grouped as `groups` says:
 *  [{title, names}] where names are chosen by the caller from the schemas themselves.
 *  Returns {element, values()} where values() gives {name: value} of changed fields. */
export function buildForm(groups, props, idPrefix) {
  const element = document.createElement("div");
  element.className = "option-groups";
  const inputs = {};
  for (const { title, names, open } of groups) {
    if (!names.length) continue;
    const box = document.createElement("details");
    box.open = Boolean(open);
    const summary = document.createElement("summary");
    summary.textContent = `${title} (${names.length})`;
    const grid = document.createElement("div");
    grid.className = "fields";
    for (const name of names) {
      const el = fieldElement(name, props[name], idPrefix);
      inputs[name] = el.querySelector("input, select");
      grid.append(el);
    }
    box.append(summary, grid);
    element.append(box);
  }
  return {
    element,
    inputs,
    /** {name: value} of the fields whose value is not the schema's default. */
    values() {
      const out = {};
      for (const [name, input] of Object.entries(inputs)) {
        const prop = props[name];
        const v = readInput(input, prop);
        if (JSON.stringify(v) !== JSON.stringify(prop.default ?? null)) out[name] = v;
      }
      return out;
    },
    set(name, value) {
      const input = inputs[name];
      if (!input) return false;
      if (input.dataset.kind === "boolean") input.checked = Boolean(value);
      else input.value = Array.isArray(value) ? value.join(", ") : value ?? "";
      return true;
    },
  };
}

/** `values` restricted to the properties of `schema`. */
export function pick(values, schema) {
  return Object.fromEntries(Object.entries(values).filter(([k]) => k in schema.properties));
}
