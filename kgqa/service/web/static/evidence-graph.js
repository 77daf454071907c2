// Draw evidence triples as an inline SVG graph: entities and values as boxes, predicates as labelled arrows.
//
// The layout is layered. The question's linked entities form the first column,
// and every other node goes in the column of its distance from them (ignoring
// edge direction), so an answer path reads left to right. Nodes that no linked
// entity reaches start their own layering from the node with the most edges.
// It is laid out for up to about 20 triples, and larger inputs still draw but get crowded.

const SVG_NS = "http://www.w3.org/2000/svg";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const FONT = "13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const NODE_HEIGHT = 30;
const NODE_PADDING_X = 12;
const NODE_GAP_Y = 18;
const MAX_NODE_LABEL_CHARS = 34;
const MAX_EDGE_LABEL_CHARS = 30;
const MIN_COLUMN_GAP = 70;
const MARGIN = 16;
const PARALLEL_EDGE_OFFSET = 22;
// Position of the label on an edge between columns of different heights, as the fraction
// of the way from the shorter column.
const FAN_LABEL_AT = 0.68;

let measureContext = null;

/** Return the key that identifies a term of the answer JSON (an IRI, a blank node or a literal). */
export function termKey(term) {
  if (term.kind === "iri") return `iri:${term.iri}`;
  if (term.kind === "bnode") return `bnode:${term.id}`;
  return `literal:${term.value}|${term.datatype || ""}|${term.lang || ""}`;
}

/** Return the IRI, blank node id or typed value of a term, for tooltips. */
export function termDetail(term) {
  if (term.kind === "iri") return term.iri;
  if (term.kind === "bnode") return `_:${term.id}`;
  if (term.lang) return `"${term.value}"@${term.lang}`;
  if (!term.datatype) return `"${term.value}"`;
  const datatype = term.datatype.startsWith(XSD) ? `xsd:${term.datatype.slice(XSD.length)}` : `<${term.datatype}>`;
  return `"${term.value}"^^${datatype}`;
}

/**
 * Build the SVG element for `triples` (the answer JSON's evidence entries).
 *
 * `answerKeys` and `topicKeys` are sets of termKey values: answers are
 * highlighted, and topics (the linked entities) start the layout.
 */
export function drawEvidenceGraph(triples, answerKeys, topicKeys) {
  const { nodes, edges } = collectGraph(triples, answerKeys, topicKeys);
  const columns = assignColumns(nodes, edges);
  const size = placeNodes(columns, edges);

  const svg = svgElement("svg", {
    class: "evidence-svg",
    width: size.width,
    height: size.height,
    viewBox: `0 0 ${size.width} ${size.height}`,
    role: "img",
    "aria-label": `Evidence graph: ${nodes.size} nodes, ${edges.length} triples`,
  });
  svg.append(arrowMarker());
  const edgeLayer = svgElement("g", { class: "edges" });
  const nodeLayer = svgElement("g", { class: "nodes" });
  svg.append(edgeLayer, nodeLayer);

  for (const edge of edges) edgeLayer.append(drawEdge(edge, nodes));
  for (const node of nodes.values()) nodeLayer.append(drawNode(node));
  return svg;
}

function collectGraph(triples, answerKeys, topicKeys) {
  const nodes = new Map();
  const edges = [];
  const seenTriples = new Set();

  const addNode = (term) => {
    const key = termKey(term);
    if (!nodes.has(key)) {
      nodes.set(key, {
        key,
        term,
        label: term.label || termDetail(term),
        isLiteral: term.kind === "literal",
        isAnswer: answerKeys.has(key),
        isTopic: topicKeys.has(key),
      });
    }
    return key;
  };

  for (const triple of triples) {
    const from = addNode(triple.subject);
    const to = addNode(triple.object);
    const tripleKey = `${from} ${triple.predicate.iri} ${to}`;
    if (seenTriples.has(tripleKey)) continue; // the same fact in two named graphs is drawn once
    seenTriples.add(tripleKey);
    edges.push({ from, to, label: triple.predicate.label || triple.predicate.iri, predicate: triple.predicate.iri });
  }

  // Several predicates between the same two nodes fan out as curves instead of overlapping.
  const pairs = new Map();
  for (const edge of edges) {
    const pair = [edge.from, edge.to].sort().join(" ");
    if (!pairs.has(pair)) pairs.set(pair, []);
    pairs.get(pair).push(edge);
  }
  for (const siblings of pairs.values()) {
    siblings.forEach((edge, index) => {
      edge.offset = (index - (siblings.length - 1) / 2) * 2 * PARALLEL_EDGE_OFFSET;
    });
  }
  return { nodes, edges };
}

