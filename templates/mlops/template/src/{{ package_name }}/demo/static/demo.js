// The demo page's shell, the same for every project (mlops layer). It runs the form, sends
// POST /predict, shows the loading state and the errors; the specialization's widget.js, an ES
// module next to this file, draws the input controls and the result. widget.js exports:
//
//   renderInput(container, ui)        build the labelled input controls inside `container`, an
//                                     empty element inside the page's <form>
//   exampleLabel(input, example) -> string
//                                     the text of the button of one of the examples, or an
//                                     element such as a thumbnail (its alt text then names the
//                                     button); `example` is {input, label}: label is the true
//                                     label of an example drawn from the run's test split
//                                     (model_info.json), absent for the sample's EXAMPLE_INPUTS
//   showExample(container, input)     put that example's input into the controls
//   readInputs(container) -> items    the `inputs` list of the request to POST /predict; throw
//                                     an Error to show its message instead of sending
//   renderResult(container, prediction, item, ui)
//                                     show one prediction, and the item it answers, in an empty
//                                     element; called once per prediction, in order
//   submitLabel                       optional: the submit button's text (default "Predict")
//
// `ui` holds the shell's helpers: ui.el(tag, attributes, children) makes an element,
// ui.scoreBars(scores, highlight) a bar chart of {label: probability}, ui.percent(0.931) gives
// "93.1%", ui.submit() submits the form (say, on Enter), ui.describeModel() a promise of
// GET model's JSON (what the served model takes and gives, if its specialization says; asked
// once, rejected with an Error when the server says no). Ctrl+Enter submits from any control.

const REQUIRED = ["renderInput", "exampleLabel", "showExample", "readInputs", "renderResult"];

const settings = JSON.parse(document.getElementById("demo-settings").textContent);
const form = document.getElementById("demo-form");
const inputBox = document.getElementById("demo-input");
const submitButton = document.getElementById("demo-submit");
const busyNote = document.getElementById("demo-busy");
const examplesGroup = document.getElementById("demo-examples");
const exampleButtons = document.getElementById("demo-example-buttons");
const errorBox = document.getElementById("demo-error");
const resultBox = document.getElementById("demo-result");
let busy = false;

function el(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "style" && typeof value === "object") Object.assign(element.style, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...[children].flat().filter((child) => child !== null && child !== undefined));
  return element;
}

function percent(probability) {
  return `${(100 * probability).toFixed(1)}%`;
}

// One row per label, the most probable first: its name, a bar as long as its probability, and
// the number (screen readers read the name and the number; the bar is only drawn).
function scoreBars(scores, highlight) {
  const rows = Object.entries(scores).sort((a, b) => b[1] - a[1]);
  return el(
    "ul",
    { class: "score-bars", "aria-label": "Probability of each label" },
    rows.map(([label, probability]) =>
      el("li", { class: label === highlight ? "score-bar top" : "score-bar" }, [
        el("span", { class: "score-label" }, label),
        el(
          "span",
          { class: "score-track", "aria-hidden": "true" },
          el("span", { class: "score-fill", style: { width: percent(Math.min(Math.max(probability, 0), 1)) } }),
        ),
        el("span", { class: "score-value" }, percent(probability)),
      ]),
    ),
  );
}

let modelDescription = null;
function describeModel() {
  modelDescription ??= fetch("model", { headers: { Accept: "application/json" } }).then((response) => {
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    return response.json();
  });
  return modelDescription;
}

const ui = { el, percent, scoreBars, describeModel, submit: () => form.requestSubmit() };

function showError(title, details) {
  errorBox.replaceChildren(el("strong", {}, title), details ? ` ${details}` : "");
  errorBox.hidden = false;
  resultBox.replaceChildren();
}

function setBusy(on) {
  busy = on;
  // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
  submitButton.setAttribute("aria-disabled", String(on));
  busyNote.hidden = !on;
  resultBox.setAttribute("aria-busy", String(on));
}

function sentence(text) {
  const trimmed = String(text).trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

// FastAPI's validation errors name where the problem is (loc) and what it is (msg).
function validationMessage(error, items) {
  const where = (error.loc || []).filter((part) => part !== "body");
  const message = sentence(error.msg || "Invalid value");
  if (where[0] === "inputs" && typeof where[1] === "number" && items.length > 1) {
    return `Input ${where[1] + 1}: ${message}`;
  }
  return message;
}

function showFailure(response, body, items) {
  const detail = body && body.detail;
  if (response.status === 422) {
    const reasons = Array.isArray(detail)
      ? detail.map((error) => validationMessage(error, items))
      : [sentence(detail || "The server did not accept the input")];
    showError("Input not accepted.", reasons.join(" "));
    return;
  }
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const said = typeof detail === "string" ? ` ${sentence(detail)}` : "";
  if (response.status >= 500) {
    showError(
      `The server ran into a problem (${status}).`,
      `${said} Try again; if it keeps happening, the server's log says why.`.trim(),
    );
  } else {
    showError(`The request failed (${status}).`, said.trim());
  }
}

function showPredictions(predictions, items) {
  errorBox.hidden = true;
  resultBox.replaceChildren(
    ...predictions.map((prediction, index) => {
      const container = el("div", { class: "prediction" });
      widget.renderResult(container, prediction, items[index], ui);
      return container;
    }),
  );
  // On a small screen the result may be below the fold; focus stays where it was.
  const motion = matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
  resultBox.parentElement.scrollIntoView({ block: "nearest", behavior: motion });
}

async function predict(event) {
  event.preventDefault();
  if (busy) return;
  let items;
  try {
    items = widget.readInputs(inputBox);
  } catch (problem) {
    showError("Check the input.", problem.message);
    return;
  }
  setBusy(true);
  try {
    let response;
    try {
      response = await fetch("predict", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ inputs: items }),
      });
    } catch {
      showError(
        "Could not reach the server.",
        `Check that \`${settings.command} serve\` is still running, then try again.`,
      );
      return;
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      showFailure(response, body, items);
    } else if (!body || !Array.isArray(body.predictions)) {
      showError("The server's answer was not understood.", "Expected a list of predictions.");
    } else {
      showPredictions(body.predictions, items);
    }
  } finally {
    setBusy(false);
  }
}

function addExamples(examples) {
  for (const example of examples) {
    const button = el("button", { type: "button", class: "example" }, widget.exampleLabel(example.input, example));
    button.addEventListener("click", () => {
      if (busy) return;
      widget.showExample(inputBox, example.input);
      form.requestSubmit();
    });
    exampleButtons.append(button);
  }
  examplesGroup.hidden = examples.length === 0;
}

// Imported here rather than at the top, so that a missing or broken widget shows a message.
let widget = null;
try {
  widget = await import("./widget.js");
  const missing = REQUIRED.filter((name) => typeof widget[name] !== "function");
  if (missing.length) throw new Error(`widget.js does not export ${missing.join(", ")}.`);
} catch (problem) {
  widget = null;
  showError("This page could not start.", problem.message);
  submitButton.disabled = true;
}

if (widget) {
  if (typeof widget.submitLabel === "string") submitButton.textContent = widget.submitLabel;
  widget.renderInput(inputBox, ui);
  addExamples(settings.examples || []);
  form.addEventListener("submit", predict);
  form.addEventListener("keydown", (event) => {
    const ctrlEnter = event.key === "Enter" && (event.ctrlKey || event.metaKey);
    if (ctrlEnter && !event.defaultPrevented && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}
