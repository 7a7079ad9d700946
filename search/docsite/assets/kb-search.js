/* kb-guides: one search (docs/adr/0030-one-search-in-the-site-box.md). Loaded before Material's
 * bundle, it stands in for the search worker Material starts (`new Worker(<search worker>)`)
 * and answers Material's messages (SETUP, READY, QUERY, RESULT) itself:
 *
 * - served by `kb serve` / `kb start` (http, same origin): each query goes to GET api/search, so
 *   the site box has the API's typo tolerance, synonyms and ranking; a guide hit whose query
 *   matches a step also lists that step (its link opens the walk there);
 * - the API does not answer (a plain static server, file://, an error) or asks for an API key:
 *   Material's own worker answers from the static index, as before; with a key required the
 *   results say why;
 * - opened as plain files (file://), where a browser starts no worker: Material's worker script
 *   runs in a hidden frame (kb-search-frame.js), over search/search_index.js, and hits link to
 *   each page's index.html (a browser opens no directory URL's index from files).
 *
 * Titles and snippets from the API are escaped here: Material inserts result text as HTML. */
(function () {
  "use strict";

  var NativeWorker = window.Worker;
  var nativePost = window.postMessage; // the frame replaces its own postMessage (kb-search-frame.js): call the browser's
  var script = document.currentScript;
  if (!NativeWorker || !script) return;
  var API = new URL("../../api/search", script.src).href; // this file is <site>/assets/kb-guides/
  var FRAME_SCRIPT = new URL("kb-search-frame.js", script.src).href;
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3; // Material's SearchMessageType
  var LIMIT = 20;
  var KEY_NEEDED = "The search service here requires an API key, which the site cannot send: these results come from the site's own index (exact words, no typo tolerance or synonyms).";
  var apiState = location.protocol === "file:" ? "off" : "unknown"; // unknown | up | off | key

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Plain text with [start, end) code point ranges marked (the API counts code points). */
  function marked(text, matches) {
    var chars = Array.from(String(text));
    var out = "";
    var at = 0;
    (matches || []).forEach(function (m) {
      if (typeof m.start !== "number" || typeof m.end !== "number" || m.start < at || m.end <= m.start) return;
      out += escapeHtml(chars.slice(at, m.start).join("")) + "<mark>" + escapeHtml(chars.slice(m.start, m.end).join("")) + "</mark>";
      at = m.end;
    });
    return out + escapeHtml(chars.slice(at).join(""));
  }

  /* An API link as an absolute URL (the API's are root-relative), only http(s). */
  function link(url) {
    try {
      var resolved = new URL(String(url), API);
      return /^https?:$/.test(resolved.protocol) ? resolved.href : null;
    } catch (e) {
      return null;
    }
  }

  /* GET api/search's answer as Material's result: one item list per hit, the guide first, then
   * its best step as a section. */
  function toResult(answer, query) {
    var terms = {};
    String(answer.corrected && answer.suggestion ? answer.suggestion : query)
      .toLowerCase()
      .split(/[^\w]+/)
      .forEach(function (word) {
        if (word) terms[word] = true;
      });
    var items = [];
    (answer.hits || []).forEach(function (hit) {
      var location = link(hit.url);
      if (!location) return;
      var group = [{ location: location, title: marked(hit.title, hit.title_matches), text: hit.snippet ? marked(hit.snippet.text, hit.snippet.matches) : "", score: hit.score, terms: terms }];
      var step = hit.step && link(hit.step.url);
      if (step && step.indexOf("#") !== -1) {
        group.push({ location: step, title: escapeHtml("Step " + hit.step.number + ": " + hit.step.text), text: group[0].text, score: hit.score, terms: terms });
      }
      items.push(group);
    });
    return { items: items };
  }

  /* A page's location in the static index as a file: a directory URL (guides/vpn/#node-x) names
   * its index.html, which a browser does not open by itself from plain files. */
  function fileLocation(location) {
    var at = location.indexOf("#");
    var path = at === -1 ? location : location.slice(0, at);
    if (path === "" || path.charAt(path.length - 1) === "/") path += "index.html";
    return at === -1 ? path : path + location.slice(at);
  }

  /* Material's own worker: a real one over http, the frame on file:// (no worker starts there). */
  function Fallback(url, receive) {
    if (location.protocol !== "file:") {
      var worker = new NativeWorker(url);
      worker.addEventListener("message", function (event) {
        receive(event.data);
      });
      this.send = function (message) {
        worker.postMessage(message);
      };
      return;
    }
    var frame = document.createElement("iframe");
    var queue = [];
    var ready = false;
    frame.hidden = true;
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.title = "Search index";
    frame.srcdoc = '<!doctype html><script src="' + escapeHtml(FRAME_SCRIPT) + '"></script><script src="' + escapeHtml(new URL(url, document.baseURI).href) + '"></script>';
    window.addEventListener("message", function (event) {
      if (event.source === frame.contentWindow && event.data && typeof event.data.type === "number") receive(event.data);
    });
    frame.addEventListener("load", function () {
      ready = true;
      queue.forEach(function (message) {
        nativePost.call(frame.contentWindow, message, "*");
      });
      queue = [];
    });
    (document.body || document.documentElement).appendChild(frame);
    this.send = function (message) {
      if (ready) nativePost.call(frame.contentWindow, message, "*");
      else queue.push(message);
    };
  }

  /* What Material takes for its search worker. */
  function SiteSearch(url) {
    var target = new EventTarget();
    var self = this;
    var latest = 0; // the newest query: older answers are dropped
    var waiting = []; // query numbers the fallback answers, in order
    var fallback = null;
    this.addEventListener = target.addEventListener.bind(target);
    this.removeEventListener = target.removeEventListener.bind(target);
    this.dispatchEvent = target.dispatchEvent.bind(target);
    this.terminate = function () {};

    function deliver(message) {
      self.dispatchEvent(new MessageEvent("message", { data: message }));
    }

    function fromFallback(message) {
      if (message.type === RESULT) {
        var number = waiting.shift();
        if (number !== latest) return;
        showNote(apiState === "key" ? KEY_NEEDED : "");
        if (location.protocol === "file:") message.data.items.forEach(function (group) {
          group.forEach(function (doc) {
            doc.location = fileLocation(doc.location);
          });
        });
      }
      deliver(message);
    }

    function toFallback(message, number) {
      if (!fallback) fallback = new Fallback(url, fromFallback);
      if (message.type === QUERY) waiting.push(number);
      fallback.send(message);
    }

    function ask(query, number) {
      fetch(API + "?q=" + encodeURIComponent(query) + "&limit=" + LIMIT, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (response.ok && type.indexOf("application/json") === 0) {
            return response.json().then(function (answer) {
              if (!answer || !Array.isArray(answer.hits)) throw new Error("not a search answer");
              apiState = "up";
              if (number !== latest) return;
              showNote("");
              deliver({ type: RESULT, data: toResult(answer, query) });
            });
          }
          if (response.status === 401 || response.status === 403) apiState = "key";
          else if (response.status !== 400) apiState = "off"; // 400: this query only (e.g. a lone quote)
          toFallback({ type: QUERY, data: query }, number);
        })
        ["catch"](function () {
          apiState = "off";
          toFallback({ type: QUERY, data: query }, number);
        });
    }

    this.postMessage = function (message) {
      if (!message || message.type !== QUERY) {
        toFallback(message); // SETUP: Material's worker builds the static index (and says READY)
        return;
      }
      var number = ++latest;
      var query = String(message.data || "");
      if ((apiState === "unknown" || apiState === "up") && /\S/.test(query)) ask(query, number);
      else toFallback(message, number);
    };
  }

  /* A line above the results when the site's own index answers because of the API key. */
  function showNote(text) {
    var meta = document.querySelector(".md-search-result__meta");
    if (!meta) return;
    var note = meta.parentNode.querySelector(".kbg-search-note");
    if (!text) {
      if (note) note.parentNode.removeChild(note);
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "kbg-search-note";
      note.setAttribute("role", "note");
      meta.parentNode.insertBefore(note, meta.nextSibling);
    }
    note.textContent = text;
  }

  window.Worker = function (url, options) {
    if (/\/workers\/search\.[\w.]*js$/.test(String(url))) return new SiteSearch(String(url));
    return new NativeWorker(url, options);
  };
  window.Worker.prototype = NativeWorker.prototype;
})();
