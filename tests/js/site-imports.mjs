// Loaded with `node --import` before the tests: the site's modules import each other by
// absolute URL path ("/admin/api.js", "/assets/dom.js"), as the browser serves public/; this
// resolves those paths to the files under public/ so that Node can load them unchanged.
import { registerHooks } from "node:module";

const PUBLIC = new URL("../../public/", import.meta.url);
const SITE_PATH = /^\/(admin|assets)\//;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (SITE_PATH.test(specifier)) return nextResolve(new URL(specifier.slice(1), PUBLIC).href, context);
    return nextResolve(specifier, context);
  },
});
