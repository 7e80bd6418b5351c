// Selecting text in a proposal section fills the quote field of that section's comment form.
// Without JavaScript the quote is a plain field; this only saves copying and pasting.
(function () {
  "use strict";
  function fillQuote() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (!text) return;
    var node = selection.anchorNode;
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    var body = element && element.closest("[data-quote-for]");
    if (!body) return;
    var field = document.querySelector('[data-quote-field="' + body.getAttribute("data-quote-for") + '"]');
    if (!field) return;
    field.value = text.slice(0, 2000);
    var details = field.closest("details");
    if (details) details.open = true;
  }
  document.addEventListener("mouseup", fillQuote);

  // An htmx request that failed (403, 404, 409 without a form to show it in, 500...): say so instead of
  // silently doing nothing. The message is text, never HTML from the response.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("request-error");
    if (!box) return;
    var doc = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html");
    var message = doc.querySelector(".error p, p");
    box.textContent = (message && message.textContent.trim()) || box.getAttribute("data-default") || "Er ging iets mis.";
    box.hidden = false;
    box.classList.add("notice", "notice--warning");
  });
  // No answer at all (the network): the same box, with its default text. Where a part of the page was
  // loading (a reply form), its link to the page of its own stays and still works.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = box.getAttribute("data-default") || "Er ging iets mis.";
    box.hidden = false;
    box.classList.add("notice", "notice--warning");
  });

  // "Reageren" loaded its reply form: the caret goes into it, unless the reader has moved on meanwhile.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.classList || !target.classList.contains("reply__form")) return;
    var summary = target.parentElement && target.parentElement.querySelector("summary");
    if (document.activeElement !== summary && document.activeElement !== document.body) return;
    var field = target.querySelector("textarea");
    if (field) field.focus();
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) box.hidden = true;
  });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) fillQuote();
  });
})();
