/* kb-guides: runs first in the hidden frame kb-search.js opens on file:// (no worker starts
 * there). Material's search worker script, loaded next, listens for "message" and answers with
 * postMessage(result) on its global scope; here that scope is this frame's window, so its
 * answers go to the page instead. */
(function () {
  "use strict";
  var page = window.parent;
  window.postMessage = function (message) {
    page.postMessage(message, "*");
  };
  window.importScripts = function () {
    throw new Error("kb-guides: the file:// search supports the English index only");
  };
})();
