// Checks an OpenAPI document, and answers an API gave, against it:
//
//   - @seriousme/openapi-schema-validator validates the document against
//     the OpenAPI specification's own schema for its version (3.1 here),
//     and resolves its $refs;
//   - each answer is matched to the path and operation the document
//     describes for it, its status and media type must be described, its
//     path and query parameters must meet their schemas or the answer be
//     an error, and a JSON body must meet the response's schema, checked
//     with Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) and
//     ajv-formats (date, date-time).
//
// Usage: node openapi_check.mjs NODE_MODULES DOC.json ANSWERS.json
// ANSWERS.json is a list of {"method", "path" (from the API's root, with
// its query), "status", "type" (the Content-Type), "body"}. Prints a JSON
// report: {"paths", "answers", "problems": [...]}; exits 1 on a problem.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, docFile, answersFile] = process.argv.slice(2);
const require = createRequire(join(modules, "noop.js"));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);

const { Validator } = await load("@seriousme/openapi-schema-validator");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const problems = [];
const doc = JSON.parse(readFileSync(docFile, "utf8"));
const validator = new Validator();
const res = await validator.validate(doc);
if (!res.valid) {
  console.log(JSON.stringify({ problems: ["the document is not valid OpenAPI", res.errors] }, null, 1));
  process.exit(1);
}
if (validator.version !== "3.1") {
  problems.push(`the document is OpenAPI ${validator.version}, want 3.1`);
}
const api = validator.resolveRefs();

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const checkers = new Map();
const check = (schema, value) => {
  let fn = checkers.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    checkers.set(schema, fn);
  }
  return fn(value) ? null : ajv.errorsText(fn.errors);
};

// Each path template as a pattern: literal text escaped, a {name} one
// segment's worth of characters. More literal text wins a tie: /episodes/
// {n}.json before /episodes/{n}.
const templates = Object.keys(api.paths).map((t) => {
  const names = [];
  const re = t.replace(/\{([^}]+)\}|[^{]+/g, (m, name) => {
    if (name) {
      names.push(name);
      return "([^/]+)";
    }
    return m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return { template: t, names, re: new RegExp("^" + re + "$"), literal: t.replace(/\{[^}]+\}/g, "").length };
});
templates.sort((a, b) => b.literal - a.literal);

const answers = JSON.parse(readFileSync(answersFile, "utf8"));
const seen = new Set();
for (const a of answers) {
  const where = `${a.method} ${a.path} (${a.status})`;
  const u = new URL(a.path, "https://api.invalid");
  const match = templates.map((t) => ({ t, m: t.re.exec(u.pathname) })).find((x) => x.m);
  if (!match) {
    problems.push(`${where}: no path of the document matches`);
    continue;
  }
  seen.add(match.t.template);
  const op = api.paths[match.t.template][a.method.toLowerCase()];
  if (!op) {
    problems.push(`${where}: ${match.t.template} has no ${a.method}`);
    continue;
  }
  // The request: do its parameters meet their schemas?
  let requestOK = true;
  const params = [...(api.paths[match.t.template].parameters || []), ...(op.parameters || [])];
  for (const p of params) {
    let value;
    if (p.in === "path") {
      value = decodeURIComponent(match.m[1 + match.t.names.indexOf(p.name)]);
    } else if (p.in === "query") {
      if (!u.searchParams.has(p.name)) {
        continue;
      }
      value = u.searchParams.get(p.name);
    } else {
      continue;
    }
    if (p.schema.type === "integer" && /^[0-9]+$/.test(value)) {
      value = Number(value);
    }
    if (check(p.schema, value)) {
      requestOK = false;
    }
  }
  for (const name of u.searchParams.keys()) {
    if (!params.some((p) => p.in === "query" && p.name === name)) {
      requestOK = false; // a parameter the operation does not take
    }
  }
  if (!requestOK && a.status < 400) {
    problems.push(`${where}: answered ${a.status} to parameters outside their schemas`);
  }
  // The answer: its status, its type, its body.
  const response = op.responses[String(a.status)] || op.responses.default;
  if (!response) {
    problems.push(`${where}: status ${a.status} is not described`);
    continue;
  }
  const type = (a.type || "").split(";")[0].trim();
  const media = (response.content || {})[type];
  if (!media) {
    problems.push(`${where}: ${type || "no type"} is not described for ${a.status}`);
    continue;
  }
  let body = a.body;
  if (type === "application/json") {
    try {
      body = JSON.parse(a.body);
    } catch (e) {
      problems.push(`${where}: not JSON: ${e.message}`);
      continue;
    }
  }
  if (media.schema) {
    const err = check(media.schema, body);
    if (err) {
      problems.push(`${where}: ${err}`);
    }
  }
}
console.log(JSON.stringify({ paths: [...seen].sort(), answers: answers.length, problems }, null, 1));
process.exit(problems.length > 0 ? 1 : 0);
