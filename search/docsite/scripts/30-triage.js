  /* ---- the Triage page (search/render/triage_page.py) -------------------------------------
   * The priority comes from the embedded impact x urgency matrix, so it works on a static copy
   * of the site; guide and category suggestions come from POST api/triage of the search service
   * on the same origin; a guide's link carries the priority into its walk. Every text is set
   * with textContent. */

  var NEEDS_SERVICE = "Suggestions need the search service (kb serve); it does not answer here. The priority above works without it.";
  var NEEDS_KEY = "The search service here requires an API key, which the site's pages cannot send, so it suggests nothing here: use kb triage or your ticket tool's kb-guides app. The priority above works without it.";

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
    this.shown = null; // the answer on show (shown again when the priority changes)
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
    var box = this.part("suggestions");
    box.textContent = "";
    this.shown = null;
    box.appendChild(el("p", className, message));
    box.setAttribute("data-state", className === "kbg-triage-unavailable" ? "unavailable" : "message");
  };

  /* A percentage for people: 0.7279 -> "73%" (never "0%" or "100%" for an estimate). */
  function percent(value) {
    return Math.min(99, Math.max(1, Math.round(Number(value) * 100))) + "%";
  }

  /* The guide's page, with the priority the walk takes at its start (docs/adr/0031-links-into-a-walk.md). */
  Triage.prototype.guideHref = function (guide) {
    var href = this.data.guide_href.replace("__GUIDE__", encodeURIComponent(guide.id));
    var pid = this.priority();
    return pid ? href + "?priority=" + encodeURIComponent(pid) : href;
  };

  Triage.prototype.categoryLink = function (id, title, url) {
    var href = has(this.data.categories, id) ? this.data.categories[id] : safeHref(url);
    var link = el(href ? "a" : "span", "kbg-triage-category", title);
    if (href) link.href = href;
    return link;
  };

  /* A list of the answer's guides and categories at or above the noise floor: guides first, each
   * with its category (a link carrying the priority), then the categories with the words that
   * matched ("conect → connect": a corrected typo). No raw scores: one calibrated confidence. */
  Triage.prototype.renderSuggestions = function (answer) {
    var self = this;
    var floor = this.data.floor;
    var box = this.part("suggestions");
    box.textContent = "";
    box.setAttribute("data-state", "suggestions");
    this.shown = answer;
    var guides = (answer.guides || []).filter(function (g) {
      return g && typeof g.id === "string" && Number(g.score) >= floor;
    });
    var categories = answer.categories.filter(function (c) {
      return c && typeof c.category === "string" && Number(c.score) >= floor;
    });
    var confident = answer.confident === true && categories.length > 0;
    var verdict = el("p", confident ? "kbg-triage-confidence" : "kbg-triage-unsure");
    verdict.setAttribute("data-confident", confident ? "true" : "false");
    if (confident) {
      verdict.appendChild(document.createTextNode("Confidence " + percent(answer.confidence) + " that the first category is right."));
    } else {
      verdict.appendChild(el("strong", "", "No confident match."));
      verdict.appendChild(document.createTextNode(categories.length || guides.length ? " These are possibilities for you to judge, not an answer." : " Nothing matches well enough to suggest."));
    }
    box.appendChild(verdict);
    if (guides.length) {
      box.appendChild(el("h3", "", "Guides"));
      var list = el("ol", "kbg-triage-suggestions kbg-triage-guides");
      guides.forEach(function (g) {
        var item = el("li");
        item.setAttribute("data-guide", g.id);
        var title = el("a", "kbg-triage-title", String(g.title));
        title.href = self.guideHref(g);
        item.appendChild(title);
        if (typeof g.category === "string") {
          item.appendChild(document.createTextNode(" in "));
          var titles = self.data.category_titles;
          item.appendChild(self.categoryLink(g.category, has(titles, g.category) ? titles[g.category] : g.category, null));
        }
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    if (categories.length) {
      box.appendChild(el("h3", "", "Categories"));
      var cats = el("ol", "kbg-triage-suggestions kbg-triage-categories-list");
      categories.forEach(function (c) {
        var item = el("li");
        item.setAttribute("data-category", c.category);
        item.appendChild(self.categoryLink(c.category, String(c.title), c.url));
        var matched = (c.matched || []).filter(function (term) {
          return typeof term === "string";
        });
        if (matched.length) {
          var words = el("span", "kbg-triage-matched", " matched: ");
          matched.forEach(function (term, i) {
            if (i) words.appendChild(document.createTextNode(", "));
            words.appendChild(el("code", "kbg-triage-term", term.split("~").join(" → ")));
          });
          item.appendChild(words);
        }
        cats.appendChild(item);
      });
      box.appendChild(cats);
    }
    if (!confident) {
      var pick = el("p", "kbg-none", "Pick the category yourself on the ");
      var index = el("a", "", "Categories");
      index.href = this.data.categories_index;
      pick.appendChild(index);
      pick.appendChild(document.createTextNode(" page."));
      box.appendChild(pick);
    }
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
    this.part("suggestions").setAttribute("aria-busy", "true");
    this.status("Looking for guides…");
    var finish = function (render) {
      if (sequence !== self.sequence) return; // a newer request answers instead
      self.part("suggestions").removeAttribute("aria-busy");
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
              self.renderSuggestions(answer);
              var confident = self.part("suggestions").querySelector("[data-confident=true]");
              var n = self.part("suggestions").querySelectorAll("li[data-guide]").length;
              self.status(!confident ? "No confident match." : n ? n + (n === 1 ? " guide suggested." : " guides suggested.") : "No guide to suggest; see the categories.");
            });
          });
        }
        if (response.status === 401 || response.status === 403) {
          return finish(function () {
            self.status("");
            self.showMessage("kbg-triage-unavailable", NEEDS_KEY);
          });
        }
        if (type.indexOf("application/problem+json") !== -1) {
          return response.json().then(function (problem) {
            finish(function () {
              self.status("");
              self.showMessage("kbg-triage-error", "The search service could not suggest guides: " + (problemText(problem) || "error " + response.status) + ".");
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
        if (self.shown) self.renderSuggestions(self.shown); // the guide links carry the priority
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

