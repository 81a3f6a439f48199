// Accessibility fixes for the Wagtail admin's own markup, found by axe in the browser tests
// (tests/e2e). Loaded on every admin page by portal/wagtail_hooks.py. Keep each fix small,
// say what it fixes, and remove it when Wagtail fixes the markup itself (ADR 0008).
(() => {
  "use strict";

  const fixes = [];

  // Draftail (rich text): its contenteditable textbox has no accessible name (axe
  // aria-input-field-name). Name it by the field's label, which is "for" Draftail's hidden
  // input just before the editor (ADR 0010).
  const DRAFTAIL_TEXTBOX = '.public-DraftEditor-content[contenteditable="true"]';
  fixes.push((root) => {
    const editors = [...root.querySelectorAll(DRAFTAIL_TEXTBOX)];
    if (root.matches && root.matches(DRAFTAIL_TEXTBOX)) {
      editors.push(root);
    }
    for (const editor of editors) {
      if (editor.hasAttribute("aria-labelledby") || editor.hasAttribute("aria-label")) {
        continue;
      }
      const wrapper = editor.closest("[data-draftail-editor-wrapper]");
      const input = wrapper && wrapper.parentElement.querySelector("input[data-draftail-input]");
      const label =
        input && input.id && document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
      if (!label) {
        continue;
      }
      if (!label.id) {
        label.id = `${input.id}-label`;
      }
      editor.setAttribute("aria-labelledby", label.id);
    }
  });

  function applyAll(root) {
    for (const fix of fixes) {
      fix(root);
    }
  }

  // Run on load and whenever Wagtail adds markup (choosers, panels, inline rows).
  function start() {
    applyAll(document);
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        for (const node of mutation.addedNodes) {
          if (node.nodeType === Node.ELEMENT_NODE) {
            applyAll(node);
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }

  window.portalAdminA11yFixes = fixes;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
