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
    before = null;
  });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) fillQuote();
  });

  // --- Saying what happened (app/kit/notices.py) --------------------------------------------------------
  // An htmx answer names what changed in the event "dialoog:done" (header HX-Trigger-After-Settle): its
  // "message" is said in the live region of base.html, its "focus" (a selector) gets the focus and is
  // scrolled into view. Without JavaScript the same message is a banner on the page the form leads to.
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  function say(text) {
    var region = document.getElementById("live");
    if (!region || !text) return;
    region.textContent = "";
    // Emptied first and filled a moment later: the same message twice is announced twice.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function openDetails(element) {
    var details = element && element.closest ? element.closest("details") : null;
    while (details) {
      details.open = true;
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
  }

  function show(element) {
    if (!element) return;
    openDetails(element);
    if (!element.matches(FOCUSABLE)) element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: true });
    var fits = element.getBoundingClientRect().height < window.innerHeight * 0.8;
    element.scrollIntoView({ block: fits ? "center" : "start" });
  }

  document.addEventListener("dialoog:done", function (event) {
    var detail = event.detail || {};
    var target = null;
    if (detail.focus) {
      try { target = document.querySelector(detail.focus); } catch (e) { target = null; }
    }
    show(target);
    say(detail.message);
  });

  // Where an answer says nothing about focus and the focused element was swapped away (the "Toon alle
  // reacties" link, a row's button), focus goes to the same control in the new content, or to its heading,
  // instead of dropping to the top of the page.
  var before = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    before = null;
    if (!active || active === document.body || !target || !target.contains(active)) return;
    var form = active.form || active.closest("form");
    before = {
      id: target.id,
      tag: active.tagName,
      text: (active.textContent || "").trim(),
      name: active.getAttribute("name"),
      action: form ? form.getAttribute("action") : null,
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    var was = before;
    before = null;
    if (!was) return;
    window.setTimeout(function () {
      var active = document.activeElement;
      if (active && active !== document.body && active.isConnected) return; // focus is somewhere: leave it
      var root = was.id ? document.getElementById(was.id) : null;
      if (!root) return;
      var same = Array.prototype.filter.call(root.querySelectorAll(was.tag), function (el) {
        var form = el.form || el.closest("form");
        return (el.textContent || "").trim() === was.text && el.getAttribute("name") === was.name &&
          (form ? form.getAttribute("action") : null) === was.action;
      });
      show(same[0] || root.querySelector("h2, h3, h4") || root);
    }, 0);
  });

  // A banner after a redirect (a notice, ?done=...): focus it, so it is read and seen. The code stays in the
  // address (taking it out raced with anything waiting for that address; a reload says it again, harmlessly).
  function hashTarget() {
    var hash = window.location.hash.slice(1);
    try { return hash ? document.getElementById(decodeURIComponent(hash)) : null; } catch (e) { return null; }
  }

  function afterLoad() {
    var target = hashTarget();
    if (target) openDetails(target);
    var banner = document.querySelector("[data-notice]");
    if (banner && target && !target.contains(banner)) {
      // The address leads elsewhere on the page (the section just saved): stay there and say it.
      say(banner.textContent.trim());
    } else if (banner) {
      show(banner);
    } else {
      // A form shown again with its errors (a plain form's 422): its error summary.
      show(document.querySelector("main .error-summary"));
    }
  }
  // After "load": the browser has scrolled to the address's #fragment by then (which would take the focus
  // away again).
  if (document.readyState === "complete") afterLoad();
  else window.addEventListener("load", afterLoad);

  // Draft editors (forms marked data-keep): leaving the page with something typed and not saved asks first.
  // Submitting that form itself (also Omhoog/Omlaag, which save it) does not ask.
  var unsaved = [];
  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (form && form.hasAttribute("data-keep") && unsaved.indexOf(form) < 0) unsaved.push(form);
  });
  document.addEventListener("submit", function (event) {
    unsaved = unsaved.filter(function (form) { return form !== event.target; });
  }, true);
  window.addEventListener("beforeunload", function (event) {
    if (!unsaved.length) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // A link to a part of the page inside a closed <details> (an error summary's link, "Reageer"): open it.
  window.addEventListener("hashchange", function () {
    var target = hashTarget();
    if (target) {
      openDetails(target);
      target.scrollIntoView();
    }
  });
})();
