  /* Features that extend every walk (25-record.js adds itself): each is called with the new walk. */
  var WALK_FEATURES = [];

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
    this.leaf = { confirmed: [], handoff: {} }; // what was recorded at the leaf (25-record.js)
    this.listeners = { answer: [], current: [] };
    var self = this;
    WALK_FEATURES.forEach(function (feature) {
      feature(self);
    });
  }

  /* Hooks: "answer" gets the new step's record object ({note, at}) before the step is taken;
   * "current" runs after the current step is drawn. */
  Walk.prototype.on = function (name, listener) {
    this.listeners[name].push(listener);
  };

  Walk.prototype.emit = function (name, arg) {
    var self = this;
    this.listeners[name].forEach(function (listener) {
      listener.call(self, arg);
    });
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

  Walk.prototype.transcript = function () {
    return assembleTranscript(this.data.transcript, this.path, this.current, this.priority(), this.gathered(), this.leaf);
  };

  Walk.prototype.choices = function () {
    var node = this.data.nodes[this.current];
    return node && node.answers ? node.answers : [];
  };

  Walk.prototype.choose = function (index) {
    var choice = this.choices()[index];
    if (!choice || !choice[1] || !has(this.data.nodes, choice[1])) return;
    var record = {};
    this.emit("answer", record);
    this.path.push([this.current, choice[0], record]);
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

  Walk.prototype.label = function (choice, nodeId) {
    var node = this.data.nodes[nodeId];
    return node && node.type === "action" && has(this.data.labels, choice) ? this.data.labels[choice] : choice;
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
    this.emit("current");
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
      button.appendChild(el("span", "kbg-choice-label", self.label(choice[0], self.current)));
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
      button.appendChild(el("span", "kbg-path-a", self.label(step[1], step[0])));
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

