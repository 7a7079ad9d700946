/* kb-guides: the step-through and decision-tree diagram on guide pages, and the Triage page. Plain
 * ES5-compatible script (plus fetch on the Triage page), no dependencies.
 *
 * The page already lists every node as a section (#node-<id>) whose HTML was rendered and
 * sanitized at build time; this script only copies those sections into the step-through and
 * builds buttons and text with textContent. The walk data and the transcript fragments come
 * from <script type="application/json" id="kbg-data-<guide>">; the decision-tree diagram is
 * drawn from the same data (SVG elements, text as text nodes).
 *
 * assembleTranscript() mirrors search/render/transcript.py assemble() line for line: the text
 * copied here equals the API's and `kb walk`'s byte for byte (tests/site check it).
 */
(function () {
  "use strict";

  // Python's re "\s" (= str.isspace) for str patterns, which one_line() collapses and strips.
  var WS = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var RUNS = new RegExp(WS + "+", "g");
  var IN_PROGRESS = ["Outcome: In progress (walk not finished)."];

  function has(obj, key) {
    return Object.prototype.hasOwnProperty.call(obj, key);
  }

  function oneLine(text) {
    var s = String(text).replace(RUNS, " ");
    if (s.charAt(0) === " ") s = s.slice(1);
    if (s.charAt(s.length - 1) === " ") s = s.slice(0, -1);
    return s;
  }

  /* parts: fragments(guide, repo); path: [[nodeId, choice], ...]; current: node id reached;
   * priority: "P1".."P4" or ""/null; gathered: notes aligned with parts.gather. */
  function assembleTranscript(parts, path, current, priority, gathered) {
    var lines = parts.header.slice();
    var i;
    if (priority && has(parts.priorities, priority)) lines.push(parts.priorities[priority]);
    var notes = [];
    var n = Math.min(parts.gather.length, gathered.length);
    for (i = 0; i < n; i++) {
      var value = gathered[i];
      if (value && oneLine(value) !== "") notes.push("- " + parts.gather[i] + ": " + oneLine(value));
    }
    if (notes.length) {
      lines.push("Information gathered:");
      lines = lines.concat(notes);
    }
    if (path.length) {
      lines.push("Steps:");
      for (i = 0; i < path.length; i++) lines.push(i + 1 + ". " + parts.steps[path[i][0]][path[i][1]]);
    }
    lines = lines.concat(has(parts.outcomes, current) ? parts.outcomes[current] : IN_PROGRESS);
    return lines.join("\n") + "\n";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* ---- the decision-tree diagram ----------------------------------------------------------
   * Drawn from the walk data when the page loads (no build-time SVG, no CDN). Layout, Sugiyama
   * style and kept small: edges that close a cycle are set aside as back edges; every node goes
   * to the layer after its deepest parent; edges spanning several layers get invisible bend
   * points, one per layer; a few barycentre sweeps order each layer to cut crossings; nodes are
   * then pulled towards the mean position of their neighbours without overlapping. Colours come
   * from the .kbg-d-* classes in kb-guides.css, so the diagram follows the light/dark scheme.
   * Every text goes in as a text node or an attribute. */

  var SVG_NS = "http://www.w3.org/2000/svg";
  var NODE_W = 200;
  var NODE_H = 72; // room for the caption and three lines of text
  var DUMMY_W = 12;
  var GAP_X = 28;
  var GAP_Y = 62;
  var MARGIN = 16;
  var BACK_EDGE_ROOM = 56;
  var CHARS_PER_LINE = 28;
  var LINES = 3;
  var LABEL_CHARS = 22;

  /* A map keyed by node ids (a slug such as "constructor" must not meet Object.prototype). */
  function idMap() {
    return Object.create(null);
  }

  /* Text as code points, so lengths and cuts count characters as Python does. */
  function chars(text) {
    return text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g) || [];
  }

  /* Greedy word wrap into at most `lines` lines of `width` characters; an ellipsis marks cut text. */
  function wrap(value, width, lines) {
    var one = oneLine(value);
    if (chars(one).length <= width) return one ? [one] : [];
    var out = [];
    var current = "";
    one.split(" ").forEach(function (word) {
      var letters = chars(word);
      while (letters.length > width) {
        if (current) out.push(current);
        current = "";
        out.push(letters.slice(0, width - 1).join("") + "-");
        letters = letters.slice(width - 1);
      }
      word = letters.join("");
      var candidate = current ? current + " " + word : word;
      if (chars(candidate).length <= width) {
        current = candidate;
      } else {
        out.push(current);
        current = word;
      }
    });
    if (current) out.push(current);
    if (out.length > lines) {
      out = out.slice(0, lines);
      var last = chars(out[lines - 1]);
      out[lines - 1] = (last.length >= width ? last.slice(0, width - 1).join("").replace(/ +$/, "") : last.join("")) + "\u2026";
    }
    return out;
  }

  function cutLabel(label) {
    var letters = chars(label);
    return letters.length <= LABEL_CHARS ? label : letters.slice(0, LABEL_CHARS - 1).join("") + "\u2026";
  }

  /* Every edge between existing nodes: answers in the order written, an action's next step. */
  function diagramEdges(nodes) {
    var edges = [];
    Object.keys(nodes).forEach(function (id) {
      var node = nodes[id];
      (node.answers || []).forEach(function (answer) {
        if (answer[1] && has(nodes, answer[1])) edges.push({ source: id, target: answer[1], label: node.type === "question" ? answer[0] : "", back: false });
      });
    });
    return edges;
  }

  /* Marks the edges a depth-first search finds closing a cycle (`back`). */
  function markBackEdges(ids, edges) {
    var out = idMap();
    var state = idMap(); // 1 on the stack, 2 finished
    ids.forEach(function (id) {
      out[id] = [];
    });
    edges.forEach(function (edge) {
      out[edge.source].push(edge);
    });
    ids.forEach(function (root) {
      if (state[root]) return;
      state[root] = 1;
      var stack = [[root, 0]];
      while (stack.length) {
        var top = stack[stack.length - 1];
        var step = out[top[0]][top[1]++];
        if (!step) {
          state[top[0]] = 2;
          stack.pop();
        } else if (state[step.target] === 1) {
          step.back = true;
        } else if (!state[step.target]) {
          state[step.target] = 1;
          stack.push([step.target, 0]);
        }
      }
    });
  }

  /* Each node's layer: one after its deepest parent along the forward edges. */
  function layerOf(ids, forward) {
    var indegree = idMap();
    var out = idMap();
    var layer = idMap();
    ids.forEach(function (id) {
      indegree[id] = 0;
      out[id] = [];
      layer[id] = 0;
    });
    forward.forEach(function (edge) {
      indegree[edge.target] += 1;
      out[edge.source].push(edge.target);
    });
    var ready = ids.filter(function (id) {
      return indegree[id] === 0;
    });
    while (ready.length) {
      var node = ready.shift();
      out[node].forEach(function (target) {
        layer[target] = Math.max(layer[target], layer[node] + 1);
        indegree[target] -= 1;
        if (indegree[target] === 0) ready.push(target);
      });
    }
    return layer;
  }

  function crossings(upper, lower) {
    var position = idMap();
    lower.forEach(function (v) {
      position[v.key] = v.order;
    });
    var segments = [];
    upper.forEach(function (u) {
      u.succs.forEach(function (s) {
        if (s in position) segments.push([u.order, position[s]]);
      });
    });
    var count = 0;
    for (var i = 0; i < segments.length; i++) {
      for (var j = i + 1; j < segments.length; j++) {
        if ((segments[i][0] - segments[j][0]) * (segments[i][1] - segments[j][1]) < 0) count++;
      }
    }
    return count;
  }

  function setOrder(row) {
    row.forEach(function (v, i) {
      v.order = i;
    });
  }

  function mean(values) {
    return values.reduce(function (a, b) {
      return a + b;
    }, 0) / values.length;
  }

  /* Barycentre sweeps down and up; keeps the order with the fewest crossings. */
  function reduceCrossings(layers, vertices) {
    var total = function () {
      var count = 0;
      for (var r = 0; r + 1 < layers.length; r++) count += crossings(layers[r], layers[r + 1]);
      return count;
    };
    var snapshot = function () {
      return layers.map(function (row) {
        return row.slice();
      });
    };
    var best = snapshot();
    var bestCount = total();
    var orderOf = function (key) {
      return vertices[key].order;
    };
    for (var sweep = 0; sweep < 8; sweep++) {
      var down = sweep % 2 === 0;
      for (var k = 0; k < layers.length - 1; k++) {
        var row = layers[down ? k + 1 : layers.length - 2 - k];
        row.forEach(function (v) {
          var near = down ? v.preds : v.succs;
          if (near.length) v.order = mean(near.map(orderOf));
        });
        row.sort(function (a, b) {
          return a.order - b.order;
        });
        setOrder(row);
      }
      var count = total();
      if (count < bestCount) {
        best = snapshot();
        bestCount = count;
      }
      if (bestCount === 0) break;
    }
    best.forEach(function (row, r) {
      layers[r] = row;
      setOrder(row);
    });
  }

  /* Left edges as close to `wanted` as the row's order, widths and gaps allow. */
  function pack(widths, wanted) {
    var n = widths.length;
    var left = [];
    var right = [];
    var i;
    var edge = -Infinity;
    for (i = 0; i < n; i++) {
      left[i] = Math.max(wanted[i], edge);
      edge = left[i] + widths[i] + GAP_X;
    }
    edge = Infinity;
    for (i = n - 1; i >= 0; i--) {
      right[i] = Math.min(wanted[i], edge - widths[i]);
      edge = right[i] - GAP_X;
    }
    var mixed = [];
    edge = -Infinity;
    for (i = 0; i < n; i++) {
      mixed[i] = Math.max((left[i] + right[i]) / 2, edge); // averaging can overlap: push right again
      edge = mixed[i] + widths[i] + GAP_X;
    }
    return mixed;
  }

  function assignX(layers, vertices) {
    var widest = 0;
    layers.forEach(function (row) {
      var x = 0;
      row.forEach(function (v) {
        v.x = x;
        x += v.width + GAP_X;
      });
      if (row.length) widest = Math.max(widest, x - GAP_X);
    });
    layers.forEach(function (row) {
      if (!row.length) return;
      var last = row[row.length - 1];
      var shift = (widest - (last.x + last.width)) / 2; // start with every layer centred
      row.forEach(function (v) {
        v.x += shift;
      });
    });
    var rows = layers.map(function (row) {
      return {
        row: row,
        widths: row.map(function (v) {
          return v.width;
        }),
        nears: row.map(function (v) {
          return v.preds.concat(v.succs).map(function (key) {
            return vertices[key];
          });
        }),
      };
    });
    for (var sweep = 0; sweep < 4; sweep++) {
      var order = sweep % 2 === 0 ? rows : rows.slice().reverse();
      var moved = 0;
      order.forEach(function (r) {
        var wanted = r.row.map(function (v, i) {
          var near = r.nears[i];
          if (!near.length) return v.x;
          return (
            mean(
              near.map(function (u) {
                return u.x + u.width / 2;
              })
            ) -
            v.width / 2
          );
        });
        pack(r.widths, wanted).forEach(function (x, i) {
          moved = Math.max(moved, Math.abs(r.row[i].x - x));
          r.row[i].x = x;
        });
      });
      if (moved < 1) break;
    }
    var all = Object.keys(vertices).map(function (key) {
      return vertices[key];
    });
    var low = Math.min.apply(null, all.map(function (v) {
      return v.x;
    }));
    all.forEach(function (v) {
      v.x -= low;
    });
  }

  /* Positions of the nodes (top-left corners, in step order), edge polylines, back edges and
   * the canvas size. */
  function diagramLayout(data) {
    var ids = Object.keys(data.nodes).sort(function (a, b) {
      return data.nodes[a].step - data.nodes[b].step;
    });
    var edges = diagramEdges(data.nodes);
    markBackEdges(ids, edges);
    var forward = edges.filter(function (e) {
      return !e.back;
    });
    var layer = layerOf(ids, forward);
    var vertices = idMap();
    var vertex = function (key, level, dummy) {
      vertices[key] = { key: key, layer: level, order: 0, x: 0, dummy: dummy, width: dummy ? DUMMY_W : NODE_W, preds: [], succs: [] };
    };
    ids.forEach(function (id) {
      vertex(id, layer[id], false);
    });
    var chains = forward.map(function (edge, index) {
      var chain = [edge.source];
      for (var level = layer[edge.source] + 1; level < layer[edge.target]; level++) {
        var key = "\u0000" + index + ":" + level; // never a node id
        vertex(key, level, true);
        chain.push(key);
      }
      chain.push(edge.target);
      for (var i = 0; i + 1 < chain.length; i++) {
        vertices[chain[i]].succs.push(chain[i + 1]);
        vertices[chain[i + 1]].preds.push(chain[i]);
      }
      return { edge: edge, chain: chain };
    });

    var depth = 1;
    ids.forEach(function (id) {
      depth = Math.max(depth, layer[id] + 1);
    });
    var layers = [];
    for (var r = 0; r < depth; r++) layers.push([]);
    var placed = idMap();
    var place = function (key) {
      if (placed[key]) return;
      placed[key] = true;
      layers[vertices[key].layer].push(vertices[key]);
    };
    ids.forEach(function (id) {
      place(id);
      chains.forEach(function (c) {
        if (c.edge.source === id) c.chain.slice(1, -1).forEach(place);
      });
    });
    layers.forEach(setOrder);

    reduceCrossings(layers, vertices);
    assignX(layers, vertices);

    var back = edges.filter(function (e) {
      return e.back;
    });
    var span = 0;
    Object.keys(vertices).forEach(function (key) {
      span = Math.max(span, vertices[key].x + vertices[key].width);
    });
    var top = function (v) {
      return MARGIN + v.layer * (NODE_H + GAP_Y);
    };
    var positions = idMap();
    ids.forEach(function (id) {
      positions[id] = [MARGIN + vertices[id].x, top(vertices[id])];
    });
    var lines = chains.map(function (c) {
      var source = vertices[c.edge.source];
      var target = vertices[c.edge.target];
      var points = [[MARGIN + source.x + NODE_W / 2, top(source) + NODE_H]];
      c.chain.slice(1, -1).forEach(function (key) {
        points.push([MARGIN + vertices[key].x + DUMMY_W / 2, top(vertices[key]) + NODE_H / 2]);
      });
      points.push([MARGIN + target.x + NODE_W / 2, top(target)]);
      return { edge: c.edge, points: points };
    });
    return {
      ids: ids,
      nodes: positions,
      edges: lines,
      back: back,
      width: span + MARGIN * 2 + (back.length ? BACK_EDGE_ROOM : 0),
      height: depth * (NODE_H + GAP_Y) - GAP_Y + MARGIN * 2,
    };
  }

  function num(value) {
    return value.toFixed(1);
  }

  function curve(points) {
    var x0 = points[0][0];
    var y0 = points[0][1];
    var d = "M" + num(x0) + "," + num(y0);
    points.slice(1).forEach(function (p) {
      var bend = (p[1] - y0) / 2;
      d += "C" + num(x0) + "," + num(y0 + bend) + " " + num(p[0]) + "," + num(p[1] - bend) + " " + num(p[0]) + "," + num(p[1]);
      x0 = p[0];
      y0 = p[1];
    });
    return d;
  }

  function bezierPoint(p0, p1, t) {
    var bend = (p1[1] - p0[1]) / 2;
    var c0 = [p0[0], p0[1] + bend];
    var c1 = [p1[0], p1[1] - bend];
    var u = 1 - t;
    var at = function (i) {
      return u * u * u * p0[i] + 3 * u * u * t * c0[i] + 3 * u * t * t * c1[i] + t * t * t * p1[i];
    };
    return [at(0), at(1)];
  }

  /* An SVG element with attributes (values set as they are: never parsed as markup) and text. */
  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined) node.appendChild(document.createTextNode(text));
    return node;
  }

  function edgeLabel(label, x, y, anchor) {
    var node = svgEl("text", { class: "kbg-d-label", x: num(x), y: num(y), "text-anchor": anchor }, cutLabel(label));
    node.appendChild(svgEl("title", {}, label));
    return node;
  }

  /* (small caption, main text) of a node; `kinds` names the node types. */
  function nodeCaption(node, kinds) {
    var caption = node.step + " \u00b7 " + (kinds[node.type] || node.type);
    if (node.type === "escalation") caption += ": " + node.team;
    return [caption, node.type === "link" ? node.target : node.title];
  }

  /* The whole tree as one <svg>; each node links to #<data.anchor><id>. */
  function diagramSvg(data, kinds) {
    var box = diagramLayout(data);
    var w = Math.ceil(box.width);
    var h = Math.ceil(box.height);
    var svg = svgEl("svg", { class: "kbg-svg", viewBox: "0 0 " + w + " " + h, width: w, height: h, "aria-hidden": "true", focusable: "false" });
    svg.appendChild(svgEl("title", {}, "Decision tree of " + data.title));
    var marker = svgEl("marker", { id: "kbg-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.appendChild(svgEl("path", { d: "M0,0L10,5L0,10z", class: "kbg-d-arrow" }));
    svg.appendChild(svgEl("defs")).appendChild(marker);

    var edges = svg.appendChild(svgEl("g", { class: "kbg-d-edges" }));
    var labels = [];
    box.edges.forEach(function (line) {
      var edge = line.edge;
      edges.appendChild(svgEl("path", { class: "kbg-d-edge", "data-from": edge.source, "data-to": edge.target, d: curve(line.points), "marker-end": "url(#kbg-arrow)" }));
      if (edge.label) {
        var at = bezierPoint(line.points[0], line.points[1], 0.35);
        labels.push(edgeLabel(edge.label, at[0], at[1] + 4, "middle"));
      }
    });
    box.back.forEach(function (edge) {
      var s = box.nodes[edge.source];
      var t = box.nodes[edge.target];
      var x0 = s[0] + NODE_W;
      var y0 = s[1] + NODE_H * 0.6;
      var x1 = t[0] + NODE_W;
      var y1 = t[1] + NODE_H * 0.4;
      var reach = Math.max(x0, x1) + BACK_EDGE_ROOM - 8;
      var d = "M" + num(x0) + "," + num(y0) + "C" + num(reach) + "," + num(y0) + " " + num(reach) + "," + num(y1) + " " + num(x1) + "," + num(y1);
      edges.appendChild(svgEl("path", { class: "kbg-d-edge kbg-d-back", "data-from": edge.source, "data-to": edge.target, d: d, "marker-end": "url(#kbg-arrow)" }));
      if (edge.label) labels.push(edgeLabel(edge.label, reach - 4, (y0 + y1) / 2 + 4, "end"));
    });

    var group = svg.appendChild(svgEl("g", { class: "kbg-d-nodes" }));
    box.ids.forEach(function (id) {
      var node = data.nodes[id];
      var x = box.nodes[id][0];
      var y = box.nodes[id][1];
      var words = nodeCaption(node, kinds);
      var link = svgEl("a", { href: "#" + data.anchor + id, tabindex: "-1", class: "kbg-d-node kbg-d-" + node.type, "data-node": id });
      link.appendChild(svgEl("title", {}, words[0] + ": " + words[1]));
      link.appendChild(svgEl("rect", { x: num(x), y: num(y), width: NODE_W, height: NODE_H, rx: node.type === "question" ? 12 : 4 }));
      link.appendChild(svgEl("text", { class: "kbg-d-caption", x: num(x + 10), y: num(y + 14) }, wrap(words[0], CHARS_PER_LINE + 4, 1)[0] || ""));
      var body = link.appendChild(svgEl("text", { class: "kbg-d-text", x: num(x + 10), y: num(y + 31) }));
      wrap(words[1], CHARS_PER_LINE, LINES).forEach(function (line, i) {
        body.appendChild(svgEl("tspan", { x: num(x + 10), dy: i ? 15 : 0 }, line));
      });
      group.appendChild(link);
    });
    var labelGroup = svg.appendChild(svgEl("g", { class: "kbg-d-labels" }));
    labels.forEach(function (label) {
      labelGroup.appendChild(label);
    });
    return svg;
  }

  /* Draws the diagram of `data` into its section on the page and shows the section (hidden
   * until then, so a page without script shows no empty box); returns the <svg> or null. */
  function drawDiagram(data) {
    var section = null;
    Array.prototype.forEach.call(document.querySelectorAll(".kbg-diagram[data-guide]"), function (candidate) {
      if (candidate.getAttribute("data-guide") === data.guide) section = candidate;
    });
    var scroll = section && section.querySelector('[data-kbg="diagram"]');
    if (!scroll) return null;
    var kinds = {}; // the legend names the node types
    Array.prototype.forEach.call(section.querySelectorAll(".kbg-legend-item[data-kind]"), function (item) {
      kinds[item.getAttribute("data-kind")] = item.textContent;
    });
    var svg = diagramSvg(data, kinds);
    scroll.textContent = "";
    scroll.appendChild(svg);
    section.hidden = false;
    return svg;
  }

  function Walk(root, data) {
    this.root = root;
    this.data = data;
    this.path = [];
    this.current = data.start;
    this.part = function (name) {
      return root.querySelector('[data-kbg="' + name + '"]');
    };
    this.gatherInputs = Array.prototype.slice.call(document.querySelectorAll(".kbg-gather-input"));
    this.diagram = drawDiagram(data); // before render() marks the current node in it
  }

  Walk.prototype.section = function (nodeId) {
    var heading = document.getElementById(this.data.anchor + nodeId);
    return heading ? heading.closest(".kbg-node") : null;
  };

  Walk.prototype.priority = function () {
    return this.part("priority").value;
  };

  Walk.prototype.gathered = function () {
    return this.gatherInputs.map(function (input) {
      return input.value;
    });
  };

  Walk.prototype.transcript = function () {
    return assembleTranscript(this.data.transcript, this.path, this.current, this.priority(), this.gathered());
  };

  Walk.prototype.choices = function () {
    var node = this.data.nodes[this.current];
    return node && node.answers ? node.answers : [];
  };

  Walk.prototype.choose = function (index) {
    var choice = this.choices()[index];
    if (!choice || !choice[1] || !has(this.data.nodes, choice[1])) return;
    this.path.push([this.current, choice[0]]);
    this.current = choice[1];
    this.render(true);
  };

  Walk.prototype.back = function () {
    if (!this.path.length) return;
    this.current = this.path.pop()[0];
    this.render(true);
  };

  Walk.prototype.goTo = function (index) {
    this.current = this.path[index][0];
    this.path = this.path.slice(0, index);
    this.render(true);
  };

  Walk.prototype.restart = function () {
    this.path = [];
    this.current = this.data.start;
    this.render(true);
  };

  Walk.prototype.label = function (choice) {
    return choice === this.data.done ? "Done" : choice;
  };

  Walk.prototype.renderCurrent = function () {
    var box = this.part("current");
    var node = this.data.nodes[this.current];
    box.textContent = "";
    var section = this.section(this.current);
    if (section) {
      var copy = section.cloneNode(true);
      var heading = copy.querySelector("h3");
      var title = el("p", "kbg-current-title");
      while (heading.firstChild) title.appendChild(heading.firstChild);
      copy.removeChild(heading);
      var answers = copy.querySelector(".kbg-answers");
      if (answers) answers.parentNode.removeChild(answers);
      Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (n) {
        n.removeAttribute("id");
      });
      copy.classList.add("kbg-current-node");
      copy.insertBefore(title, copy.firstChild);
      this.filterSla(copy);
      box.appendChild(copy);
    } else {
      box.appendChild(el("p", "kbg-current-title", node ? node.title : this.current));
    }
    box.setAttribute("data-node", this.current);
  };

  Walk.prototype.filterSla = function (scope) {
    var priority = this.priority();
    Array.prototype.forEach.call(scope.querySelectorAll("tr[data-priority]"), function (row) {
      row.hidden = !!priority && row.getAttribute("data-priority") !== priority;
    });
  };

  Walk.prototype.renderChoices = function () {
    var self = this;
    var box = this.part("choices");
    box.textContent = "";
    var choices = this.choices();
    choices.forEach(function (choice, index) {
      var button = el("button", "md-button kbg-choice");
      button.type = "button";
      if (index < 9) button.appendChild(el("kbd", "kbg-choice-key", String(index + 1)));
      button.appendChild(el("span", "kbg-choice-label", self.label(choice[0])));
      button.setAttribute("data-choice", choice[0]);
      button.addEventListener("click", function () {
        self.choose(index);
      });
      box.appendChild(button);
    });
    if (!choices.length) {
      var type = (this.data.nodes[this.current] || {}).type;
      var note = type === "link" ? "Continue in the linked guide. " : "End of the guide. ";
      box.appendChild(el("p", "kbg-finished", note + "Copy the transcript into the ticket."));
      var copy = el("button", "md-button md-button--primary kbg-copy-end", "Copy for the ticket");
      copy.type = "button";
      copy.addEventListener("click", function () {
        self.copy(copy);
      });
      box.appendChild(copy);
    }
  };

  Walk.prototype.renderPath = function () {
    var self = this;
    var list = this.part("path");
    list.textContent = "";
    this.path.forEach(function (step, index) {
      var node = self.data.nodes[step[0]];
      var item = el("li");
      var button = el("button", "kbg-path-step");
      button.type = "button";
      button.title = "Go back to this step";
      button.appendChild(el("span", "kbg-path-q", "Step " + node.step + ": " + node.title));
      button.appendChild(el("span", "kbg-path-a", self.label(step[1])));
      button.addEventListener("click", function () {
        self.goTo(index);
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    var here = this.data.nodes[this.current];
    if (here) list.appendChild(el("li", "kbg-path-here", "Step " + here.step + ": " + here.title));
  };

  Walk.prototype.renderDiagram = function () {
    if (!this.diagram) return;
    var onPath = {};
    this.path.forEach(function (step) {
      onPath[step[0]] = true;
    });
    var current = this.current;
    Array.prototype.forEach.call(this.diagram.querySelectorAll(".kbg-d-node"), function (node) {
      var id = node.getAttribute("data-node");
      node.classList.toggle("kbg-d-on-path", has(onPath, id));
      node.classList.toggle("kbg-d-current", id === current);
    });
  };

  Walk.prototype.renderTranscript = function () {
    this.part("transcript").value = this.transcript();
    this.part("status").textContent = "";
  };

  Walk.prototype.render = function (moveFocus) {
    this.renderCurrent();
    this.renderChoices();
    this.renderPath();
    this.renderDiagram();
    this.renderTranscript();
    this.part("back").disabled = !this.path.length;
    if (moveFocus) this.part("current").focus({ preventScroll: false });
  };

  Walk.prototype.copy = function (button) {
    var self = this;
    var text = this.transcript();
    var area = this.part("transcript");
    area.value = text;
    var done = function (ok) {
      self.part("status").textContent = ok ? "Copied. Paste it into the ticket as an internal note." : "Select the transcript and copy it (Ctrl+C).";
      if (button) button.textContent = ok ? "Copied" : "Copy failed: use the transcript below";
    };
    var fallback = function () {
      area.focus();
      area.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      done(ok);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        done(true);
      }, fallback);
    } else {
      fallback();
    }
  };

  Walk.prototype.onKey = function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var tag = event.target.tagName;
    if (tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT") return;
    if (/^[1-9]$/.test(event.key)) {
      var index = Number(event.key) - 1;
      if (index < this.choices().length) {
        event.preventDefault();
        this.choose(index);
      }
    } else if (event.key === "Backspace" && this.path.length) {
      event.preventDefault();
      this.back();
    }
  };

  Walk.prototype.start = function () {
    var self = this;
    this.part("back").addEventListener("click", function () {
      self.back();
    });
    this.part("restart").addEventListener("click", function () {
      self.restart();
    });
    this.part("copy").addEventListener("click", function () {
      self.copy();
    });
    this.part("priority").addEventListener("change", function () {
      self.renderCurrent();
      self.renderTranscript();
    });
    this.gatherInputs.forEach(function (input) {
      input.addEventListener("input", function () {
        self.renderTranscript();
      });
    });
    this.root.addEventListener("keydown", function (event) {
      self.onKey(event);
    });
    this.root.hidden = false;
    this.render(false);
  };

  function enhanceTools() {
    var print = document.querySelector('[data-kbg="print"]');
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () {
        window.print();
      });
    }
    var fit = document.querySelector('[data-kbg="fit"]');
    var diagram = document.querySelector(".kbg-diagram");
    if (fit && diagram) {
      fit.hidden = false;
      fit.addEventListener("click", function () {
        var actual = diagram.classList.toggle("kbg-actual-size");
        fit.textContent = actual ? "Fit to width" : "Actual size";
      });
    }
  }

  /* ---- the Triage page (search/render/triage_page.py) -------------------------------------
   * The priority comes from the embedded impact x urgency matrix, so it works on a static copy
   * of the site; category suggestions come from POST api/triage of the search service on the
   * same origin. Every text is set with textContent. */

  var NEEDS_SERVICE = "Category suggestions need the search service (kb serve); it does not answer here. The priority above works without it.";

  /* The priority id for the two answers, or null (mirrors search/content/triage.py triage_priority). */
  function triagePriority(matrix, impact, urgency) {
    if (!impact || !urgency || !has(matrix, impact) || !has(matrix[impact], urgency)) return null;
    return matrix[impact][urgency];
  }

  /* A category link from the API only if it cannot run script: http(s) or a path. */
  function safeHref(url) {
    if (typeof url !== "string") return null;
    var bare = url.replace(/^[\x00-\x20]+/, "");
    if (/^https?:\/\//i.test(bare)) return url;
    if (/^[a-z][a-z0-9+.\-]*:/i.test(bare.replace(/[\t\n\r]/g, "")) || /^[\/\\]{2}/.test(bare)) return null;
    return url;
  }

  function Triage(root, data) {
    this.root = root;
    this.data = data;
    this.sequence = 0;
    this.part = function (name) {
      return root.querySelector('[data-kbg="' + name + '"]');
    };
  }

  Triage.prototype.answer = function (name) {
    var select = this.part(name);
    return select ? select.value : "";
  };

  Triage.prototype.priority = function () {
    return triagePriority(this.data.matrix, this.answer("impact"), this.answer("urgency"));
  };

  Triage.prototype.renderPriority = function () {
    var box = this.part("priority");
    box.textContent = "";
    var pid = this.priority();
    var level = pid && has(this.data.levels, pid) ? this.data.levels[pid] : null;
    box.setAttribute("data-priority", level ? pid : "");
    if (!level) {
      var missing = !this.part("impact") ? "No priority matrix defined." : "Answer both priority questions (impact and urgency) to get the priority.";
      box.appendChild(el("p", "kbg-none", missing));
      return;
    }
    var head = el("p", "kbg-triage-level");
    head.appendChild(el("span", "kbg-prio kbg-prio--" + pid, pid));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("strong", "", level.name));
    box.appendChild(head);
    var facts = el("dl", "kbg-facts");
    [
      ["Ticket tool", level.zendesk, "zendesk"],
      ["First response", level.first_response, "first-response"],
      ["Resolution", level.resolution, "resolution"],
      ["Meaning", level.description, "description"],
    ].forEach(function (fact) {
      if (!fact[1]) return;
      facts.appendChild(el("dt", "", fact[0]));
      var value = el("dd", "", fact[1]);
      value.setAttribute("data-fact", fact[2]);
      facts.appendChild(value);
    });
    box.appendChild(facts);
  };

  Triage.prototype.status = function (message) {
    this.part("status").textContent = message;
  };

  Triage.prototype.showMessage = function (className, message) {
    var box = this.part("categories");
    box.textContent = "";
    box.appendChild(el("p", className, message));
    box.setAttribute("data-state", className === "kbg-triage-unavailable" ? "unavailable" : "message");
  };

  Triage.prototype.renderSuggestions = function (suggestions) {
    var self = this;
    var box = this.part("categories");
    box.textContent = "";
    box.setAttribute("data-state", "suggestions");
    if (!suggestions.length) {
      var none = el("p", "kbg-none", "No category matches; pick one on the ");
      var index = el("a", "", "Categories");
      index.href = this.data.categories_index;
      none.appendChild(index);
      none.appendChild(document.createTextNode(" page."));
      box.appendChild(none);
      return;
    }
    var list = el("ol", "kbg-triage-suggestions");
    suggestions.forEach(function (s) {
      var item = el("li");
      item.setAttribute("data-category", s.category);
      var href = has(self.data.categories, s.category) ? self.data.categories[s.category] : safeHref(s.url);
      var title = el(href ? "a" : "span", "kbg-triage-title", s.title);
      if (href) title.href = href;
      item.appendChild(title);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("code", "", s.category));
      var score = el("span", "kbg-triage-score", "score " + String(s.score));
      score.setAttribute("data-score", String(s.score));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(score);
      var matched = el("span", "kbg-triage-matched", "matched: ");
      (s.matched || []).forEach(function (term, i) {
        if (i) matched.appendChild(document.createTextNode(", "));
        matched.appendChild(el("code", "kbg-triage-term", term));
      });
      item.appendChild(matched);
      list.appendChild(item);
    });
    box.appendChild(list);
  };

  /* A problem+json answer of the search service: its detail, else its title. */
  function problemText(body) {
    if (body && typeof body.detail === "string" && body.detail) return body.detail;
    if (body && typeof body.title === "string" && body.title) return body.title;
    return "";
  }

  Triage.prototype.suggest = function () {
    var self = this;
    var subject = this.part("subject");
    if (!/\S/.test(subject.value)) {
      subject.setAttribute("aria-invalid", "true");
      this.status("Enter the ticket's subject.");
      subject.focus();
      return;
    }
    subject.removeAttribute("aria-invalid");
    var sequence = ++this.sequence; // the button stays enabled (and focused): a newer request wins
    this.part("categories").setAttribute("aria-busy", "true");
    this.status("Looking for categories…");
    var finish = function (render) {
      if (sequence !== self.sequence) return; // a newer request answers instead
      self.part("categories").removeAttribute("aria-busy");
      render();
    };
    var unavailable = function () {
      finish(function () {
        self.status("");
        self.showMessage("kbg-triage-unavailable", NEEDS_SERVICE);
      });
    };
    var body = JSON.stringify({ subject: subject.value, description: this.part("description").value, limit: this.data.limit });
    var request;
    try {
      request = window.fetch(this.data.api, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: body, credentials: "same-origin" });
    } catch (e) {
      unavailable();
      return;
    }
    request
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("json") !== -1) {
          return response.json().then(function (answer) {
            if (!answer || !Array.isArray(answer.categories)) return unavailable();
            finish(function () {
              var n = answer.categories.length;
              self.status(n ? n + (n === 1 ? " category suggested." : " categories suggested.") : "No category matches.");
              self.renderSuggestions(answer.categories);
            });
          });
        }
        if (type.indexOf("application/problem+json") !== -1) {
          return response.json().then(function (problem) {
            finish(function () {
              self.status("");
              self.showMessage("kbg-triage-error", "The search service could not suggest categories: " + (problemText(problem) || "error " + response.status) + ".");
            });
          });
        }
        unavailable(); // a static server: 404, 405, 501 or an HTML page
      })
      .catch(unavailable);
  };

  Triage.prototype.start = function () {
    var self = this;
    var form = this.part("triage-form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.suggest();
    });
    ["impact", "urgency"].forEach(function (name) {
      var select = self.part(name);
      if (select) select.addEventListener("change", function () {
        self.renderPriority();
      });
    });
    this.part("description").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        self.suggest();
      }
    });
    this.root.hidden = false;
    this.renderPriority();
  };

  function initTriage() {
    var root = document.querySelector('.kbg-triage[data-kbg="triage"]');
    var source = document.getElementById("kbg-triage-data");
    if (!root || !source) return null;
    var triage = new Triage(root, JSON.parse(source.textContent));
    triage.start();
    return triage;
  }

  function init() {
    var walks = [];
    Array.prototype.forEach.call(document.querySelectorAll(".kbg-walk[data-guide]"), function (root) {
      var source = document.getElementById("kbg-data-" + root.getAttribute("data-guide"));
      if (!source) return;
      var walk = new Walk(root, JSON.parse(source.textContent));
      walk.start();
      walks.push(walk);
    });
    if (walks.length) enhanceTools();
    window.kbGuides.walks = walks;
    window.kbGuides.triage = initTriage();
  }

  window.kbGuides = {
    assembleTranscript: assembleTranscript,
    oneLine: oneLine,
    triagePriority: triagePriority,
    walks: [],
    triage: null,
    /* The current walk of the page as plain data (tests and ticket-tool bookmarklets read it). */
    state: function () {
      var walk = window.kbGuides.walks[0];
      if (!walk) return null;
      return { guide: walk.data.guide, path: walk.path.slice(), current: walk.current, priority: walk.priority(), gathered: walk.gathered(), transcript: walk.transcript() };
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
