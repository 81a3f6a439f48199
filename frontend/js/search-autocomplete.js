// Suggestions under the directory's search box: the WAI-ARIA 1.2 combobox pattern with a
// list of suggestions (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/).
//
// It enhances the plain <input> in place, so without JavaScript the form is unchanged and
// whatever is typed is still searched for as typed. With it: suggestions from
// GET /services/autocomplete?q= appear as you type; Up and Down move through them, Enter or a
// click chooses one (which runs the search), Escape closes the list, and a polite status
// message says how many there are.

const DELAY_MS = 150;
const MIN_CHARACTERS = 2;

function status(count) {
  if (count === 0) return "No suggestions.";
  const noun = count === 1 ? "suggestion" : "suggestions";
  return `${count} ${noun}. Use the up and down arrow keys to choose one.`;
}

export function enhance(input) {
  const source = input.dataset.source;
  const form = input.form;
  if (!source || !form || !window.fetch) return;

  const listId = `${input.id}-suggestions`;
  const wrapper = document.createElement("div");
  wrapper.className = "portal-autocomplete";
  input.parentNode.insertBefore(wrapper, input);
  wrapper.appendChild(input);

  const list = document.createElement("ul");
  list.id = listId;
  list.className = "portal-autocomplete__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  wrapper.appendChild(list);

  const live = document.createElement("div");
  live.className = "govuk-visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  wrapper.appendChild(live);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("autocomplete", "off");

  let suggestions = [];
  let active = -1;
  let timer = null;
  let pending = null;

  function options() {
    return Array.from(list.querySelectorAll("[role=option]"));
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const all = options();
    all.forEach((option, position) => {
      const chosen = position === index;
      option.setAttribute("aria-selected", chosen ? "true" : "false");
      option.classList.toggle("portal-autocomplete__option--active", chosen);
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    input.value = suggestions[index].text;
    close();
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function show(items) {
    suggestions = items;
    list.textContent = "";
    items.forEach((item, index) => {
      const option = document.createElement("li");
      option.id = `${listId}-${index}`;
      option.className = "portal-autocomplete__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = item.text;
      if (item.kind === "category") {
        const tag = document.createElement("span");
        tag.className = "portal-autocomplete__kind";
        tag.textContent = " (category)";
        option.appendChild(tag);
      }
      // mousedown, not click: choosing must happen before the input loses focus.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(index);
      });
      list.appendChild(option);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    const open = items.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    live.textContent = status(items.length);
  }

  async function fetchSuggestions(text) {
    if (pending) pending.abort();
    pending = new AbortController();
    try {
      const url = `${source}?${new URLSearchParams({ q: text })}`;
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        signal: pending.signal,
      });
      if (!response.ok) return close();
      const body = await response.json();
      if (input.value === text) show(body.suggestions || []);
    } catch (error) {
      // A superseded request, or the network: the plain search box still works.
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value;
    if (text.trim().length < MIN_CHARACTERS) {
      if (pending) pending.abort();
      suggestions = [];
      list.textContent = "";
      live.textContent = "";
      close();
      return;
    }
    timer = setTimeout(() => fetchSuggestions(text), DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    const count = options().length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      if (list.hidden) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      highlight(active + 1 < count ? active + 1 : 0);
    } else if (event.key === "ArrowUp" && count && !list.hidden) {
      event.preventDefault();
      highlight(active > 0 ? active - 1 : count - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", () => close());
}

export function initSearchAutocomplete(root = document) {
  root.querySelectorAll('input[data-module="portal-search-autocomplete"]').forEach(enhance);
}
