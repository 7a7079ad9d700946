/* kb-guides: the step-through and decision-tree diagram on guide pages, and the Triage page. Plain
 * ES5-compatible script (plus fetch on the Triage page), no dependencies.
 *
 * The page already lists every node as a section (#node-<id>) whose HTML was rendered and
 * sanitized at build time; this script only copies those sections into the step-through and
 * builds buttons and text with textContent. The walk data and the transcript fragments come
 * from <script type="application/json" id="kbg-data-<guide>">; the decision-tree diagram is
 * drawn from the same data (SVG elements, text as text nodes).
 *
 * assembleTranscript() mirrors search/workflow/transcript.py assemble() line for line: the text
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

  /* "[HH:MM] " ("[YYYY-MM-DD HH:MM] " on a new day) from an ISO time as written; "" without one. */
  function stamp(at, previous) {
    if (!at) return "";
    var newDay = previous !== null && previous.slice(0, 10) !== at.slice(0, 10);
    return newDay ? "[" + at.slice(0, 10) + " " + at.slice(11, 16) + "] " : "[" + at.slice(11, 16) + "] ";
  }

  function checklistLines(entry, leaf) {
    var out = [];
    var confirmed = leaf.confirmed || [];
    var handoff = leaf.handoff || {};
    for (var i = 0; i < entry.items.length; i++) {
      var item = entry.items[i];
      if (entry.checklist === "confirm") {
        out.push("- [" + (confirmed.indexOf(item.id) >= 0 ? "x" : " ") + "] " + item.text);
      } else {
        var value = has(handoff, item.id) ? oneLine(handoff[item.id]) : "";
        out.push(value ? "- " + item.text + ": " + value : "- " + item.text);
      }
    }
    return out;
  }

  /* parts: fragments(guide, repo); path: [[nodeId, choice, {note, at}], ...] (the record is
   * optional); current: node id reached; priority: "P1".."P4" or ""/null; gathered: notes keyed by
   * the ids of parts.gather's items; leaf: {confirmed: [check ids], handoff: {item id: value}}. */
  function assembleTranscript(parts, path, current, priority, gathered, leaf) {
    var lines = parts.header.slice();
    var i;
    leaf = leaf || {};
    if (priority && has(parts.priorities, priority)) lines.push(parts.priorities[priority]);
    var notes = [];
    for (i = 0; i < parts.gather.length; i++) {
      var item = parts.gather[i];
      var value = has(gathered, item.id) ? gathered[item.id] : "";
      if (value && oneLine(value) !== "") notes.push("- " + item.text + ": " + oneLine(value));
    }
    if (notes.length) {
      lines.push("Information gathered:");
      lines = lines.concat(notes);
    }
    if (path.length) {
      lines.push("Steps:");
      var previous = null;
      for (i = 0; i < path.length; i++) {
        var record = path[i][2] || {};
        lines.push(i + 1 + ". " + stamp(record.at, previous) + parts.steps[path[i][0]][path[i][1]]);
        previous = record.at || previous;
        if (record.note && oneLine(record.note) !== "") lines.push("   Note: " + oneLine(record.note));
      }
    }
    var outcome = has(parts.outcomes, current) ? parts.outcomes[current] : IN_PROGRESS;
    for (i = 0; i < outcome.length; i++) {
      lines = lines.concat(typeof outcome[i] === "string" ? [outcome[i]] : checklistLines(outcome[i], leaf));
    }
    return lines.join("\n") + "\n";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

