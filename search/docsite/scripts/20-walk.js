  /* The step-through. Its state lives in the page's URL and in sessionStorage, so it survives
   * reload, Back/Forward, a visit to an article and a link node into another guide:
   *
   * - the URL (?walk=TOKEN) holds the answers and the revision of each guide walked, one history
   *   entry per step (Back undoes a step); TOKEN is the resume link `kb walk --resume` reads
   *   (search/workflow/resume.py formats and parses it the same way);
   * - sessionStorage holds the rest under the walk's first guide: priority, notes per guide,
   *   per-step data (see onWalkChange), nothing else; nothing is sent anywhere.
   *
   * Decision record: docs/adr/0019-walk-state-in-the-url.md. */

  var WALK_PARAM = "walk";
  var PRIORITY_PARAM = "priority"; // the walk's priority, set by a link (the Triage page)
  var STORE_PREFIX = "kbg-walk:";
  var walkListeners = [];

  /* Hook for other parts of the page script (e.g. the recording of notes and times): `listener`
   * is called as listener(walk, change) after every change of a walk, once it is rendered.
   * change.type: "start" (first render, state restored), "answer" (change.index = the step just
   * answered), "back", "goto", "restart", "history" (Back/Forward or a restored link),
   * "priority". Per-step data: walk.stepData(index) is a plain object kept with the step (saved
   * with walk.save(), dropped when that step is undone and answered differently); walk.store.extra
   * is a plain object for walk-wide data. Both live in sessionStorage with the walk. */
  function onWalkChange(listener) {
    walkListeners.push(listener);
  }

  /* ---- resume tokens: guide@revision:answer,answer/guide@revision:... (every part percent-encoded) */

  function encodeToken(segments) {
    return segments
      .map(function (s) {
        return encodeURIComponent(s.guide) + "@" + encodeURIComponent(s.revision) + ":" + s.answers.map(encodeURIComponent).join(",");
      })
      .join("/");
  }

  /* The segments of a token, or null when it is not one. */
  function decodeToken(token) {
    var segments = [];
    var parts = token.split("/");
    for (var i = 0; i < parts.length; i++) {
      var m = /^([^@:,\/]+)@([^@:,\/]*):([^@:\/]*)$/.exec(parts[i]);
      if (!m) return null;
      try {
        segments.push({
          guide: decodeURIComponent(m[1]),
          revision: decodeURIComponent(m[2]),
          answers: m[3] === "" ? [] : m[3].split(",").map(decodeURIComponent),
        });
      } catch (e) {
        return null; // a malformed percent escape
      }
    }
    return segments;
  }

  function paramIn(search, name) {
    var m = new RegExp("(?:^|[?&])" + name + "=([^&#]*)").exec(search);
    return m ? m[1] : null;
  }

  function tokenIn(search) {
    return paramIn(search, WALK_PARAM);
  }

  /* `search` with parameter `name` set to `value` (removed when value is ""). */
  function withParam(search, name, value) {
    var kept = search
      .replace(/^\?/, "")
      .split("&")
      .filter(function (p) {
        return p !== "" && p.split("=")[0] !== name;
      });
    if (value) kept.push(name + "=" + value);
    return kept.length ? "?" + kept.join("&") : "";
  }

  function withToken(search, token) {
    return withParam(search, WALK_PARAM, token);
  }

  /* The shortest list of [node, answer] steps from the start to `target` (breadth first, answers
   * in their order), or null when it cannot be reached. */
  function routeTo(data, target) {
    var routes = {};
    routes[data.start] = [];
    var queue = [data.start];
    while (queue.length) {
      var id = queue.shift();
      if (id === target) return routes[id];
      var node = data.nodes[id];
      (node && node.answers ? node.answers : []).forEach(function (answer) {
        if (answer[1] && has(data.nodes, answer[1]) && !has(routes, answer[1])) {
          routes[answer[1]] = routes[id].concat([[id, answer[0]]]);
          queue.push(answer[1]);
        }
      });
    }
    return null;
  }

  /* Follow `answers` over a guide's walk data from its start while each answer is offered (the
   * same rule as search/workflow/walk.py replay()): {path, current, applied}. */
  function replayAnswers(data, answers) {
    var path = [];
    var current = data.start;
    for (var i = 0; i < answers.length; i++) {
      var node = data.nodes[current];
      var offered = node && node.answers ? node.answers : [];
      var match = null;
      for (var j = 0; j < offered.length && !match; j++) if (offered[j][0] === answers[i]) match = offered[j];
      for (j = 0; j < offered.length && !match; j++) if (offered[j][0].toLowerCase() === String(answers[i]).trim().toLowerCase()) match = offered[j];
      if (!match || !has(data.nodes, match[1])) break;
      path.push([current, match[0]]);
      current = match[1];
    }
    return { path: path, current: current, applied: path.length };
  }

  function guideHref(data, guide) {
    return data.guideHref.replace("__GUIDE__", guide);
  }

  /* A guide's walk data, read from its page (earlier guides of a walk that went through a link). */
  function fetchWalkData(data, guide) {
    return fetch(guideHref(data, guide), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var source = doc.getElementById("kbg-data-" + guide);
        if (!source) throw new Error("no walk data");
        return JSON.parse(source.textContent);
      });
  }

  function readStore(key) {
    try {
      var raw = window.sessionStorage.getItem(key);
      var value = raw ? JSON.parse(raw) : null;
      if (value && typeof value === "object") return value;
    } catch (e) {
      /* storage off or a damaged entry: start with an empty one */
    }
    return null;
  }

  function Walk(root, data) {
    this.root = root;
    this.data = data;
    this.path = [];
    this.current = data.start;
    this.before = []; // earlier guides of this walk: {guide, revision, answers, data and replay once read}
    this.loading = Promise.resolve(); // settles when the earlier guides are read
    this.notice = null; // {text, actions: [[label, fn]]} shown above the step
    this.part = function (name) {
      return root.querySelector('[data-kbg="' + name + '"]');
    };
    this.gatherInputs = Array.prototype.slice.call(document.querySelectorAll(".kbg-gather-input"));
    this.diagram = drawDiagram(data); // before render() marks the current node in it
    this.useStore(data.guide);
  }

  /* The sessionStorage record of the walk that started in guide `first`. */
  Walk.prototype.useStore = function (first) {
    this.storeKey = STORE_PREFIX + first;
    var store = readStore(this.storeKey) || {};
    this.store = {
      priority: typeof store.priority === "string" ? store.priority : "",
      gathered: store.gathered && typeof store.gathered === "object" ? store.gathered : {},
      steps: store.steps && typeof store.steps === "object" ? store.steps : {},
      extra: store.extra && typeof store.extra === "object" ? store.extra : {},
      token: typeof store.token === "string" ? store.token : "",
    };
  };

  Walk.prototype.save = function () {
    try {
      window.sessionStorage.setItem(this.storeKey, JSON.stringify(this.store));
    } catch (e) {
      /* storage full or off: the URL still holds the answers */
    }
  };

  Walk.prototype.emit = function (type, index) {
    var self = this;
    walkListeners.forEach(function (listener) {
      listener(self, { type: type, index: index });
    });
  };

  /* Per-step data of this guide's step `index` (see onWalkChange). */
  Walk.prototype.stepData = function (index) {
    var steps = this.store.steps[this.data.guide] || (this.store.steps[this.data.guide] = []);
    var step = this.path[index];
    var entry = steps[index];
    if (!entry || entry.node !== step[0] || entry.choice !== step[1]) {
      steps.length = index; // a different answer from here on: what was kept for the old one goes
      entry = steps[index] = { node: step[0], choice: step[1], data: {} };
    }
    return entry.data;
  };

  Walk.prototype.section = function (nodeId) {
    var heading = document.getElementById(this.data.anchor + nodeId);
    return heading ? heading.closest(".kbg-node") : null;
  };

  Walk.prototype.priority = function () {
    return this.part("priority").value;
  };

  /* What the technician noted, keyed by gather item id (as the walk API takes it). */
  Walk.prototype.gathered = function () {
    var notes = {};
    this.gatherInputs.forEach(function (input) {
      notes[input.getAttribute("data-gather-id")] = input.value;
    });
    return notes;
  };

  Walk.prototype.segments = function () {
    var own = {
      guide: this.data.guide,
      revision: this.data.revision,
      answers: this.path.map(function (step) {
        return step[1];
      }),
    };
    return this.before.concat([own]);
  };

  Walk.prototype.token = function () {
    if (!this.before.length && !this.path.length) return "";
    return encodeToken(this.segments());
  };

  /* The link to paste into the ticket: this page with the walk's answers and revisions. */
  Walk.prototype.resumeLink = function () {
    return location.origin + location.pathname + withToken(location.search, encodeToken(this.segments()));
  };

  /* This guide's transcript, after those of the guides walked before it (one blank line apart,
   * as search/workflow/resume.py chain_text() joins them). */
  Walk.prototype.transcript = function () {
    var self = this;
    var texts = [];
    this.before.forEach(function (s) {
      if (s.data) texts.push(assembleTranscript(s.data.transcript, self.recorded(s.guide, s.replay.path), s.replay.current, self.priority(), self.store.gathered[s.guide] || {}));
    });
    texts.push(assembleTranscript(this.data.transcript, this.recorded(this.data.guide, this.path), this.current, this.priority(), this.gathered(), this.leafRecord()));
    return texts.join("\n");
  };

  Walk.prototype.choices = function () {
    var node = this.data.nodes[this.current];
    return node && node.answers ? node.answers : [];
  };

  /* Where the walk continues at a link leaf: the linked guide's page with this walk's token. */
  Walk.prototype.continueHref = function () {
    var node = this.data.nodes[this.current];
    if (!node || node.type !== "link" || !node.revision) return null;
    var next = { guide: node.guide, revision: node.revision, answers: [] };
    return guideHref(this.data, node.guide) + withToken("", encodeToken(this.segments().concat([next])));
  };

  Walk.prototype.choose = function (index) {
    var choice = this.choices()[index];
    if (!choice || !choice[1] || !has(this.data.nodes, choice[1])) return;
    this.path.push([this.current, choice[0]]);
    this.current = choice[1];
    this.changed("answer", this.path.length - 1);
  };

  Walk.prototype.back = function () {
    if (!this.path.length) {
      var last = this.before[this.before.length - 1];
      if (last) location.assign(guideHref(this.data, last.guide) + withToken("", encodeToken(this.before))); // back into the guide that linked here
      return;
    }
    this.current = this.path.pop()[0];
    this.changed("back");
  };

  Walk.prototype.goTo = function (index) {
    this.current = this.path[index][0];
    this.path = this.path.slice(0, index);
    this.changed("goto", index);
  };

  Walk.prototype.restart = function () {
    this.path = [];
    this.current = this.data.start;
    this.notice = null;
    this.changed("restart");
  };

  /* After a change made here: one new history entry, saved, rendered, listeners told. */
  Walk.prototype.changed = function (type, index) {
    var token = this.token();
    var url = location.pathname + withToken(location.search, token) + location.hash;
    if (tokenIn(location.search) !== (token || null)) history.pushState({ kbgWalk: token }, "", url);
    this.store.token = token;
    this.save();
    this.render(true);
    this.emit(type, index);
  };

  /* Take the walk from the URL: on load, Back/Forward and a pasted resume link. */
  Walk.prototype.restore = function (onLoad) {
    var self = this;
    var token = tokenIn(location.search);
    this.notice = null;
    this.path = [];
    this.current = this.data.start;
    if (!token) {
      this.before = [];
      this.useStore(this.data.guide);
      if (onLoad) this.offerStored();
      return;
    }
    var segments = decodeToken(token);
    var own = segments && segments[segments.length - 1];
    if (!own || own.guide !== this.data.guide) {
      this.before = [];
      this.notice = { text: "The walk link is damaged or belongs to another guide; the walk starts at step 1.", actions: [] };
      return;
    }
    var earlier = segments.slice(0, -1);
    this.useStore(earlier.length ? earlier[0].guide : this.data.guide);
    if (!this.sameBefore(earlier)) {
      this.before = earlier.map(function (s) {
        return { guide: s.guide, revision: s.revision, answers: s.answers, data: null, replay: null };
      });
      this.loadBefore();
    }
    var replay = replayAnswers(this.data, own.answers);
    if (own.revision !== this.data.revision) {
      this.offerReplay(own, replay);
      return;
    }
    this.path = replay.path;
    this.current = replay.current;
    if (replay.applied < own.answers.length) {
      var text = "The walk link has answers this guide does not offer; it was followed as far as they apply (" + replay.applied + " of " + own.answers.length + ").";
      this.notice = { text: text, actions: [["Restart", function () { self.restart(); }]] };
    }
  };

  Walk.prototype.sameBefore = function (earlier) {
    var mine = this.before;
    return (
      earlier.length === mine.length &&
      earlier.every(function (s, i) {
        return s.guide === mine[i].guide && s.revision === mine[i].revision && s.answers.join("\u0000") === mine[i].answers.join("\u0000");
      })
    );
  };

  /* A link recorded against another revision of this guide: say so, offer replay or restart. */
  Walk.prototype.offerReplay = function (own, replay) {
    var self = this;
    var text = "This walk was recorded on revision " + own.revision + " of the guide; it is now revision " + this.data.revision + ". ";
    text += replay.applied + " of the " + own.answers.length + " answers still apply.";
    var actions = [];
    if (replay.applied) {
      actions.push([
        "Replay " + replay.applied + (replay.applied === 1 ? " answer" : " answers"),
        function () {
          self.path = replay.path;
          self.current = replay.current;
          self.notice = null;
          self.changed("history");
        },
      ]);
    }
    actions.push([
      "Restart",
      function () {
        self.restart();
      },
    ]);
    this.notice = { text: text, actions: actions, stale: true };
  };

  /* What a link into the guide asks for at page load (docs/adr/0031-links-into-a-walk.md):
   * ?priority=P2 (the Triage page) becomes the walk's priority; #node-<id> without a walk in the
   * URL (a search hit on a step) opens the walk at that step, by the shortest path from the start,
   * which Back, the path list or Restart change. The URL then holds the walk's token instead. */
  Walk.prototype.followLink = function () {
    var self = this;
    var search = location.search;
    var hash = location.hash;
    var pid = paramIn(search, PRIORITY_PARAM);
    if (pid !== null) {
      pid = decodeURIComponent(pid);
      var known = (this.data.priorities || []).some(function (level) {
        return level[0] === pid;
      });
      if (known) this.store.priority = pid;
      search = withParam(search, PRIORITY_PARAM, "");
    }
    var prefix = "#" + this.data.anchor;
    var target = hash.indexOf(prefix) === 0 ? decodeURIComponent(hash.slice(prefix.length)) : null;
    var route = target && !tokenIn(search) && has(this.data.nodes, target) ? routeTo(this.data, target) : null;
    if (route && route.length) {
      this.path = route;
      this.current = target;
      hash = ""; // the walk shows the step: no scroll down to its section in "All steps"
      var text = "Opened at step " + this.data.nodes[target].step + " from a link: the path shows the shortest way there; change an answer with Back or the path, or start over.";
      this.notice = { text: text, actions: [["Restart", function () { self.restart(); }]] };
    }
    if (pid === null && !(route && route.length)) return false;
    var token = this.token();
    history.replaceState({ kbgWalk: token }, "", location.pathname + withToken(search, token) + hash);
    this.store.token = token;
    this.save();
    return !!(route && route.length);
  };

  /* Without a walk in the URL: a walk of this guide left earlier in this tab can be resumed. */
  Walk.prototype.offerStored = function () {
    var self = this;
    var segments = this.store.token ? decodeToken(this.store.token) : null;
    if (!segments || segments.length !== 1 || !segments[0].answers.length) return;
    this.notice = {
      text: "You left a walk of this guide after " + segments[0].answers.length + (segments[0].answers.length === 1 ? " step." : " steps."),
      actions: [
        [
          "Resume it",
          function () {
            history.pushState({ kbgWalk: self.store.token }, "", location.pathname + withToken(location.search, self.store.token));
            self.restore();
            self.render(true);
            self.emit("history");
          },
        ],
      ],
    };
  };

  /* The guides walked before this one, from their pages' walk data: their answers must still
   * lead to the link into the next guide (older revisions are replayed as far as they apply). */
  Walk.prototype.loadBefore = function () {
    var self = this;
    var before = this.before;
    this.loading = Promise.all(
      before.map(function (segment, i) {
        return fetchWalkData(self.data, segment.guide)
          .then(function (data) {
            var replay = replayAnswers(data, segment.answers);
            var next = before[i + 1] || { guide: self.data.guide };
            var leaf = data.nodes[replay.current];
            if (!leaf || leaf.type !== "link" || leaf.guide !== next.guide) throw new Error("does not lead here");
            if (self.before !== before) return; // the walk moved on meanwhile
            segment.data = data;
            segment.replay = replay;
            self.renderTranscript();
            self.renderPath();
          })
          ["catch"](function () {
            if (self.before !== before) return;
            self.notice = { text: 'The steps walked before, in the guide "' + segment.guide + '", no longer lead here; they are left out of the transcript.', actions: [] };
            self.renderNotice();
          });
      })
    );
  };

  Walk.prototype.label = function (choice, nodeId) {
    var node = this.data.nodes[nodeId];
    return node && node.type === "action" && has(this.data.labels, choice) ? this.data.labels[choice] : choice;
  };

  /* The step: its title, the answers right under it (the first screen), then its text, help and
   * outcome, copied from the step's section in "All steps". */
  Walk.prototype.renderCurrent = function () {
    var box = this.part("current");
    var node = this.data.nodes[this.current];
    box.textContent = "";
    var section = this.section(this.current);
    var title = el("p", "kbg-current-title");
    var copy = null;
    if (section) {
      copy = section.cloneNode(true);
      var heading = copy.querySelector("h3");
      while (heading.firstChild) title.appendChild(heading.firstChild);
      copy.removeChild(heading);
      var answers = copy.querySelector(".kbg-answers");
      if (answers) answers.parentNode.removeChild(answers);
      Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (n) {
        n.removeAttribute("id");
      });
      copy.classList.add("kbg-current-node");
      this.filterSla(copy);
      var onward = this.continueHref();
      var link = copy.querySelector(".kbg-outcome--link a");
      if (onward && link) link.href = onward; // the same walk goes on there, as with the Continue button
    } else {
      title.textContent = node ? node.title : this.current;
    }
    var step = el("div", "kbg-current-head");
    step.appendChild(title);
    var choices = el("div", "kbg-choices");
    choices.setAttribute("data-kbg", "choices");
    choices.setAttribute("role", "group");
    choices.setAttribute("aria-label", "Choices");
    step.appendChild(choices);
    box.appendChild(step);
    if (copy && copy.querySelector(".kbg-node-body").childNodes.length) box.appendChild(copy);
    box.setAttribute("data-node", this.current);
    box.setAttribute("data-type", node ? node.type : "question");
  };

  Walk.prototype.filterSla = function (scope) {
    var priority = this.priority();
    Array.prototype.forEach.call(scope.querySelectorAll("tr[data-priority]"), function (row) {
      row.hidden = !!priority && row.getAttribute("data-priority") !== priority;
    });
  };

  Walk.prototype.choiceButton = function (index, label, onClick, primary) {
    var button = el("button", "md-button kbg-choice" + (primary ? " md-button--primary" : ""));
    button.type = "button";
    if (index < 9) button.appendChild(el("kbd", "kbg-choice-key", String(index + 1)));
    button.appendChild(el("span", "kbg-choice-label", label));
    button.addEventListener("click", onClick);
    return button;
  };

  Walk.prototype.renderChoices = function () {
    var self = this;
    var box = this.part("choices");
    var choices = this.choices();
    choices.forEach(function (choice, index) {
      var button = self.choiceButton(index, self.label(choice[0], self.current), function () {
        self.choose(index);
      });
      button.setAttribute("data-choice", choice[0]);
      box.appendChild(button);
    });
    if (choices.length) return;
    var node = this.data.nodes[this.current] || {};
    var onward = this.continueHref();
    if (onward) {
      var link = this.choiceButton(0, "Continue in " + node.target, function () {
        location.assign(onward);
      }, true);
      link.setAttribute("data-kbg-continue", node.guide);
      box.appendChild(link);
      box.appendChild(el("p", "kbg-finished", "The walk, its notes and its transcript go on in the linked guide."));
      return;
    }
    box.appendChild(el("p", "kbg-finished", "End of the guide. Copy the transcript into the ticket."));
    var copy = el("button", "md-button md-button--primary kbg-copy-end", "Copy for the ticket");
    copy.type = "button";
    copy.addEventListener("click", function () {
      self.copy(copy);
    });
    box.appendChild(copy);
  };

  Walk.prototype.renderNotice = function () {
    var box = this.part("notice");
    box.textContent = "";
    box.hidden = !this.notice;
    if (!this.notice) return;
    box.classList.toggle("kbg-notice--stale", !!this.notice.stale);
    box.appendChild(el("p", "kbg-notice-text", this.notice.text));
    var self = this;
    this.notice.actions.forEach(function (action, i) {
      var button = el("button", "md-button" + (i === 0 ? " md-button--primary" : ""), action[0]);
      button.type = "button";
      button.addEventListener("click", function () {
        action[1].call(self);
      });
      box.appendChild(button);
    });
  };

  Walk.prototype.pathItem = function (label, answer, onClick) {
    var item = el("li");
    var button = el("button", "kbg-path-step");
    button.type = "button";
    button.title = "Go back to this step";
    button.appendChild(el("span", "kbg-path-q", label));
    button.appendChild(el("span", "kbg-path-a", answer));
    button.addEventListener("click", onClick);
    item.appendChild(button);
    return item;
  };

  Walk.prototype.renderPath = function () {
    var self = this;
    var list = this.part("path");
    list.textContent = "";
    this.before.forEach(function (segment, i) {
      var title = segment.data ? segment.data.title : segment.guide;
      var steps = segment.answers.length;
      var item = el("li", "kbg-path-guide");
      var link = el("a", "", title + " (" + steps + (steps === 1 ? " step)" : " steps)"));
      link.href = guideHref(self.data, segment.guide) + withToken("", encodeToken(self.before.slice(0, i + 1)));
      item.appendChild(link);
      list.appendChild(item);
    });
    this.path.forEach(function (step, index) {
      var node = self.data.nodes[step[0]];
      list.appendChild(
        self.pathItem("Step " + node.step + ": " + node.title, self.label(step[1], step[0]), function () {
          self.goTo(index);
        })
      );
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
    this.part("priority").value = this.store.priority;
    var gathered = this.store.gathered[this.data.guide] || {};
    this.gatherInputs.forEach(function (input) {
      var id = input.getAttribute("data-gather-id");
      if (has(gathered, id) && input.value !== gathered[id]) input.value = gathered[id];
    });
    this.renderNotice();
    this.renderCurrent();
    this.renderChoices();
    this.renderPath();
    this.renderDiagram();
    this.renderTranscript();
    this.part("back").disabled = !this.path.length && !this.before.length;
    if (moveFocus) this.part("current").focus({ preventScroll: false });
  };

  Walk.prototype.copyText = function (text, button, okText, status) {
    var self = this;
    var area = this.part("transcript");
    var done = function (ok) {
      self.part("status").textContent = ok ? status : "Select the text and copy it (Ctrl+C).";
      if (button) button.textContent = ok ? okText : "Copy failed: use the text below";
    };
    var fallback = function () {
      var scratch = area;
      var keep = area.value;
      scratch.value = text;
      scratch.focus();
      scratch.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      if (keep !== text) scratch.value = keep;
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

  Walk.prototype.copy = function (button) {
    var text = this.transcript();
    this.part("transcript").value = text;
    this.copyText(text, button, "Copied", "Copied. Paste it into the ticket as an internal note.");
  };

  Walk.prototype.onKey = function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT" || (target && target.isContentEditable)) return;
    if (/^[1-9]$/.test(event.key)) {
      var index = Number(event.key) - 1;
      var buttons = this.part("choices").querySelectorAll(".kbg-choice");
      if (index < buttons.length) {
        event.preventDefault();
        buttons[index].click();
      }
    } else if (event.key === "Backspace" && (this.path.length || this.before.length)) {
      event.preventDefault();
      this.back();
    }
  };

  Walk.prototype.start = function (keys) {
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
    var link = this.part("copy-link");
    link.addEventListener("click", function () {
      self.copyText(self.resumeLink(), link, "Link copied", "Copied. Paste the link into the ticket to resume this walk later.");
    });
    this.part("priority").addEventListener("change", function () {
      self.store.priority = self.priority();
      self.save();
      self.renderCurrent();
      self.renderChoices();
      self.renderTranscript();
      self.emit("priority");
    });
    this.gatherInputs.forEach(function (input) {
      input.addEventListener("input", function () {
        var notes = self.store.gathered[self.data.guide] || (self.store.gathered[self.data.guide] = {});
        notes[input.getAttribute("data-gather-id")] = input.value;
        self.save();
        self.renderTranscript();
      });
    });
    if (keys) {
      document.addEventListener("keydown", function (event) {
        self.onKey(event);
      });
    }
    window.addEventListener("popstate", function () {
      if (tokenIn(location.search) === (self.token() || null)) return; // an anchor within the page
      self.restore();
      self.store.token = self.token();
      self.save();
      self.render(false);
      self.emit("history");
    });
    this.root.hidden = false;
    this.restore(true);
    var jumped = this.followLink();
    this.render(jumped);
    this.emit("start");
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
