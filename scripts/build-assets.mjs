// Builds the static assets Django serves from frontend/build/:
//   portal/portal.css  GOV.UK Frontend compiled with council branding (Arial, no crown)
//   govuk/govuk-frontend.min.js  GOV.UK Frontend's components
//   portal/*.js        the portal's own progressive enhancements
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "frontend", "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(join(out, "portal"), { recursive: true });
mkdirSync(join(out, "govuk"), { recursive: true });

const css = sass.compile(join(root, "frontend", "scss", "portal.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(out, "portal", "portal.css"), css.css);

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
for (const name of readdirSync(join(root, "frontend", "js"))) {
  copyFileSync(join(root, "frontend", "js", name), join(out, "portal", name));
}
for (const name of readdirSync(join(root, "frontend", "images"))) {
  copyFileSync(join(root, "frontend", "images", name), join(out, "portal", name));
}
console.log(`Built front-end assets into ${out}`);
