// The RL layer's part of the demo page: one number box per component of an observation in; the
// action the agent takes, its probability and every action's probability as bars out. The names
// of the components and of the actions come from the served model (GET model), so the page fits
// whichever environment it was trained on. The page's shell (demo.js) calls these functions; the
// contract is described at its top.

export const submitLabel = "Choose action";

let model = null; // the environment's description, once GET model has answered
let pending = null; // an example clicked before that

function boxes(container) {
  return [...container.querySelectorAll("input[data-component]")];
}

function formatNumber(value) {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

function rangeHint(low, high) {
  if (low === null && high === null) return "any number";
  if (low === null) return `at most ${formatNumber(high)}`;
  if (high === null) return `at least ${formatNumber(low)}`;
  return `${formatNumber(low)} to ${formatNumber(high)}`;
}

function buildBoxes(container, ui) {
  const { labels, low, high } = model.observation;
  const fields = labels.map((label, index) => {
    const id = `demo-observation-${index}`;
    const box = ui.el("input", {
      id,
      type: "number",
      step: "any",
      inputmode: "decimal",
      value: "0",
      "data-component": index,
      "aria-describedby": `${id}-hint`,
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        ui.submit();
      }
    });
    return ui.el("div", { class: "observation-field" }, [
      ui.el("label", { for: id }, label),
      box,
      ui.el("p", { id: `${id}-hint`, class: "hint" }, rangeHint(low[index], high[index])),
    ]);
  });
  container.replaceChildren(
    ui.el("p", { class: "hint" }, [
      `An observation of ${model.env_id}: set its numbers and press `,
      ui.el("kbd", {}, "Enter"),
      `, or try an example.`,
    ]),
    ui.el(
      "div",
      {
        class: "observation-fields",
        style: { display: "grid", gap: "0 1rem", gridTemplateColumns: "repeat(auto-fit, minmax(11rem, 1fr))" },
      },
      fields,
    ),
  );
}

export function renderInput(container, ui) {
  container.append(ui.el("p", { class: "hint" }, "Asking the server what the model observes…"));
  ui.describeModel()
    .then((description) => {
      model = description;
      buildBoxes(container, ui);
      if (pending) {
        showExample(container, pending);
        pending = null;
      }
    })
    .catch((problem) => {
      container.replaceChildren(
        ui.el("p", { class: "error", role: "alert" }, `Could not read the model's inputs: ${problem.message}.`),
      );
    });
}

// An example is an observation from the held-out evaluation episodes of the environment the
// model was trained on (model_info.json), with the action the policy takes there as its label.
export function exampleLabel(observation, example) {
  const numbers = `[${observation.map(formatNumber).join(", ")}]`;
  return example && example.label ? `${numbers} → ${example.label}` : numbers;
}

export function showExample(container, observation) {
  if (!model) {
    pending = observation;
    return;
  }
  boxes(container).forEach((box, index) => {
    box.value = index < observation.length ? String(observation[index]) : "";
  });
}

export function readInputs(container) {
  if (!model) throw new Error("The page is still asking the server what the model observes; try again in a moment.");
  const observation = boxes(container).map((box, index) => {
    const text = box.value.trim();
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) {
      throw new Error(`Give a number for ${model.observation.labels[index]}.`);
    }
    return value;
  });
  return [observation];
}

export function renderResult(container, prediction, observation, ui) {
  const labels = model ? model.observation.labels : observation.map((_, index) => `observation ${index + 1}`);
  container.append(
    ui.el("p", { class: "verdict" }, [
      ui.el("span", { class: "verdict-label" }, prediction.label),
      ui.el("span", { class: "verdict-score" }, `${ui.percent(prediction.probability)} probability`),
    ]),
    ui.scoreBars(prediction.scores, prediction.label),
    ui.el("p", { class: "echo" }, labels.map((label, index) => `${label} ${formatNumber(observation[index])}`).join(" · ")),
  );
}