function assignColumns(nodes, edges) {
  const neighbours = new Map([...nodes.keys()].map((key) => [key, new Set()]));
  for (const edge of edges) {
    neighbours.get(edge.from).add(edge.to);
    neighbours.get(edge.to).add(edge.from);
  }

  // Breadth-first search from the topics, then from the best-connected node left over.
  const column = new Map();
  let queue = [...nodes.values()].filter((node) => node.isTopic).map((node) => node.key);
  for (const key of queue) column.set(key, 0);
  while (column.size < nodes.size) {
    if (queue.length === 0) {
      const rest = [...nodes.keys()].filter((key) => !column.has(key));
      rest.sort((a, b) => neighbours.get(b).size - neighbours.get(a).size);
      column.set(rest[0], 0);
      queue = [rest[0]];
    }
    const next = [];
    for (const key of queue) {
      for (const other of neighbours.get(key)) {
        if (!column.has(other)) {
          column.set(other, column.get(key) + 1);
          next.push(other);
        }
      }
    }
    queue = next;
  }

  const columns = [];
  for (const [key, index] of column) {
    (columns[index] ||= []).push(nodes.get(key));
  }
  orderColumns(columns, neighbours);
  return columns;
}

function orderColumns(columns, neighbours) {
  // Sort each column by the mean row of its neighbours in the column before, which removes
  // most crossings in the tree-like shapes evidence takes.
  const row = new Map();
  columns[0].forEach((node, index) => row.set(node.key, index));
  for (const nodesInColumn of columns.slice(1)) {
    const weight = (node) => {
      const rows = [...neighbours.get(node.key)].filter((key) => row.has(key)).map((key) => row.get(key));
      return rows.length ? rows.reduce((sum, value) => sum + value, 0) / rows.length : Infinity;
    };
    nodesInColumn.sort((a, b) => weight(a) - weight(b) || a.label.localeCompare(b.label));
    nodesInColumn.forEach((node, index) => row.set(node.key, index));
  }
}

function placeNodes(columns, edges) {
  for (const node of columns.flat()) {
    node.text = truncate(node.label, MAX_NODE_LABEL_CHARS);
    node.width = Math.ceil(textWidth(node.text)) + 2 * NODE_PADDING_X;
  }
  const columnOf = new Map();
  columns.forEach((nodesInColumn, index) => nodesInColumn.forEach((node) => columnOf.set(node.key, index)));

  // A fan of edges from one node to a tall column would stack its labels at the narrow end,
  // so each label sits toward the column with more nodes, where the edges are spread out.
  // The gap after a column then fits the widest label that crosses it at that position.
  const gaps = columns.map(() => MIN_COLUMN_GAP);
  for (const edge of edges) {
    edge.text = truncate(edge.label, MAX_EDGE_LABEL_CHARS);
    const fromColumn = columnOf.get(edge.from);
    const toColumn = columnOf.get(edge.to);
    const fromSize = columns[fromColumn].length;
    const toSize = columns[toColumn].length;
    edge.labelAt = fromSize === toSize ? 0.5 : (toSize > fromSize ? FAN_LABEL_AT : 1 - FAN_LABEL_AT);
    if (fromColumn === toColumn) continue;

    const halfLabel = textWidth(edge.text) / 2 + 12;
    const first = Math.min(fromColumn, toColumn);
    const nearSide = Math.min(edge.labelAt, 1 - edge.labelAt);
    gaps[first] = Math.max(gaps[first], halfLabel / nearSide);
  }

  const heights = columns.map((nodesInColumn) => nodesInColumn.length * (NODE_HEIGHT + NODE_GAP_Y) - NODE_GAP_Y);
  const height = Math.max(...heights) + 2 * MARGIN;
  let x = MARGIN;
  columns.forEach((nodesInColumn, index) => {
    const columnWidth = Math.max(...nodesInColumn.map((node) => node.width));
    let y = (height - heights[index]) / 2;
    for (const node of nodesInColumn) {
      node.x = x + (columnWidth - node.width) / 2;
      node.y = y;
      y += NODE_HEIGHT + NODE_GAP_Y;
    }
    x += columnWidth + (index < columns.length - 1 ? gaps[index] : 0);
  });

  // Same-column edges bend to the right of their column, so leave room for them.
  const sameColumnEdges = edges.some((edge) => columnOf.get(edge.from) === columnOf.get(edge.to));
  const width = x + MARGIN + (sameColumnEdges ? MIN_COLUMN_GAP : 0);
  return { width: Math.ceil(width), height: Math.ceil(height) };
}

