/*
 * kb-guides sidebar app (Zendesk Apps framework v2, support.ticket_sidebar).
 *
 * Reads the open ticket through ZAFClient, asks the kb-guides API (through client.request, so
 * Zendesk's proxy adds the secure api_key setting and the key never reaches the browser) for the
 * category, the guides and their steps, walks a guide's tree with the same stateless walk API as
 * the site, and inserts the transcript and the message for the user into the ticket's editor.
 * Every text from the ticket or the API is set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  var TICKET_FIELDS = [
    "ticket.id",
    "ticket.subject",
    "ticket.description",
    "ticket.tags",
    "ticket.priority",
    "ticket.requester.name",
    "currentUser.name"
  ];
  var ZENDESK_PRIORITIES = ["urgent", "high", "normal", "low"];
  var MAX_QUERY = 200; // ticket subject used to rank the category's guides
  var FIRST_STEPS = 3;

  var client = null;
  var state = {
    base: "",
    ticket: {},
    categories: [],
    suggestions: [],
    tagCategory: null,
    diagnosis: null,
    guide: null,
    answers: [],
    walk: null
  };

  // -- DOM helpers -----------------------------------------------------------------------------

  function part(name) {
    return document.querySelector('[data-kbz="' + name + '"]');
  }

  function make(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(name, visible) {
    part(name).hidden = !visible;
  }

  function button(text, onClick, className) {
    var b = make("button", text, className);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function setStatus(text, isError) {
    var status = part("status");
    status.textContent = text || "";
    status.classList.toggle("kbz-error", !!isError);
    status.hidden = !text;
    resize();
  }

  function busy(on) {
    part("app").setAttribute("aria-busy", on ? "true" : "false");
  }

  function resize() {
    if (!client) return;
    var height = Math.min(Math.max(document.documentElement.scrollHeight, 80), 2000);
    client.invoke("resize", { width: "100%", height: height + "px" });
  }

  function focus(name) {
    var node = part(name);
    if (node && typeof node.focus === "function") node.focus();
  }

  // -- the kb-guides API through ZAF's proxy -----------------------------------------------------

  function ApiError(status, problem) {
    this.status = status || 0;
    this.problem = problem || {};
    this.message = describeProblem(this.status, this.problem);
  }

  function describeProblem(status, problem) {
    if (status === 401 || status === 403) {
      return "The kb-guides service refused the app's API key (" + status + "): check the api_key setting.";
    }
    var text = problem.detail || problem.title;
    if (text) return String(text) + (status ? " (" + status + ")" : "");
    return status ? "The kb-guides service answered " + status + "." : "The kb-guides service could not be reached.";
  }

  function bodyOf(response) {
    if (!response || typeof response !== "object") return response;
    if (!("responseText" in response) && !("responseJSON" in response)) return response;
    if (response.responseJSON !== undefined && response.responseJSON !== null) return response.responseJSON;
    try {
      return JSON.parse(response.responseText);
    } catch (err) {
      return null;
    }
  }

  function api(method, path, body) {
    var options = {
      url: state.base + path,
      type: method,
      headers: { Authorization: "Bearer {{setting.api_key}}", Accept: "application/json" },
      secure: true, // Zendesk's proxy fills {{setting.api_key}}; the browser never sees it
      cors: false,
      dataType: "json",
      httpCompleteResponse: true
    };
    if (body !== undefined) {
      options.contentType = "application/json";
      options.data = JSON.stringify(body);
    }
    return client.request(options).then(
      function (response) {
        var status = response && typeof response === "object" ? response.status : undefined;
        if (status >= 400) throw new ApiError(status, bodyOf(response));
        return bodyOf(response);
      },
      function (failure) {
        throw new ApiError(failure && failure.status, bodyOf(failure));
      }
    );
  }

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (key) {
      if (params[key]) parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(params[key]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function list(body, key) {
    // a plain list, or one page of a paginated answer
    var items = body && (body[key] || body.items || body.data);
    return Array.isArray(items) ? items : [];
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function siteUrl(url) {
    // site URLs in answers are absolute (KB_SITE_URL) or relative to the service, which serves the site
    try {
      return safeUrl(new URL(String(url), state.base + "/").href);
    } catch (err) {
      return null;
    }
  }

  // -- the ticket: category and priority --------------------------------------------------------

  function depth(categoryId) {
    return String(categoryId).split("/").length;
  }

  function categoryFromTags(categories, tags) {
    var best = null;
    tags.forEach(function (tag) {
      categories.forEach(function (category) {
        var tagged = category.id === tag || (category.zendesk_tags || []).indexOf(tag) >= 0;
        if (tagged && (!best || depth(category.id) > depth(best.id))) best = { id: category.id, tag: tag };
      });
    });
    return best;
  }

  function triageText() {
    var subject = String(state.ticket.subject || "").trim();
    var description = String(state.ticket.description || "").trim();
    if (!subject && !description) return null;
    return { subject: (subject || description).slice(0, 1000), description: description.slice(0, 20000), limit: 3 };
  }

  function categoryTitle(id) {
    for (var i = 0; i < state.categories.length; i++) {
      if (state.categories[i].id === id) return state.categories[i].title;
    }
    return id;
  }

  function renderTicket(chosen) {
    var select = part("category");
    clear(select);
    var none = make("option", "Choose a category…");
    none.value = "";
    select.appendChild(none);
    var seen = {};
    function option(parent, id, label) {
      var item = make("option", label);
      item.value = id;
      parent.appendChild(item);
      seen[id] = true;
    }
    var suggested = make("optgroup");
    suggested.label = "Suggested";
    if (state.tagCategory) option(suggested, state.tagCategory.id, categoryTitle(state.tagCategory.id) + " (ticket tag)");
    state.suggestions.forEach(function (s) {
      if (!seen[s.category]) option(suggested, s.category, s.title || categoryTitle(s.category));
    });
    if (suggested.children.length) select.appendChild(suggested);
    var all = make("optgroup");
    all.label = "All categories";
    state.categories.forEach(function (c) {
      if (!seen[c.id]) option(all, c.id, c.title + " (" + c.id + ")");
    });
    if (all.children.length) select.appendChild(all);
    select.value = chosen || "";

    var source = part("category-source");
    if (state.tagCategory && chosen === state.tagCategory.id) {
      source.textContent = 'From the ticket tag "' + state.tagCategory.tag + '".';
    } else if (state.suggestions.length && chosen === state.suggestions[0].category) {
      var matched = state.suggestions[0].matched || [];
      source.textContent = "Suggested from the ticket's text" + (matched.length ? " (matched: " + matched.join(", ") + ")." : ".");
    } else {
      source.textContent = chosen ? "Chosen by you." : "No category found: choose one.";
    }
    show("ticket", true);
  }

  function loadTicket() {
    setStatus("Reading the ticket…");
    return Promise.all([client.metadata(), client.get(TICKET_FIELDS)]).then(function (results) {
      var settings = (results[0] && results[0].settings) || {};
      var base = String(settings.api_url || "").replace(/\/+$/, "");
      if (!safeUrl(base)) throw new Error("Set the kb-guides service URL (api_url) in the app's settings.");
      state.base = base;
      var data = results[1] || {};
      state.ticket = {
        id: data["ticket.id"],
        subject: data["ticket.subject"] || "",
        description: data["ticket.description"] || "",
        tags: Array.isArray(data["ticket.tags"]) ? data["ticket.tags"] : [],
        priority: data["ticket.priority"] || "",
        requester: data["ticket.requester.name"] || "",
        technician: data["currentUser.name"] || ""
      };
    });
  }

  function suggestCategory() {
    setStatus("Finding the category…");
    return api("GET", "/api/categories")
      .then(function (body) {
        state.categories = list(body, "categories");
        state.tagCategory = categoryFromTags(state.categories, state.ticket.tags);
        // a tag that names a category decides; triage (which costs more) only for untagged tickets
        var text = state.tagCategory ? null : triageText();
        return text ? api("POST", "/api/triage", text) : null;
      })
      .then(function (triage) {
        state.suggestions = list(triage, "categories");
        var chosen = state.tagCategory ? state.tagCategory.id : state.suggestions.length ? state.suggestions[0].category : "";
        var priority = String(state.ticket.priority).toLowerCase();
        part("priority").value = ZENDESK_PRIORITIES.indexOf(priority) >= 0 ? priority : "";
        renderTicket(chosen);
        return chosen;
      });
  }

  // -- the diagnosis: guides and first steps -----------------------------------------------------

  function priority() {
    return part("priority").value;
  }

  function diagnose() {
    var category = part("category").value;
    show("guides", false);
    show("guide", false);
    show("walk", false);
    show("outcome", false);
    if (!category) {
      setStatus("Choose a category to see its guides.");
      return Promise.resolve();
    }
    setStatus("Loading the guides…");
    busy(true);
    var params = { category: category, priority: priority(), q: String(state.ticket.subject || "").slice(0, MAX_QUERY) };
    return api("GET", "/api/diagnose" + query(params))
      .catch(function (err) {
        // the subject only ranks the guides: a subject the search cannot parse is left out
        if (err.status === 400 && params.q) return api("GET", "/api/diagnose" + query({ category: category, priority: priority() }));
        throw err;
      })
      .then(function (diagnosis) {
        state.diagnosis = diagnosis;
        renderDiagnosis(diagnosis);
        setStatus("");
      })
      .catch(fail)
      .then(function () {
        busy(false);
      });
  }

  function renderDiagnosis(diagnosis) {
    var level = diagnosis.priority;
    part("sla").textContent =
      level && level.sla
        ? level.id + " " + level.name + ": first response within " + level.sla.first_response + ", resolution within " + level.sla.resolution + "."
        : "";
    var guides = list(diagnosis, "guides");
    var items = part("guide-list");
    clear(items);
    guides.forEach(function (guide) {
      var item = make("li");
      item.setAttribute("data-guide", guide.id);
      item.appendChild(
        button(guide.title, function () {
          selectGuide(guide);
          focus("guide-title");
        }, "kbz-link")
      );
      if (guide.summary) item.appendChild(make("p", guide.summary, "kbz-note"));
      items.appendChild(item);
    });
    show("no-guides", !guides.length);
    var articles = part("articles");
    clear(articles);
    list(diagnosis, "articles").forEach(function (article) {
      var url = siteUrl(article.url);
      if (!url) return;
      var link = make("a", article.title);
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      var item = make("li");
      item.appendChild(link);
      articles.appendChild(item);
    });
    show("articles-heading", articles.children.length > 0);
    show("guides", true);
    if (guides.length) selectGuide(guides[0]);
    resize();
  }

  function gatherItems(guide) {
    return guide.gather_items || [];
  }

  function selectGuide(guide) {
    state.guide = guide;
    state.answers = [];
    state.walk = null;
    part("guide-title").textContent = guide.title;
    part("guide-summary").textContent = guide.summary || "";
    var steps = part("first-steps");
    clear(steps);
    (guide.steps || []).slice(0, FIRST_STEPS).forEach(function (step) {
      steps.appendChild(make("li", step.text));
    });
    var fields = part("gather-fields");
    clear(fields);
    gatherItems(guide).forEach(function (item, index) {
      var id = "kbz-gather-" + index;
      var label = make("label", item.text, "kbz-label");
      label.htmlFor = id;
      var input = make("input");
      input.id = id;
      input.type = "text";
      input.className = "kbz-gather-input";
      input.setAttribute("data-gather-id", item.id);
      fields.appendChild(label);
      fields.appendChild(input);
    });
    show("gather", gatherItems(guide).length > 0);
    Array.prototype.forEach.call(part("guide-list").children, function (li) {
      li.classList.toggle("kbz-current", li.getAttribute("data-guide") === guide.id);
    });
    show("guide", true);
    show("walk", false);
    show("outcome", false);
    resize();
  }

  // notes keyed by the gather item's stable id, so an author's reordering moves nothing
  function gathered() {
    var notes = {};
    Array.prototype.forEach.call(document.querySelectorAll(".kbz-gather-input"), function (input) {
      if (input.value.trim()) notes[input.getAttribute("data-gather-id")] = input.value;
    });
    return notes;
  }

  // -- the walk ------------------------------------------------------------------------------------

  function ticketDetails() {
    var details = {};
    if (state.ticket.id !== undefined && state.ticket.id !== null) details.ticket_id = String(state.ticket.id).slice(0, 100);
    if (state.ticket.requester) details.requester = String(state.ticket.requester).slice(0, 200);
    if (state.ticket.technician) details.technician = String(state.ticket.technician).slice(0, 200);
    return details;
  }

  function walkBody(answers) {
    return {
      answers: answers,
      revision: state.guide.revision,
      priority: priority() || null,
      gathered: gathered(),
      ticket: ticketDetails()
    };
  }

  function step(answers) {
    // the walk is stateless: the answers so far go with every request and count once answered
    busy(true);
    setStatus("");
    return api("POST", "/api/guides/" + encodeURIComponent(state.guide.id) + "/walk", walkBody(answers))
      .then(function (walk) {
        state.answers = answers;
        state.walk = walk;
        if (walk.finished) renderOutcome(walk);
        else renderNode(walk);
      })
      .catch(function (err) {
        var stale = err.status === 409 && /stale-revision$/.test(String(err.problem.type || ""));
        if (stale && err.problem.current_revision && err.problem.current_revision !== state.guide.revision) {
          // the guide changed since this walk started: start again on the current tree
          state.guide.revision = err.problem.current_revision;
          return step([]).then(function () {
            setStatus("The guide changed while you walked it; it started again from the first step.", true);
          });
        }
        fail(err);
      })
      .then(function () {
        busy(false);
      });
  }

  function choiceLabel(node, choice) {
    return node.type === "action" && choice === "done" ? "Done" : choice;
  }

  function renderNode(walk) {
    var node = walk.current;
    part("step-heading").textContent = "Step " + (state.answers.length + 1) + (node.type === "action" ? ": do this" : ": ask or check");
    part("node-text").textContent = node.text || "";
    part("node-help").textContent = node.help || "";
    var choices = part("choices");
    clear(choices);
    (node.choices || []).forEach(function (choice) {
      choices.appendChild(
        button(choiceLabel(node, choice), function () {
          step(state.answers.concat([choice]));
        })
      );
    });
    part("back").disabled = state.answers.length === 0;
    show("guide", false);
    show("outcome", false);
    show("walk", true);
    focus("node-text");
    resize();
  }

  function outcomeTitle(outcome) {
    if (outcome.type === "resolution") return "Resolved";
    if (outcome.type === "escalation") {
      var step = outcome.escalation || { team: outcome.step };
      return "Escalate to " + step.team + (step.tier ? " (" + step.tier + ")" : "");
    }
    return "Continue in another guide";
  }

  function outcomeItems(outcome) {
    if (outcome.type === "resolution") {
      return (outcome.follow_up || []).map(function (check) {
        return "Check before closing: " + check;
      });
    }
    if (outcome.type === "escalation") {
      var items = [];
      var protocol = outcome.escalation || {};
      if (protocol.queue) items.push("Queue: " + protocol.queue);
      if (protocol.contact) items.push("Contact: " + protocol.contact);
      return items.concat(
        (outcome.handoff || []).map(function (item) {
          return "Hand over: " + item;
        })
      );
    }
    return [];
  }

  function message(walk, kind) {
    var messages = walk.messages || {};
    return messages[kind] && messages[kind].body ? messages[kind].body : "";
  }

  function renderOutcome(walk) {
    var outcome = walk.outcome || { type: "resolution" };
    part("outcome-title").textContent = outcomeTitle(outcome);
    part("outcome-text").textContent = outcome.text || "";
    var items = part("outcome-items");
    clear(items);
    outcomeItems(outcome).forEach(function (text) {
      items.appendChild(make("li", text));
    });
    var next = part("continue");
    next.hidden = outcome.type !== "link";
    if (outcome.type === "link") next.textContent = "Continue with guide " + outcome.guide;

    // the internal note: the escalation hand-off (which holds the transcript) or the transcript
    part("note").textContent = message(walk, "escalation") || walk.transcript || "";
    show("note-box", outcome.type !== "link");
    var reply = message(walk, "resolution");
    part("reply").textContent = reply;
    show("reply-box", !!reply);
    show("escalate-box", outcome.type === "escalation");
    part("escalate").disabled = false;

    show("walk", false);
    show("guide", false);
    show("outcome", true);
    focus("outcome-title");
    resize();
  }

  function continueWith(guideId) {
    busy(true);
    return api("GET", "/api/guides/" + encodeURIComponent(guideId))
      .then(function (guide) {
        selectGuide(guide);
        focus("guide-title");
      })
      .catch(fail)
      .then(function () {
        busy(false);
      });
  }

  // -- into the ticket -----------------------------------------------------------------------------

  function insert(type, text, done) {
    return client
      .set("ticket.comment.type", type)
      .then(function () {
        return client.invoke("ticket.comment.appendText", text);
      })
      .then(function () {
        setStatus(done);
      })
      .catch(function (err) {
        setStatus("Could not insert into the ticket: " + (err && err.message ? err.message : err), true);
      });
  }

  function escalate() {
    var ticketId = state.ticket.id;
    if (ticketId === undefined || ticketId === null) {
      setStatus("Save the ticket first: a new ticket cannot be escalated yet.", true);
      return Promise.resolve();
    }
    part("escalate").disabled = true;
    busy(true);
    var body = walkBody(state.answers);
    body.guide_id = state.guide.id;
    return api("POST", "/api/integrations/zendesk/tickets/" + encodeURIComponent(String(ticketId)) + "/escalate", body)
      .then(function (answer) {
        answer = answer || {};
        if (answer.status === "duplicate") setStatus("This escalation was already sent; nothing is sent twice.");
        else if (answer.group_id) setStatus("Escalation queued: the ticket goes to the " + (answer.step || "escalation") + " group with the hand-off note.");
        else setStatus("Escalation queued: the hand-off note goes into the ticket; route it to the team by hand.");
      })
      .catch(function (err) {
        part("escalate").disabled = false;
        if (err.status === 404 || err.status === 405) {
          setStatus("This kb-guides service cannot escalate tickets (" + err.status + "): route the ticket by hand.", true);
        } else fail(err);
      })
      .then(function () {
        busy(false);
      });
  }

  // -- start ---------------------------------------------------------------------------------------

  function fail(err) {
    setStatus(err && err.message ? err.message : String(err), true);
  }

  function wire() {
    part("category").addEventListener("change", function () {
      part("category-source").textContent = "Chosen by you.";
      diagnose();
    });
    part("priority").addEventListener("change", diagnose);
    function back() {
      step(state.answers.slice(0, -1));
    }
    function restart() {
      step([]);
    }
    part("start").addEventListener("click", restart);
    part("back").addEventListener("click", back);
    part("outcome-back").addEventListener("click", back);
    part("restart").addEventListener("click", restart);
    part("outcome-restart").addEventListener("click", restart);
    part("continue").addEventListener("click", function () {
      if (state.walk && state.walk.outcome) continueWith(state.walk.outcome.guide);
    });
    part("insert-note").addEventListener("click", function () {
      insert("internalNote", part("note").textContent, "Inserted as an internal note: review it and submit the ticket.");
    });
    part("insert-reply").addEventListener("click", function () {
      insert("publicReply", part("reply").textContent, "Inserted as a public reply: review it and submit the ticket.");
    });
    part("escalate").addEventListener("click", escalate);
  }

  function start() {
    client = ZAFClient.init();
    wire();
    busy(true);
    loadTicket()
      .then(suggestCategory)
      .then(diagnose)
      .catch(fail)
      .then(function () {
        busy(false);
      });
  }

  if (typeof ZAFClient === "undefined") {
    setStatus("The Zendesk Apps framework did not load: open this app inside Zendesk.", true);
  } else {
    start();
  }
})();
