  /* Recording what happened during a walk: a note field for the current step (saved with the
   * answer, with the local time it was given), the follow-up checks of a resolution confirmed one
   * by one, and the hand-off items of an escalation filled in. Everything lands in the transcript
   * through the walk's record (path[i][2] = {note, at}; walk.leaf = {confirmed, handoff}). */

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  /* The local wall-clock time with its UTC offset, e.g. 2026-12-02T14:02:31+01:00 (the
   * transcript prints it as written: [14:02]). */
  function localIso(date) {
    var offset = -date.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return (
      date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) +
      "T" + two(date.getHours()) + ":" + two(date.getMinutes()) + ":" + two(date.getSeconds()) +
      sign + two(Math.floor(offset / 60)) + ":" + two(offset % 60)
    );
  }

  /* The leaf's checklist fragment (follow-up checks or hand-off items), or null. */
  function leafChecklist(walk) {
    var outcome = walk.data.transcript.outcomes[walk.current] || [];
    for (var i = 0; i < outcome.length; i++) if (typeof outcome[i] !== "string") return outcome[i];
    return null;
  }

  function Recorder(walk) {
    var self = this;
    this.walk = walk;
    this.box = el("div", "kbg-record");
    this.box.setAttribute("data-kbg", "record");
    var label = el("label", "kbg-step-note", "Note on this step (optional) ");
    this.note = el("input");
    this.note.type = "text";
    this.note.autocomplete = "off";
    this.note.setAttribute("data-kbg", "step-note");
    label.appendChild(this.note);
    this.box.appendChild(label);
    var choices = walk.part("choices");
    choices.parentNode.insertBefore(this.box, choices.nextSibling);
    walk.on("answer", function (record) {
      record.at = localIso(new Date());
      record.note = self.note.value;
      self.note.value = "";
    });
    walk.on("current", function () {
      self.render();
    });
  }

  Recorder.prototype.render = function () {
    this.box.hidden = !this.walk.choices().length;
    var list = leafChecklist(this.walk);
    if (!list) return;
    var current = this.walk.part("current");
    var shown = current.querySelectorAll(".kbg-checks");
    var old = shown.length ? shown[shown.length - 1] : null; // the leaf's own list: follow-up checks or hand-off items
    var made = list.checklist === "confirm" ? this.checks(list.items) : this.handoff(list.items);
    if (old) old.parentNode.replaceChild(made, old);
    else current.appendChild(made);
  };

  Recorder.prototype.checks = function (items) {
    var walk = this.walk;
    var box = el("ul", "kbg-checks kbg-record-checks");
    items.forEach(function (item) {
      var li = el("li");
      var label = el("label");
      var tick = el("input");
      tick.type = "checkbox";
      tick.setAttribute("data-check-id", item.id);
      tick.checked = walk.leaf.confirmed.indexOf(item.id) >= 0;
      tick.addEventListener("change", function () {
        var at = walk.leaf.confirmed.indexOf(item.id);
        if (tick.checked && at < 0) walk.leaf.confirmed.push(item.id);
        if (!tick.checked && at >= 0) walk.leaf.confirmed.splice(at, 1);
        walk.renderTranscript();
      });
      label.appendChild(tick);
      label.appendChild(document.createTextNode(" " + item.text));
      li.appendChild(label);
      box.appendChild(li);
    });
    return box;
  };

  Recorder.prototype.handoff = function (items) {
    var walk = this.walk;
    var box = el("ul", "kbg-checks kbg-record-handoff");
    items.forEach(function (item) {
      var li = el("li");
      var label = el("label", null, item.text + " ");
      var input = el("input");
      input.type = "text";
      input.autocomplete = "off";
      input.setAttribute("data-handoff-id", item.id);
      input.value = has(walk.leaf.handoff, item.id) ? walk.leaf.handoff[item.id] : "";
      input.addEventListener("input", function () {
        walk.leaf.handoff[item.id] = input.value;
        walk.renderTranscript();
      });
      label.appendChild(input);
      li.appendChild(label);
      box.appendChild(li);
    });
    return box;
  };

  WALK_FEATURES.push(function (walk) {
    walk.recorder = new Recorder(walk);
  });

