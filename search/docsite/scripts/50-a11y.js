
  /* Accessibility fixes that need the page as Material's script leaves it. */

  /* Material wraps each Markdown table in a sideways-scrolling box. When a table is wider than
   * the screen, that box is made focusable (so the keyboard can scroll it) and named after the
   * table's caption or heading, and a visible cue says there is more: a line above it and a
   * fade on the side with hidden columns. Re-checked when the width changes. */
  function tableName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) return oneLine(caption.textContent);
    for (var node = wrap.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) return oneLine(node.textContent.replace(/\u00b6/g, ""));
    }
    return "Table";
  }

  function scrollCue(wrap) {
    var hint = wrap.previousElementSibling;
    if (!hint || !hint.classList.contains("kbg-scroll-hint")) {
      hint = document.createElement("p");
      hint.className = "kbg-scroll-hint";
      hint.textContent = "Wider than the screen: scroll sideways for every column.";
      hint.setAttribute("aria-hidden", "true"); // the region's name says it
      wrap.parentNode.insertBefore(hint, wrap);
    }
    return hint;
  }

  function updateTable(wrap) {
    var wide = wrap.scrollWidth > wrap.clientWidth + 1;
    var name = tableName(wrap);
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", wide ? name + " (table, scrolls sideways)" : name + " (table)");
    if (wide) wrap.setAttribute("tabindex", "0");
    else wrap.removeAttribute("tabindex");
    var hint = scrollCue(wrap);
    hint.hidden = !wide;
    var left = wrap.scrollLeft > 1;
    var right = wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1;
    wrap.classList.toggle("kbg-more-left", wide && left);
    wrap.classList.toggle("kbg-more-right", wide && right);
  }

  function enhanceTables() {
    var wraps = document.querySelectorAll(".md-typeset .md-typeset__scrollwrap");
    var update = function () {
      Array.prototype.forEach.call(wraps, updateTable);
    };
    Array.prototype.forEach.call(wraps, function (wrap) {
      wrap.addEventListener("scroll", function () {
        updateTable(wrap);
      });
    });
    window.addEventListener("resize", update);
    update();
  }

  /* Preformatted text that is not code (a leaf's messages) scrolls when long: a named region
   * the keyboard can reach, as Material makes its code blocks. Done before the walk copies the
   * leaf's section into the step-through, so the copy has it too. */
  function enhancePreformatted() {
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset pre"), function (pre) {
      if (pre.querySelector("code") || pre.hasAttribute("tabindex")) return;
      var holder = pre.closest(".kbg-message");
      var title = holder && holder.querySelector(".kbg-message-title");
      pre.setAttribute("tabindex", "0");
      pre.setAttribute("role", "region");
      pre.setAttribute("aria-label", title ? oneLine(title.textContent) : "Preformatted text");
    });
  }

  /* Material's search dialog has no accessible name: it takes the search box's. */
  function nameSearchDialog() {
    var dialog = document.querySelector('.md-search[role="dialog"]');
    var input = dialog && dialog.querySelector(".md-search__input");
    if (dialog && input && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", input.getAttribute("aria-label") || "Search");
  }

  function enhanceAccessibility() {
    enhanceTables();
    enhancePreformatted();
    nameSearchDialog();
  }
