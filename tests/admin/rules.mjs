// Runs the editor's field rules (public/admin/rules.js) for tests/admin/test_rules.py: reads
// {openapi, docs: [...], paths: [...], lists: [...]} on stdin and prints, as JSON, the problems
// of each document, whether each path is required and each list's limits.
import { readFileSync } from "node:fs";
import { checkDocument, countLimits, isRequired, useOpenApi } from "../../public/admin/rules.js";

const input = JSON.parse(readFileSync(0, "utf8"));
const used = useOpenApi(input.openapi);
process.stdout.write(JSON.stringify({
  used,
  problems: input.docs.map((doc) => checkDocument(doc)),
  required: input.paths.map((path) => isRequired(path)),
  limits: input.lists.map((path) => {
    const { min, max } = countLimits(path);
    return [min, Number.isFinite(max) ? max : null];
  }),
}));
