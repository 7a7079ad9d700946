/*
 * A stand-in for Zendesk's ZAF SDK (zaf_sdk.min.js) in browser tests.
 *
 * The test serves this file at Zendesk's SDK URL, preceded by `window.__ZAF_CONFIG = {...}` with
 * the ticket's data (`data`, by ZAF path), the app's non-secure settings (`settings`) and the path
 * of the test's proxy (`proxy`). Like Zendesk, client.request() hands the request to a proxy
 * that fills secure settings server-side, so the browser never holds the API key. Every call is
 * recorded in window.__zaf for the test to read.
 */
(function () {
  "use strict";

  var config = window.__ZAF_CONFIG;
  var record = (window.__zaf = { calls: [], violations: [], comment: { type: null, text: "" }, requests: [] });
  var handlers = {};
  var COMMENT_TYPES = ["internalNote", "publicReply"];

  function copy(value) {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  }

  function log(kind, name, args) {
    record.calls.push({ kind: kind, name: name, args: copy(args) });
  }

  function fire(name, data) {
    (handlers[name] || []).forEach(function (handler) {
      handler(data);
    });
  }

  var client = {
    get: function (paths) {
      var list = Array.isArray(paths) ? paths : [paths];
      log("get", list, []);
      var answer = {};
      var errors = {};
      list.forEach(function (path) {
        if (Object.prototype.hasOwnProperty.call(config.data, path)) answer[path] = copy(config.data[path]);
        else errors[path] = { name: "ZAFError", message: '"' + path + '" Could not find handler' };
      });
      if (Object.keys(errors).length) answer.errors = errors;
      return Promise.resolve(answer);
    },

    set: function (key, value) {
      log("set", key, [value]);
      if (key === "ticket.comment.type" || key === "comment.type") {
        if (COMMENT_TYPES.indexOf(value) < 0) return Promise.reject(new Error("unknown comment type " + value));
        record.comment.type = value;
      }
      var answer = {};
      answer[key] = value;
      return Promise.resolve(answer);
    },

    invoke: function (name) {
      var args = Array.prototype.slice.call(arguments, 1);
      log("invoke", name, args);
      if (name === "ticket.comment.appendText" || name === "comment.appendText") {
        if (typeof args[0] !== "string") return Promise.reject(new Error("appendText takes a string"));
        record.comment.text += args[0];
      }
      return Promise.resolve({});
    },

    on: function (name, handler) {
      (handlers[name] = handlers[name] || []).push(handler);
    },

    metadata: function () {
      return Promise.resolve({ appId: 0, installationId: 1, settings: copy(config.settings) });
    },

    request: function (options) {
      log("request", options.url, [options]);
      var text = JSON.stringify(options);
      if (text.indexOf("{{setting.") >= 0 && options.secure !== true) {
        record.violations.push("a secure setting placeholder without secure: true in a request to " + options.url);
        return Promise.reject({ status: 0, responseText: "secure settings are only filled with secure: true" });
      }
      return fetch(config.proxy, { method: "POST", headers: { "Content-Type": "application/json" }, body: text })
        .then(function (proxied) {
          return proxied.json();
        })
        .then(function (answer) {
          var response = { status: answer.status, statusText: answer.reason, responseText: answer.body, headers: answer.headers };
          try {
            response.responseJSON = JSON.parse(answer.body);
          } catch (err) {
            response.responseJSON = undefined;
          }
          record.requests.push({ url: options.url, type: options.type || "GET", status: answer.status });
          if (answer.status < 200 || answer.status > 299) throw response;
          if (options.httpCompleteResponse) return response;
          return response.responseJSON !== undefined ? response.responseJSON : answer.body;
        });
    }
  };

  window.ZAFClient = {
    init: function () {
      log("init", "init", []);
      setTimeout(function () {
        fire("app.registered", { metadata: { settings: copy(config.settings) }, context: { location: "ticket_sidebar" } });
      }, 0);
      return client;
    }
  };
})();
