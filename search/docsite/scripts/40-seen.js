  /* "Changed since you last opened it": a guide or article page shows its content version
   * (data-kb-version, data-kb-doc); the version last shown is kept per document in this
   * browser's localStorage, and only there. When the page now shows another version, a note
   * says so, once: opening the page again records the version as seen. */
  function noteChangedSinceLastVisit() {
    var shown = document.querySelector("[data-kb-version][data-kb-doc]");
    if (!shown) return null;
    var key = "kbg-seen:" + shown.getAttribute("data-kb-doc");
    var version = shown.getAttribute("data-kb-version");
    var seen = null;
    try {
      seen = window.localStorage.getItem(key);
      window.localStorage.setItem(key, version);
    } catch (e) {
      return null; /* storage off (private mode, policy): say nothing */
    }
    if (seen === null || seen === version) return false;
    var note = document.createElement("p");
    note.className = "kbg-banner kbg-banner--changed";
    note.setAttribute("role", "note");
    var strong = document.createElement("strong");
    strong.textContent = "Changed since you last opened it.";
    note.appendChild(strong);
    note.appendChild(document.createTextNode(" This page has been updated since your last visit; the What changed page lists each change."));
    var meta = shown.parentNode;
    meta.parentNode.insertBefore(note, meta.nextSibling);
    return true;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", noteChangedSinceLastVisit);
  else noteChangedSinceLastVisit();

