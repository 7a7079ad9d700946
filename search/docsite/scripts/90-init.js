  function init() {
    enhanceAccessibility();
    var walks = [];
    Array.prototype.forEach.call(document.querySelectorAll(".kbg-walk[data-guide]"), function (root) {
      var source = document.getElementById("kbg-data-" + root.getAttribute("data-guide"));
      if (!source) return;
      var walk = new Walk(root, JSON.parse(source.textContent));
      walk.start(!walks.length); // number keys answer the page's (first) walk from page load
      walks.push(walk);
    });
    if (walks.length) enhanceTools();
    window.kbGuides.walks = walks;
    window.kbGuides.triage = initTriage();
    initFront();
  }

  window.kbGuides = {
    assembleTranscript: assembleTranscript,
    oneLine: oneLine,
    triagePriority: triagePriority,
    onWalkChange: onWalkChange,
    walks: [],
    triage: null,
    /* The current walk of the page as plain data (tests and ticket-tool bookmarklets read it). */
    state: function () {
      var walk = window.kbGuides.walks[0];
      if (!walk) return null;
      return {
        guide: walk.data.guide,
        path: walk.path.slice(),
        current: walk.current,
        priority: walk.priority(),
        gathered: walk.gathered(),
        before: walk.before.map(function (s) {
          return { guide: s.guide, revision: s.revision, answers: s.answers.slice(), records: s.replay ? walk.stepRecords(s.guide, s.replay.path) : [] };
        }),
        records: walk.stepRecords(walk.data.guide, walk.path), // {note, at} per step (25-record.js)
        leaf: walk.leafRecord(),
        token: walk.token(),
        resumeLink: walk.resumeLink(),
        notice: walk.notice ? walk.notice.text : null,
        transcript: walk.transcript(),
      };
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
