// The NLP layer's part of the demo page: a text box in; the label, its probability and every
// label's probability as bars out. The labels shown are the model's own (the prediction's
// `scores`), whatever data it was trained on. The page's shell (demo.js) calls these functions; the
// contract is described at its top.

export const submitLabel = "Classify";

function textBox(container) {
  return container.querySelector("textarea");
}

export function renderInput(container, ui) {
  const box = ui.el("textarea", {
    id: "demo-text",
    name: "text",
    rows: 5,
    placeholder: "Type or paste a text…",
    "aria-describedby": "demo-text-hint",
  });
  box.addEventListener("keydown", (event) => {
    // Enter classifies; Shift+Enter still starts a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.submit();
    }
  });
  const hint = ui.el("p", { id: "demo-text-hint", class: "hint" }, [
    ui.el("kbd", {}, "Enter"),
    " classifies, ",
    ui.el("kbd", {}, "Shift"),
    "+",
    ui.el("kbd", {}, "Enter"),
    " starts a new line.",
  ]);
  container.append(ui.el("label", { for: "demo-text" }, "Text to classify"), box, hint);
}

// An example drawn from the run's test split has its true label: the button says it first
// (long texts are cut at the button's end), so a person sees whether the model gets it right.
export function exampleLabel(text, example) {
  return example && example.label ? `${example.label} · ${text}` : text;
}

export function showExample(container, text) {
  textBox(container).value = text;
}

export function readInputs(container) {
  return [textBox(container).value];
}

export function renderResult(container, prediction, text, ui) {
  container.append(
    ui.el("p", { class: "verdict" }, [
      ui.el("span", { class: "verdict-label" }, prediction.label),
      ui.el("span", { class: "verdict-score" }, `${ui.percent(prediction.score)} probability`),
    ]),
    ui.scoreBars(prediction.scores, prediction.label),
    ui.el("blockquote", { class: "echo" }, text),
  );
}
