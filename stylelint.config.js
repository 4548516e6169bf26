// The stylesheets' gate (make lint): a stylesheet that does not parse (an unclosed block, a
// stray brace) fails, and so do the rules that catch mistakes rather than style: unknown
// properties, units, pseudo-classes, at-rules and media features, invalid colours, duplicated
// properties in one block, and calc() operators without spaces.
/** @type {import("stylelint").Config} */
export default {
  rules: {
    "at-rule-no-unknown": true,
    "color-no-invalid-hex": true,
    "declaration-block-no-duplicate-properties": [true, { ignore: ["consecutive-duplicates-with-different-values"] }],
    "function-calc-no-unspaced-operator": true,
    "media-feature-name-no-unknown": true,
    "no-invalid-double-slash-comments": true,
    "property-no-unknown": true,
    "selector-pseudo-class-no-unknown": true,
    "selector-pseudo-element-no-unknown": true,
    "unit-no-unknown": true,
  },
};
