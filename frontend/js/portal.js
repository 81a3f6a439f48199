// Progressive enhancement only: every page works without this file.
import { initAll } from "../govuk/govuk-frontend.min.js";
import { initSearchAutocomplete } from "./search-autocomplete.js";

initAll();
initSearchAutocomplete(document);
