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

  /* Every edge between existing nodes: answers in the order written; an action's steps once each,
   * unlabelled where "done" goes, else named by its first outcome there ("Didn't help"). */
  function diagramEdges(nodes, labels) {
    var edges = [];
    Object.keys(nodes).forEach(function (id) {
      var node = nodes[id];
      var drawn = {};
      (node.answers || []).forEach(function (answer) {
        if (!answer[1] || !has(nodes, answer[1]) || (node.type === "action" && has(drawn, answer[1]))) return;
        drawn[answer[1]] = true;
        var label = node.type === "question" ? answer[0] : answer[0] === "done" ? "" : labels[answer[0]] || answer[0];
        edges.push({ source: id, target: answer[1], label: label, back: false });
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
    var edges = diagramEdges(data.nodes, data.labels || {});
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

