  /* Recording what happened during a walk: a note field under the current step's answers (saved
   * with the answer, with the local time it was given), the follow-up checks of a resolution
   * confirmed one by one, and the hand-off items of an escalation filled in. It keeps them with
   * the walk through the walk's hooks (20-walk.js: onWalkChange, stepData, store.extra), so they
   * survive reload and navigation, and they reach the transcript through walk.recorded() and
   * walk.leafRecord() (assembleTranscript's per-step records and leaf record). */

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

  /* `path` ([[node, choice], ...] of `guide`) with each step's record as a third element, as far
   * as the kept step data still belongs to the same answers (as stepData() keeps it). */
  Walk.prototype.recorded = function (guide, path) {
    var kept = this.store.steps[guide] || [];
    var same = true;
    return path.map(function (step, i) {
      var entry = kept[i];
      same = same && !!entry && entry.node === step[0] && entry.choice === step[1];
      return same ? [step[0], step[1], entry.data] : step;
    });
  };

  /* Just the records of `path` ({} where none was kept), for kbGuides.state(). */
  Walk.prototype.stepRecords = function (guide, path) {
    return this.recorded(guide, path).map(function (step) {
      return step[2] || {};
    });
  };

  Walk.prototype.recordKey = function () {
    return this.data.guide + "/" + this.current;
  };

  /* What was recorded at the current leaf: {confirmed: [check ids], handoff: {item id: value}}. */
  Walk.prototype.leafRecord = function () {
    var leaves = this.store.extra.leaves || (this.store.extra.leaves = {});
    var key = this.recordKey();
    return leaves[key] || (leaves[key] = { confirmed: [], handoff: {} });
  };

  /* The current leaf's checklist fragment (follow-up checks or hand-off items), or null. */
  function leafChecklist(walk) {
    var outcome = walk.data.transcript.outcomes[walk.current] || [];
    for (var i = 0; i < outcome.length; i++) if (typeof outcome[i] !== "string") return outcome[i];
    return null;
  }

  function drafts(walk) {
    return walk.store.extra.drafts || (walk.store.extra.drafts = {});
  }

  /* The note field under the answers: a draft kept per step until the step is answered; after
   * Back, the note recorded with that step's earlier answer. */
  function renderNote(walk) {
    var choices = walk.part("choices");
    if (!choices || !walk.choices().length) return;
    var key = walk.recordKey();
    var kept = (walk.store.steps[walk.data.guide] || [])[walk.path.length];
    var earlier = kept && kept.node === walk.current ? kept.data.note || "" : "";
    var label = el("label", "kbg-step-note", "Note on this step ");
    var input = el("input");
    input.type = "text";
    input.autocomplete = "off";
    input.placeholder = "optional: what you saw or did";
    input.setAttribute("data-kbg", "step-note");
    input.value = has(drafts(walk), key) ? drafts(walk)[key] : earlier;
    input.addEventListener("input", function () {
      drafts(walk)[key] = input.value;
      walk.save();
    });
    label.appendChild(input);
    choices.parentNode.insertBefore(label, choices.nextSibling);
  }

  function checkList(walk, items) {
    var record = walk.leafRecord();
    var list = el("ul", "kbg-checks kbg-record-checks");
    items.forEach(function (item) {
      var label = el("label");
      var tick = el("input");
      tick.type = "checkbox";
      tick.setAttribute("data-check-id", item.id);
      tick.checked = record.confirmed.indexOf(item.id) >= 0;
      tick.addEventListener("change", function () {
        var at = record.confirmed.indexOf(item.id);
        if (tick.checked && at < 0) record.confirmed.push(item.id);
        if (!tick.checked && at >= 0) record.confirmed.splice(at, 1);
        walk.save();
        walk.renderTranscript();
      });
      label.appendChild(tick);
      label.appendChild(document.createTextNode(" " + item.text));
      var li = el("li");
      li.appendChild(label);
      list.appendChild(li);
    });
    return list;
  }

  function handoffList(walk, items) {
    var record = walk.leafRecord();
    var list = el("ul", "kbg-checks kbg-record-handoff");
    items.forEach(function (item) {
      var label = el("label", null, item.text + " ");
      var input = el("input");
      input.type = "text";
      input.autocomplete = "off";
      input.setAttribute("data-handoff-id", item.id);
      input.value = has(record.handoff, item.id) ? record.handoff[item.id] : "";
      input.addEventListener("input", function () {
        record.handoff[item.id] = input.value;
        walk.save();
        walk.renderTranscript();
      });
      label.appendChild(input);
      var li = el("li");
      li.appendChild(label);
      list.appendChild(li);
    });
    return list;
  }

  /* At a leaf, its list (the step's own, copied from "All steps") becomes one to tick or fill in. */
  function renderLeaf(walk) {
    var list = leafChecklist(walk);
    if (!list) return;
    var current = walk.part("current");
    var shown = current.querySelector(".kbg-current-node .kbg-checks");
    var made = list.checklist === "confirm" ? checkList(walk, list.items) : handoffList(walk, list.items);
    if (shown) shown.parentNode.replaceChild(made, shown);
    else current.appendChild(made);
  }

  onWalkChange(function (walk, change) {
    if (change.type === "answer") {
      var step = walk.path[change.index];
      var old = (walk.store.steps[walk.data.guide] || [])[change.index];
      var earlier = old && old.node === step[0] ? old.data.note || "" : ""; // what the field showed without a draft
      var key = walk.data.guide + "/" + step[0];
      var typed = drafts(walk)[key];
      var data = walk.stepData(change.index);
      data.at = localIso(new Date());
      data.note = typed !== undefined ? typed : earlier;
      delete drafts(walk)[key];
      walk.save();
      walk.renderTranscript();
    }
    renderNote(walk);
    renderLeaf(walk);
  });

