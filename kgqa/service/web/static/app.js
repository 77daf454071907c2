// The kgqa web page: ask a question, show the four answer modes with verdicts and evidence, manage graphs.
//
// A question goes to POST /ask first (the graph-only answer, in milliseconds)
// and then to POST /compare (the four modes, seconds because the model runs
// three times). The graph answer shows at once, and the model modes fill in
// when /compare returns, or show its error. All text from the server goes into
// the page through textContent, never as HTML, because graph labels can hold
// markup characters.

import { drawEvidenceGraph, termDetail, termKey } from "./evidence-graph.js";

const MODES = [
  { name: "graph", title: "Graph only", help: "The answer read from the graph, with no model." },
  { name: "ungrounded", title: "Model alone", help: "The model's answer without the graph's facts." },
  { name: "grounded", title: "Model with facts", help: "The model's answer given the graph's facts." },
  { name: "corrected", title: "Draft corrected", help: "The model's own draft, checked and corrected with the graph." },
];

const SOURCE_TEXT = {
  graph: "read from the graph",
  model: "the model's answer",
  draft: "the model's draft, kept because the graph supports it",
  model_rewrite: "the model's rewrite of its draft",
  fact_sentence: "built from the graph's facts",
  not_in_graph: "the graph has no answer",
};

const STATUS_TEXT = {
  answered: "answered",
  no_entity: "no entity found",
  not_in_graph: "not in graph",
};

const SUGGESTION_DELAY_MS = 250;
const SUGGESTION_LIMIT = 6;

const page = {};
let questionCounter = 0;
let suggestionTimer = null;
let suggestionCounter = 0;

/** An error reply of the kgqa API: `{"error": {"code", "message", "details"}}`. */
class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

async function callApi(method, path, { json, body, headers = {} } = {}) {
  const options = { method, headers: { Accept: "application/json", ...headers } };
  if (json !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(json);
  } else if (body !== undefined) {
    options.body = body;
  }

  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new ApiError(0, "network_error", `Could not reach the kgqa server (${error.message}). Check that it is running.`);
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (response.ok && payload !== null) return payload;

  const error = payload && payload.error;
  if (error && typeof error.message === "string") {
    throw new ApiError(response.status, error.code, error.message, error.details);
  }
  throw new ApiError(response.status, "bad_response", `The server returned HTTP ${response.status} without a kgqa error body.`);
}

