/* kb-guides: the step-through on guide pages and the Triage page. Plain ES5-compatible script
 * (plus fetch on the Triage page), no dependencies.
 *
 * The page already lists every node as a section (#node-<id>) whose HTML was rendered and
 * sanitized at build time; this script only copies those sections into the step-through and
 * builds buttons and text with textContent. The walk data and the transcript fragments come
 * from <script type="application/json" id="kbg-data-<guide>">.
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

  function Walk(root, data) {
    this.root = root;
    this.data = data;
    this.path = [];
    this.current = data.start;
    this.part = function (name) {
      return root.querySelector('[data-kbg="' + name + '"]');
    };
    this.gatherInputs = Array.prototype.slice.call(document.querySelectorAll(".kbg-gather-input"));
    this.diagram = document.querySelector(".kbg-diagram svg");
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
