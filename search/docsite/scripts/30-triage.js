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

  /* unsure: the service found no confident match (confident false); the list is possibilities only. */
  Triage.prototype.renderSuggestions = function (suggestions, unsure) {
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
    if (unsure) box.appendChild(el("p", "kbg-triage-unsure", "No confident match: these categories are possibilities for you to judge, not an answer."));
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
              var unsure = n > 0 && answer.confident === false;
              self.status(unsure ? "No confident match." : n ? n + (n === 1 ? " category suggested." : " categories suggested.") : "No category matches.");
              self.renderSuggestions(answer.categories, unsure);
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