function element(tag, { className, text, attributes } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function showMessage(target, message) {
  target.textContent = message || "";
  target.hidden = !message;
}

function verdictBadge(verdict) {
  return element("span", {
    className: `badge verdict-${verdict}`,
    text: verdict.replaceAll("_", " "),
    attributes: { "data-verdict": verdict },
  });
}

function termLink(term) {
  // An IRI links to itself because IRIs are often dereferenceable. A literal shows its value and datatype.
  const label = element("span", { className: "term-label", text: term.label || termDetail(term) });
  const detail = term.kind === "iri"
    ? element("a", { className: "iri", text: term.iri, attributes: { href: term.iri, rel: "noreferrer noopener", target: "_blank" } })
    : element("span", { className: "iri", text: termDetail(term) });
  return element("span", { className: `term term-${term.kind}` }, [label, detail]);
}

// ---- graphs --------------------------------------------------------------------------------

async function loadGraphs() {
  let graphs;
  try {
    graphs = (await callApi("GET", "/graphs")).graphs;
  } catch (error) {
    showMessage(page.graphsError, `Listing the graphs failed: ${error.message}`);
    return;
  }
  showMessage(page.graphsError, "");
  renderGraphTable(graphs);
  renderGraphOptions(graphs);
}

function renderGraphTable(graphs) {
  const number = (value) => element("td", { className: "number", text: value.toLocaleString("en") });
  const rows = graphs.map((info) => {
    const nameButton = element("button", {
      className: "link-button",
      text: info.name,
      attributes: { type: "button", title: `Ask this graph (${info.source_format}, loaded ${info.loaded_at})` },
    });
    nameButton.addEventListener("click", () => {
      page.graphSelect.value = info.name;
      page.questionInput.focus();
    });
    return element("tr", { attributes: { "data-graph": info.name } }, [
      element("td", {}, [nameButton]), number(info.triples), number(info.entities), number(info.relations),
    ]);
  });
  page.graphRows.replaceChildren(...rows);
  page.graphsEmpty.hidden = graphs.length > 0;
  page.graphsTable.hidden = graphs.length === 0;
}

function renderGraphOptions(graphs) {
  const selected = page.graphSelect.value;
  const options = [element("option", { text: "All graphs", attributes: { value: "" } })];
  for (const info of graphs) options.push(element("option", { text: info.name, attributes: { value: info.name } }));
  page.graphSelect.replaceChildren(...options);
  const names = graphs.map((info) => info.name);
  // Keep the user's choice while that graph exists. With a single graph there is nothing to choose, so pick it.
  if (names.includes(selected)) page.graphSelect.value = selected;
  else if (names.length === 1) page.graphSelect.value = names[0];
}

async function uploadGraph(event) {
  event.preventDefault();
  showMessage(page.uploadError, "");
  showMessage(page.uploadStatus, "");

  const file = page.uploadFile.files[0];
  if (!file) {
    showMessage(page.uploadError, "Choose an RDF file to upload.");
    return;
  }
  const name = page.uploadName.value.trim() || graphNameFromFile(file.name);
  const headers = {};
  if (page.uploadKey.value) headers.Authorization = `Bearer ${page.uploadKey.value}`;
  const form = new FormData();
  form.append("file", file, file.name);

  page.uploadButton.disabled = true;
  showMessage(page.uploadStatus, `Uploading ${file.name} as '${name}'…`);
  try {
    const info = await callApi("PUT", `/graphs/${encodeURIComponent(name)}`, { body: form, headers });
    showMessage(page.uploadStatus,
      `Loaded '${info.name}': ${info.triples.toLocaleString("en")} triples, ${info.entities.toLocaleString("en")} entities.`);
    page.uploadForm.reset();
    await loadGraphs();
    page.graphSelect.value = info.name;
  } catch (error) {
    showMessage(page.uploadStatus, "");
    showMessage(page.uploadError, uploadErrorMessage(error));
  } finally {
    page.uploadButton.disabled = false;
  }
}

function graphNameFromFile(fileName) {
  const stem = fileName.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return stem.slice(0, 64) || "graph";
}

function uploadErrorMessage(error) {
  const where = [];
  if (error.details.line) where.push(`line ${error.details.line}`);
  if (error.details.column) where.push(`column ${error.details.column}`);
  const suffix = where.length && !error.message.includes("line") ? ` (${where.join(", ")})` : "";
  return `Upload failed: ${error.message}${suffix}`;
}

// ---- asking --------------------------------------------------------------------------------

async function askQuestion(event) {
  event.preventDefault();
  hideSuggestions();
  const question = page.questionInput.value.trim();
  const graph = page.graphSelect.value || undefined;
  if (!question) {
    showMessage(page.askError, "Type a question first, for example: Who is the CEO of Google?");
    page.questionInput.focus();
    return;
  }

  // A newer question makes the replies to older ones stale, so each reply checks this number.
  const number = ++questionCounter;
  showMessage(page.askError, "");
  page.askButton.disabled = true;
  page.results.setAttribute("aria-busy", "true");

  let answer;
  try {
    answer = await callApi("POST", "/ask", { json: { question, graph, mode: "graph" } });
  } catch (error) {
    if (number !== questionCounter) return;
    page.askButton.disabled = false;
    page.results.removeAttribute("aria-busy");
    page.results.hidden = true;
    page.evidence.hidden = true;
    showMessage(page.askError, error.message);
    return;
  }
  if (number !== questionCounter) return;
  page.askButton.disabled = false;

  const state = { question, answer, evidence: new Map() };
  renderQuestionHeader(answer);
  renderPendingModes(answer);
  addEvidence(state, answer.evidence, "graph");
  renderEvidence(state);

  // /compare gets the graph that /ask answered from, so the four modes read the same graph.
  const comparisonGraph = answer.graph || graph;
  try {
    const comparison = await callApi("POST", "/compare", { json: { question, graph: comparisonGraph } });
    if (number !== questionCounter) return;
    renderComparison(state, comparison);
  } catch (error) {
    if (number !== questionCounter) return;
    renderModelError(error);
  } finally {
    if (number === questionCounter) page.results.removeAttribute("aria-busy");
  }
}

function renderQuestionHeader(answer) {
  const parts = [element("span", { className: "muted", text: "Question: " }), element("q", { text: answer.question })];
  if (answer.graph) {
    parts.push(element("span", { className: "muted", text: " in graph " }), element("strong", { text: answer.graph }));
  }
  page.resultsQuestion.replaceChildren(...parts);
  page.results.hidden = false;
}

function renderPendingModes(answer) {
  const columns = MODES.map((mode) => {
    const column = modeColumn(mode);
    if (mode.name === "graph") {
      fillGraphAnswer(column, answer);
    } else {
      column.body.append(element("p", { className: "pending", text: "Asking the model…" }));
      column.root.classList.add("is-pending");
    }
    return column.root;
  });
  page.modes.replaceChildren(...columns);
}

function modeColumn(mode) {
  const badgeSlot = element("span", { className: "badge-slot" });
  const header = element("header", {}, [
    element("h3", { text: mode.title, attributes: { title: mode.help } }),
    badgeSlot,
  ]);
  const body = element("div", { className: "mode-body" });
  const root = element("article", {
    className: "mode",
    attributes: { "data-mode": mode.name, "aria-label": `${mode.title} answer` },
  }, [header, element("p", { className: "mode-help", text: mode.help }), body]);
  return { root, badgeSlot, body };
}

function fillGraphAnswer(column, answer) {
  column.badgeSlot.replaceChildren(element("span", {
    className: `badge status-${answer.status}`,
    text: STATUS_TEXT[answer.status] || answer.status,
    attributes: { "data-status": answer.status },
  }));
  column.body.append(element("p", { className: "answer-text", text: answer.text }));
  appendAnswerItems(column, answer);
  if (answer.linked_entities.length) {
    const linked = answer.linked_entities.map((entity) => `${entity.mention} → ${entity.entity.label}`).join(", ");
    column.body.append(element("p", { className: "muted small", text: `Linked: ${linked}` }));
  }
}

function appendAnswerItems(column, answer) {
  if (answer.answers.length) {
    const items = answer.answers.map((item) => element("li", {}, [termLink(item)]));
    column.body.append(element("ul", { className: "answer-items" }, items));
  }
  if (answer.path) {
    column.body.append(element("p", { className: "path small", text: `Path: ${answer.path.verbalization}` }));
  }
}

function renderComparison(state, comparison) {
  const columns = MODES.map((mode) => {
    const result = comparison.modes[mode.name];
    const column = modeColumn(mode);
    column.badgeSlot.append(verdictBadge(result.verdict));
    fillModeResult(column, mode, result, state);
    addEvidence(state, result.evidence, mode.name);
    for (const claim of result.claims) addEvidence(state, claim.evidence, mode.name);
    return column.root;
  });
  page.modes.replaceChildren(...columns);
  renderEvidence(state);
}

function fillModeResult(column, mode, result, state) {
  column.body.append(element("p", { className: "answer-text", text: result.text }));
  if (mode.name === "graph") appendAnswerItems(column, state.answer);
  column.body.append(element("p", { className: "muted small source", text: `Text: ${SOURCE_TEXT[result.source] || result.source}` }));

  if (result.claims.length) {
    const chips = result.claims.map((claim) => element("li", {
      className: `claim verdict-${claim.verdict}`,
      text: `${claim.text}: ${claim.verdict.replaceAll("_", " ")}`,
      attributes: { title: claim.reason, "data-verdict": claim.verdict },
    }));
    column.body.append(element("ul", { className: "claims", attributes: { "aria-label": "Claims checked" } }, chips));
  }

  const details = modeDetails(mode, result);
  if (details.length) {
    column.body.append(element("details", {}, [element("summary", { text: "Details" }), ...details]));
  }
}

function modeDetails(mode, result) {
  const details = [];
  if (result.draft) details.push(element("p", {}, [element("strong", { text: "Draft: " }), result.draft]));
  const modelText = result.verification && result.verification.text;
  if (modelText && modelText !== result.text) {
    details.push(element("p", {}, [element("strong", { text: "Model's text, replaced: " }), modelText]));
  }
  for (const note of [...result.notes, ...result.problems]) details.push(element("p", { className: "small", text: note }));
  const timings = Object.entries(result.timings_ms).map(([stage, ms]) => `${stage} ${Math.round(ms)} ms`).join(", ");
  if (timings && mode.name !== "graph") details.push(element("p", { className: "muted small", text: `Timings: ${timings}` }));
  return details;
}

function renderModelError(error) {
  const reason = error.code === "model_unavailable"
    ? `The model is unavailable, so only the graph answer is shown. ${error.message}`
    : error.message;
  for (const mode of MODES.slice(1)) {
    const column = page.modes.querySelector(`[data-mode="${mode.name}"]`);
    column.classList.remove("is-pending");
    const body = column.querySelector(".mode-body");
    body.replaceChildren(element("p", {
      className: "error-message mode-error", text: reason, attributes: { role: "alert", "data-code": error.code },
    }));
  }
}

// ---- evidence ------------------------------------------------------------------------------

function addEvidence(state, triples, modeName) {
  for (const triple of triples) {
    const key = [termKey(triple.subject), triple.predicate.iri, termKey(triple.object), triple.graph || ""].join(" ");
    if (!state.evidence.has(key)) state.evidence.set(key, { triple, modes: new Set() });
    state.evidence.get(key).modes.add(modeName);
  }
}

function renderEvidence(state) {
  const entries = [...state.evidence.values()];
  page.evidence.hidden = false;
  page.evidenceEmpty.hidden = entries.length > 0;
  page.evidenceTable.hidden = entries.length === 0;

  const rows = entries.map(({ triple, modes }) => element("tr", { className: "evidence-row" }, [
    element("td", {}, [termLink(triple.subject)]),
    element("td", {}, [termLink(triple.predicate)]),
    element("td", {}, [termLink(triple.object)]),
    element("td", { className: "small", text: [...modes].join(", ") + (triple.graph ? ` (graph ${triple.graph})` : "") }),
  ]));
  page.evidenceRows.replaceChildren(...rows);

  if (entries.length === 0) {
    page.evidenceDrawing.replaceChildren();
    return;
  }
  const answerKeys = new Set(state.answer.answers.map(termKey));
  const topicKeys = new Set(state.answer.linked_entities.map((linked) => termKey(linked.entity)));
  const drawing = drawEvidenceGraph(entries.map((entry) => entry.triple), answerKeys, topicKeys);
  const legend = element("p", { className: "legend small" }, [
    element("span", { className: "legend-topic", text: "entity in the question" }),
    element("span", { className: "legend-answer", text: "answer" }),
    element("span", { className: "legend-literal", text: "literal value" }),
  ]);
  page.evidenceDrawing.replaceChildren(drawing, legend);
}

// ---- entity suggestions --------------------------------------------------------------------

function scheduleSuggestions() {
  clearTimeout(suggestionTimer);
  const text = page.questionInput.value;
  if (text.trim().length < 2) {
    hideSuggestions();
    return;
  }
  suggestionTimer = setTimeout(() => fetchSuggestions(text), SUGGESTION_DELAY_MS);
}

async function fetchSuggestions(text) {
  const number = ++suggestionCounter;
  const params = new URLSearchParams({ q: text, limit: String(SUGGESTION_LIMIT) });
  if (page.graphSelect.value) params.set("graph", page.graphSelect.value);
  let reply;
  try {
    reply = await callApi("GET", `/entities?${params}`);
  } catch {
    return; // suggestions are a convenience; a failure here must not disturb typing
  }
  if (number !== suggestionCounter || page.questionInput.value !== text) return;

  const seen = new Set();
  const suggestions = [];
  for (const result of reply.results) {
    for (const suggestion of result.suggestions) {
      if (!seen.has(suggestion.label) && suggestions.length < SUGGESTION_LIMIT) {
        seen.add(suggestion.label);
        suggestions.push(suggestion);
      }
    }
  }
  renderSuggestions(text, suggestions);
}

function renderSuggestions(text, suggestions) {
  if (suggestions.length === 0) {
    hideSuggestions();
    return;
  }
  const buttons = suggestions.map((suggestion) => {
    const button = element("button", {
      className: "suggestion",
      text: suggestion.label,
      attributes: { type: "button", title: suggestion.iri || suggestion.label },
    });
    button.addEventListener("click", () => {
      page.questionInput.value = completeQuestion(text, suggestion.matched || suggestion.label, suggestion.label);
      hideSuggestions();
      page.questionInput.focus();
    });
    return button;
  });
  page.suggestionList.replaceChildren(...buttons);
  page.suggestions.hidden = false;
}

function completeQuestion(text, matched, label) {
  // Replace the last one to three words when the matched label or alias has them at a word start
  // ("founded tes" and "Tesla, Inc." give "founded Tesla, Inc.").
  const words = text.trimEnd().split(/\s+/);
  const folded = matched.toLowerCase();
  for (let size = Math.min(3, words.length); size >= 1; size -= 1) {
    const tail = words.slice(-size).join(" ").toLowerCase();
    const position = folded.indexOf(tail);
    if (position === 0 || (position > 0 && /[\s,(-]/.test(folded[position - 1]))) {
      return [...words.slice(0, -size), label].join(" ");
    }
  }
  return `${text.trimEnd()} ${label}`;
}

function hideSuggestions() {
  clearTimeout(suggestionTimer);
  suggestionCounter += 1;
  page.suggestions.hidden = true;
  page.suggestionList.replaceChildren();
}

// ---- start ---------------------------------------------------------------------------------

function start() {
  const ids = {
    askForm: "ask-form", askButton: "ask-button", askError: "ask-error", graphSelect: "graph-select",
    questionInput: "question-input", suggestions: "suggestions", suggestionList: "suggestion-list",
    results: "results", resultsQuestion: "results-question", modes: "modes",
    evidence: "evidence", evidenceDrawing: "evidence-drawing", evidenceTable: "evidence-table",
    evidenceRows: "evidence-rows", evidenceEmpty: "evidence-empty",
    graphsTable: "graphs-table", graphRows: "graph-rows", graphsEmpty: "graphs-empty", graphsError: "graphs-error",
    uploadForm: "upload-form", uploadFile: "upload-file", uploadName: "upload-name", uploadKey: "upload-key",
    uploadButton: "upload-button", uploadStatus: "upload-status", uploadError: "upload-error",
  };
  for (const [name, id] of Object.entries(ids)) page[name] = document.getElementById(id);

  page.askForm.addEventListener("submit", askQuestion);
  page.uploadForm.addEventListener("submit", uploadGraph);
  page.questionInput.addEventListener("input", scheduleSuggestions);
  page.questionInput.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideSuggestions();
  });
  page.graphSelect.addEventListener("change", hideSuggestions);
  loadGraphs();
}

start();
