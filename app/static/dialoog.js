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
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) fillQuote();
  });
})();
