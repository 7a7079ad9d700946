  /* ---- the way in, and print (search/render/pages.py start_late and guide_list; kb-front.css) --
   * - the guide list: a filter over its table by category (sub-categories included) and tag,
   *   kept in the URL (?category=ID&tag=TAG) so a filtered list can be linked; without script the
   *   page's links jump to each category's and tag's own section instead;
   * - the Triage page opened from the start page's box (?subject=...): the subject filled in;
   * - printing a guide page: during a walk (an answer given or a note typed) the walked path, the
   *   notes and the transcript (html.kbg-print-walk), otherwise the compact checklist. */

  var PRINT_WALK = "kbg-print-walk";

  function initGuideFilter() {
    var form = document.querySelector('[data-kbg="guide-filter"]');
    if (!form) return;
    var category = form.querySelector('[data-kbg="filter-category"]');
    var tag = form.querySelector('[data-kbg="filter-tag"]');
    var status = form.querySelector('[data-kbg="filter-status"]');
    var rows = Array.prototype.slice.call(document.querySelectorAll('[data-kbg="guide-rows"] tr'));
    var params = new URLSearchParams(window.location.search);
    [[category, "category"], [tag, "tag"]].forEach(function (pair) {
      var wanted = params.get(pair[1]);
      Array.prototype.forEach.call(pair[0].options, function (option) {
        if (option.value === wanted) pair[0].value = wanted;
      });
    });
    function apply(keep) {
      var c = category.value;
      var t = tag.value;
      var shown = 0;
      rows.forEach(function (row) {
        var match =
          (!c || row.getAttribute("data-categories").split(" ").indexOf(c) >= 0) && (!t || JSON.parse(row.getAttribute("data-tags")).indexOf(t) >= 0);
        row.hidden = !match;
        if (match) shown++;
      });
      status.textContent = c || t ? shown + " of " + rows.length + " guides shown" : "";
      if (!keep) {
        var query = new URLSearchParams();
        if (c) query.set("category", c);
        if (t) query.set("tag", t);
        var search = query.toString();
        history.replaceState(history.state, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
      }
    }
    form.addEventListener("change", function () {
      apply(false);
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {
        apply(false); // after the form has reset its fields
      }, 0);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.hidden = false;
    apply(true);
  }

  function prefillTriage() {
    var subject = document.querySelector('[data-kbg="triage"] [data-kbg="subject"]');
    var given = new URLSearchParams(window.location.search).get("subject");
    if (!subject || !given || subject.value) return;
    subject.value = given;
    var next = document.querySelector('[data-kbg="triage"] select, [data-kbg="triage"] [data-kbg="submit"]');
    if (next) next.focus();
  }

  /* ---- print ---- */

  var printed = null; // the page's walk, once it has started

  function walkInProgress(walk) {
    var notes = walk.gathered();
    for (var id in notes) if (has(notes, id) && notes[id]) return true;
    return walk.path.length > 0 || walk.before.length > 0;
  }

  /* The transcript as print shows it: a <pre> beside the (screen-only) textarea, which print
   * would clip to its rows. */
  function printCopy(walk) {
    var pre = walk.root.querySelector(".kbg-print-transcript");
    if (!pre) {
      var area = walk.part("transcript");
      pre = el("pre", "kbg-print-transcript");
      (area.closest("label") || area).insertAdjacentElement("afterend", pre);
    }
    return pre;
  }

  function markForPrint() {
    if (!printed) return;
    var on = walkInProgress(printed);
    document.documentElement.classList.toggle(PRINT_WALK, on);
    printCopy(printed).textContent = on ? printed.transcript() : "";
    var button = document.querySelector('[data-kbg="print"]');
    if (button) button.textContent = on ? "Print this walk" : "Print checklist";
  }

  onWalkChange(function (walk) {
    printed = printed || walk;
    if (walk === printed) markForPrint();
  });
  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("kbg-gather-input")) markForPrint();
  });
  window.addEventListener("beforeprint", markForPrint);

  function initFront() {
    initGuideFilter();
    prefillTriage();
  }
