// Renders the admin's Korean wording for the pytest suite (tests/admin/test_messages.py):
// reads {codes: [[code, params]...], fields: [[type, ctx]...]} on stdin and prints
// {codeKeys, fieldKeys, codes: [text...], fields: [text...], api: [text...]} as JSON.
import { readFileSync } from "node:fs";
import { CODE_KO, FIELD_KO, codeText, validationMessage } from "../../public/admin/messages.js";

const input = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify({
  codeKeys: Object.keys(CODE_KO),
  fieldKeys: Object.keys(FIELD_KO),
  codes: input.codes.map(([code, params]) => codeText(code, params)),
  fields: input.fields.map(([type, ctx]) => validationMessage({ type, ctx })),
}));
