// The computer-vision layer's part of the demo page: an image in (chosen, dropped or pasted);
// the label, its probability and every label's probability as bars out, beside the image. The
// page's shell (demo.js) calls these functions; the contract is described at its top.

export const submitLabel = "Classify";

const ACCEPTED = "image/png,image/jpeg,image/webp";
// The base64 payload of the image to classify, as POST /predict takes it.
let chosen = null;
const exampleNames = new Map();

// What kind of image a base64 payload holds, from its first bytes, for the <img> that shows it.
function mimeOf(base64) {
  if (base64.startsWith("iVBOR")) return "image/png";
  if (base64.startsWith("/9j/")) return "image/jpeg";
  if (base64.startsWith("UklGR")) return "image/webp";
  return "application/octet-stream";
}

function picture(base64, alt, side) {
  const image = document.createElement("img");
  image.alt = alt;
  image.src = `data:${mimeOf(base64)};base64,${base64}`;
  Object.assign(image.style, {
    width: `${side}px`,
    height: `${side}px`,
    objectFit: "contain",
    background: "var(--track)",
    borderRadius: "6px",
  });
  // Tiny images (the 8 x 8 sample digits) keep sharp pixels instead of a blur.
  image.addEventListener("load", () => {
    if (Math.max(image.naturalWidth, image.naturalHeight) < side / 2) {
      image.style.imageRendering = "pixelated";
    }
  });
  return image;
}

function choose(container, base64, name) {
  chosen = base64;
  const preview = container.querySelector("#demo-preview");
  preview.replaceChildren(
    picture(base64, `The image to classify: ${name}`, 160),
    Object.assign(document.createElement("span"), { className: "hint", textContent: name }),
  );
  preview.hidden = false;
}

function readFile(container, file) {
  const reader = new FileReader();
  reader.addEventListener("load", () => {
    // A data: URL; the API takes what follows the comma.
    choose(container, String(reader.result).split(",", 2)[1] || "", file.name);
  });
  reader.readAsDataURL(file);
}

export function renderInput(container, ui) {
  const input = ui.el("input", {
    id: "demo-file",
    type: "file",
    accept: ACCEPTED,
    "aria-describedby": "demo-file-hint",
  });
  input.addEventListener("change", () => {
    if (input.files.length) readFile(container, input.files[0]);
  });
  const zone = ui.el(
    "div",
    {
      id: "demo-drop",
      style: {
        border: "2px dashed var(--border)",
        borderRadius: "var(--radius)",
        padding: "1rem",
        display: "grid",
        gap: "0.5rem",
        justifyItems: "start",
      },
    },
    [
      ui.el("label", { for: "demo-file" }, "Image to classify"),
      input,
      ui.el("p", { id: "demo-file-hint", class: "hint" }, [
        "Choose a PNG, JPEG or WebP file, drop one here, or paste one (",
        ui.el("kbd", {}, "Ctrl"),
        "+",
        ui.el("kbd", {}, "V"),
        "). Any size and colour: it is resized as the training images were.",
      ]),
      ui.el("div", { id: "demo-preview", hidden: true, style: { display: "grid", gap: "0.25rem" } }),
    ],
  );
  const highlight = (on) => {
    zone.style.borderColor = on ? "var(--accent)" : "var(--border)";
    zone.style.background = on ? "var(--accent-soft)" : "";
  };
  zone.addEventListener("dragover", (event) => {
    event.preventDefault(); // allows the drop
    highlight(true);
  });
  zone.addEventListener("dragleave", () => highlight(false));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    highlight(false);
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) readFile(container, file);
  });
  document.addEventListener("paste", (event) => {
    const file = [...(event.clipboardData ? event.clipboardData.files : [])][0];
    if (file) readFile(container, file);
  });
  container.append(zone);
}

export function exampleLabel(example) {
  const name = `Example image ${exampleNames.size + 1}`;
  exampleNames.set(example, name);
  // A thumbnail says more than a name; its alt text names the button for screen readers.
  const image = picture(example, name, 48);
  image.style.display = "block";
  return image;
}

export function showExample(container, example) {
  choose(container, example, exampleNames.get(example) || "Example image");
}

export function readInputs() {
  if (!chosen) throw new Error("Choose, drop or paste an image first.");
  return [chosen];
}

export function renderResult(container, prediction, item, ui) {
  const details = ui.el("div", { style: { flex: "1 1 14rem" } }, [
    ui.el("p", { class: "verdict" }, [
      ui.el("span", { class: "verdict-label" }, prediction.label),
      ui.el("span", { class: "verdict-score" }, `${ui.percent(prediction.score)} probability`),
    ]),
    ui.scoreBars(prediction.scores, prediction.label),
  ]);
  const echo = ui.el("figure", { style: { margin: 0 } }, picture(item, "The classified image", 112));
  container.append(
    ui.el("div", { style: { display: "flex", gap: "1.25rem", flexWrap: "wrap", alignItems: "flex-start" } }, [
      echo,
      details,
    ]),
  );
}