function drawNode(node) {
  const classes = ["node"];
  if (node.isLiteral) classes.push("node-literal");
  if (node.isTopic) classes.push("node-topic");
  if (node.isAnswer) classes.push("node-answer");

  const group = svgElement("g", { class: classes.join(" "), "data-key": node.key });
  const title = svgElement("title");
  title.textContent = `${node.label}\n${termDetail(node.term)}`;
  const box = svgElement("rect", {
    x: node.x, y: node.y, width: node.width, height: NODE_HEIGHT, rx: node.isLiteral ? 2 : 8,
  });
  const label = svgElement("text", {
    x: node.x + node.width / 2, y: node.y + NODE_HEIGHT / 2, "text-anchor": "middle", "dominant-baseline": "central",
  });
  label.textContent = node.text;
  group.append(title, box, label);
  return group;
}

function drawEdge(edge, nodes) {
  const source = nodes.get(edge.from);
  const target = nodes.get(edge.to);
  const group = svgElement("g", { class: "edge" });
  const title = svgElement("title");
  title.textContent = `${source.label} — ${edge.label} → ${target.label}\n${edge.predicate}`;

  const { path, labelX, labelY } = edgeGeometry(edge, source, target);
  const line = svgElement("path", { d: path, "marker-end": "url(#evidence-arrow)" });
  const labelWidth = textWidth(edge.text) + 8;
  const background = svgElement("rect", {
    class: "edge-label-background", x: labelX - labelWidth / 2, y: labelY - 9, width: labelWidth, height: 18, rx: 3,
  });
  const label = svgElement("text", {
    class: "edge-label", x: labelX, y: labelY, "text-anchor": "middle", "dominant-baseline": "central",
  });
  label.textContent = edge.text;
  group.append(title, line, background, label);
  return group;
}

function edgeGeometry(edge, source, target) {
  const middleY = (node) => node.y + NODE_HEIGHT / 2;

  if (Math.abs(source.x - target.x) < 1) {
    // Same column: a bow out to the right, deeper for nodes further apart.
    const startX = source.x + source.width;
    const endX = target.x + target.width;
    const bend = Math.max(startX, endX) + 30 + Math.abs(middleY(source) - middleY(target)) / 6;
    const controlY = (middleY(source) + middleY(target)) / 2;
    return {
      path: `M ${startX} ${middleY(source)} Q ${bend} ${controlY} ${endX + 4} ${middleY(target)}`,
      labelX: (startX + endX) / 4 + bend / 2,
      labelY: controlY,
    };
  }

  const forward = source.x < target.x;
  const startX = forward ? source.x + source.width : source.x;
  const endX = forward ? target.x - 4 : target.x + target.width + 4;
  const startY = middleY(source);
  const endY = middleY(target);
  const controlX = (startX + endX) / 2;
  const controlY = (startY + endY) / 2 + edge.offset;
  // The label's point on the quadratic Bézier curve at t = labelAt.
  const t = edge.labelAt;
  const along = (start, control, end) => (1 - t) ** 2 * start + 2 * t * (1 - t) * control + t ** 2 * end;
  return {
    path: `M ${startX} ${startY} Q ${controlX} ${controlY} ${endX} ${endY}`,
    labelX: along(startX, controlX, endX),
    labelY: along(startY, controlY, endY),
  };
}

function arrowMarker() {
  const defs = svgElement("defs");
  const marker = svgElement("marker", {
    id: "evidence-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto",
  });
  marker.append(svgElement("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head" }));
  defs.append(marker);
  return defs;
}

function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [attribute, value] of Object.entries(attributes)) element.setAttribute(attribute, String(value));
  return element;
}

function textWidth(text) {
  measureContext ||= document.createElement("canvas").getContext("2d");
  measureContext.font = FONT;
  return measureContext.measureText(text).width;
}

function truncate(text, maxChars) {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
