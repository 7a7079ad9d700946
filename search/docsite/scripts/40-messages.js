  /* The messages at a walk's leaf (templates/messages.html): resolution note, closure message,
   * escalation note and escalation notice. Each message comes as parts (workflow/messages.py
   * site_messages): text, and slots this script fills from the walk (ticket fields, transcript,
   * the priority's values), so the copied text equals the walk API's and `kb walk`'s. The copy in
   * "All steps" keeps its {slots}; the one the walk shows (a clone of that section) is filled. */
  var ticketFields = { ticket_id: "", requester: "", technician: "" };

  function walkOf(node) {
    var walks = window.kbGuides ? window.kbGuides.walks : [];
    for (var i = 0; i < walks.length; i++) if (walks[i].root.contains(node)) return walks[i];
    return null;
  }

  function slotValue(part, slots) {
    return has(slots, part.slot) ? slots[part.slot] : "";
  }

  /* Python's messages._join: an optional phrase ({phrase: [...]}) is left out when one of its
   * slots is blank (oneLine gives "", as str.strip() does with Python's whitespace). */
  function joinParts(parts, slots) {
    var out = "";
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (typeof part === "string") out += part;
      else if (part.phrase) {
        var filled = part.phrase.every(function (p) {
          return typeof p === "string" || oneLine(slotValue(p, slots)) !== "";
        });
        if (filled) out += joinParts(part.phrase, slots);
      } else out += slotValue(part, slots);
    }
    return out;
  }

  /* Every slot value for the walk's state: Python's transcript.rstrip("\n"), the ticket's fields
   * as one line each (messages.values_for) and the values of the priority chosen ("" when none). */
  function messageSlots(walk, data) {
    var slots = { transcript: walk.transcript().replace(/\n+$/, "") };
    Object.keys(ticketFields).forEach(function (name) {
      slots[name] = oneLine(ticketFields[name]);
    });
    var priority = walk.priority() || "";
    Object.keys(data.values).forEach(function (name) {
      var byPriority = data.values[name];
      slots[name] = has(byPriority, priority) ? byPriority[priority] : "";
    });
    return slots;
  }

  function messageText(block, kind) {
    var walk = walkOf(block);
    if (!walk) return null;
    var data = JSON.parse(block.querySelector(".kbg-messages-data").textContent);
    var slots = messageSlots(walk, data);
    for (var i = 0; i < data.messages.length; i++) {
      var message = data.messages[i];
      if (message.kind === kind) return { subject: message.subject ? joinParts(message.subject, slots) : null, body: joinParts(message.body, slots) };
    }
    return null;
  }

  function renderMessages(block) {
    if (!walkOf(block)) return;
    Array.prototype.forEach.call(block.querySelectorAll("[data-kbg-ticket]"), function (input) {
      if (input !== document.activeElement) input.value = ticketFields[input.getAttribute("data-kbg-ticket")];
    });
    Array.prototype.forEach.call(block.querySelectorAll(".kbg-message"), function (section) {
      var text = messageText(block, section.getAttribute("data-kind"));
      var subject = section.querySelector('[data-kbg-message-part="subject"]');
      if (subject) subject.textContent = text.subject;
      section.querySelector('[data-kbg-message-part="body"]').textContent = text.body;
      section.querySelector("[data-kbg-copy-message]").hidden = false;
    });
  }

  function renderAllMessages() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-kbg="current"] [data-kbg-messages]'), renderMessages);
  }

  function copyText(text, done) {
    var fallback = function () {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      document.body.removeChild(area);
      done(ok);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () {
        done(true);
      }, fallback);
    } else {
      fallback();
    }
  }

  function initMessages() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-kbg-copy-message]") : null;
      if (!button) return;
      var section = button.closest(".kbg-message");
      var block = button.closest("[data-kbg-messages]");
      var text = messageText(block, section.getAttribute("data-kind"));
      if (!text) return;
      var status = section.querySelector(".kbg-status");
      copyText(text.body, function (ok) {
        button.textContent = ok ? "Copied" : "Copy failed";
        status.textContent = ok ? "" : "Select the text below and copy it (Ctrl+C).";
      });
    });
    var refresh = function (event) {
      var target = event.target;
      if (target && target.getAttribute && target.hasAttribute("data-kbg-ticket")) {
        ticketFields[target.getAttribute("data-kbg-ticket")] = target.value;
      }
      renderAllMessages();
    };
    document.addEventListener("input", refresh);
    document.addEventListener("change", refresh);
    if (window.MutationObserver) {
      var observer = new MutationObserver(renderAllMessages);
      Array.prototype.forEach.call(document.querySelectorAll('[data-kbg="current"]'), function (box) {
        observer.observe(box, { childList: true });
      });
    }
  }

  // Before 90-init.js starts the walks, so the observers see their first render.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initMessages);
  else initMessages();
