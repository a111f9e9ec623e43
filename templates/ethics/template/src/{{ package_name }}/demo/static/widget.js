// The ethics layer's part of the demo page: a form of the model's features in (a list for each
// category, a number box with its range for each number), the decision, its probability and the
// features that pushed it most out. The fields come from the served model (GET model), so the
// form fits whatever table it was trained on; the first of the model's examples (people of the
// test split it was trained on, from GET model) is filled in as a worked example. The number boxes show their range but do not enforce it: the server
// checks every value and its refusal, naming the field, is what the page shows. The page's
// shell (demo.js) calls these functions; the contract is described at its top.

export const submitLabel = "Decide";
const SHOWN_CONTRIBUTIONS = 5;

let model = null; // the model's description, once GET model has answered
let pending = null; // an example clicked before that

function formatNumber(value) {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

function pretty(name) {
  return name.replaceAll("_", " ");
}

function fieldId(name) {
  return `demo-field-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

function controls(container) {
  return [...container.querySelectorAll("[data-feature]")];
}

function buildForm(container, ui) {
  const fields = model.features.map((feature) => {
    const id = fieldId(feature.name);
    let control;
    let hint;
    if (feature.kind === "category") {
      control = ui.el(
        "select",
        { id, "data-feature": feature.name },
        feature.choices.map((choice) => ui.el("option", { value: choice }, pretty(choice))),
      );
      hint = `${feature.choices.length} choices`;
    } else {
      control = ui.el("input", {
        id,
        type: "number",
        step: "any",
        inputmode: "decimal",
        "data-feature": feature.name,
        "aria-describedby": `${id}-hint`,
      });
      hint = `${formatNumber(feature.min)} to ${formatNumber(feature.max)}`;
    }
    let name = pretty(feature.name);
    if (feature.name === model.sensitive_input) {
      name += feature.feature ? " (also picks the group's threshold)" : " (picks the group's threshold only)";
    }
    return ui.el("div", { class: "feature-field" }, [
      ui.el("label", { for: id }, name),
      control,
      ui.el("p", { id: `${id}-hint`, class: "hint" }, hint),
    ]);
  });
  container.replaceChildren(
    ui.el("p", { class: "hint" }, "One person: a worked example is filled in; change any value, or try an example."),
    ui.el(
      "div",
      {
        class: "feature-fields",
        style: { display: "grid", gap: "0 1rem", gridTemplateColumns: "repeat(auto-fit, minmax(12rem, 1fr))" },
      },
      fields,
    ),
  );
}

// An example as the page or GET model gives it: {input, label}, or (older pages) the input alone.
function inputOf(example) {
  const wrapped = example && typeof example === "object" && "input" in example && "label" in example;
  return wrapped ? example.input : example;
}

function workedExample() {
  const settings = JSON.parse(document.getElementById("demo-settings").textContent);
  const first = (model.examples || [])[0] || (settings.examples || [])[0];
  return first ? inputOf(first) : null;
}

export function renderInput(container, ui) {
  container.append(ui.el("p", { class: "hint" }, "Asking the server which features the model takes…"));
  ui.describeModel()
    .then((description) => {
      model = description;
      buildForm(container, ui);
      const person = pending || workedExample();
      pending = null;
      if (person) showExample(container, person);
    })
    .catch((problem) => {
      container.replaceChildren(
        ui.el("p", { class: "error", role: "alert" }, `Could not read the model's features: ${problem.message}.`),
      );
    });
}

// The button of an example: its true outcome, if known, and its first few values.
export function exampleLabel(input, example) {
  const values = Object.entries(inputOf(input) || {})
    .slice(0, 3)
    .map(([name, value]) => `${pretty(name)} ${pretty(String(value))}`)
    .join(", ");
  const label = example && example.label !== undefined && example.label !== null ? String(example.label) : "";
  return label ? `${pretty(label)}: ${values}` : values;
}

export function showExample(container, input) {
  const person = inputOf(input);
  if (!model) {
    pending = person;
    return;
  }
  for (const control of controls(container)) {
    const value = person[control.dataset.feature];
    if (value !== undefined && value !== null) control.value = String(value);
  }
}

export function readInputs(container) {
  if (!model) throw new Error("The page is still asking the server which features the model takes; try again in a moment.");
  const applicant = {};
  for (const control of controls(container)) {
    const name = control.dataset.feature;
    if (control.tagName === "SELECT") {
      applicant[name] = control.value;
      continue;
    }
    const text = control.value.trim();
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) throw new Error(`Give a number for ${pretty(name)}.`);
    applicant[name] = value;
  }
  return [applicant];
}

export function renderResult(container, prediction, applicant, ui) {
  const favourable = model ? model.favourable : prediction.label;
  const top = Object.entries(prediction.explanation).slice(0, SHOWN_CONTRIBUTIONS);
  const largest = Math.max(...top.map(([, value]) => Math.abs(value)), 1e-9);
  container.append(
    ui.el("p", { class: "verdict" }, [
      ui.el("span", { class: "verdict-label" }, prediction.label),
      ui.el("span", { class: "verdict-score" }, `${ui.percent(prediction.score)} probability`),
    ]),
    ui.el("p", { class: "hint" }, `What pushed the score most (SHAP, log-odds of ${favourable}):`),
    ui.el(
      "ul",
      { class: "score-bars", "aria-label": "Features that pushed the decision most" },
      top.map(([name, value]) =>
        ui.el("li", { class: "score-bar contribution" }, [
          ui.el("span", { class: "score-label" }, `${pretty(name)} = ${pretty(String(applicant[name]))}`),
          ui.el(
            "span",
            { class: "score-track", "aria-hidden": "true" },
            ui.el("span", {
              class: "score-fill",
              style: { width: `${(100 * Math.abs(value)) / largest}%`, opacity: value < 0 ? "0.45" : "1" },
            }),
          ),
          ui.el("span", { class: "score-value" }, `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`),
        ]),
      ),
    ),
  );
}
