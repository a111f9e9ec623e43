"""Images of a student's own, drawn with Pillow for the computer-vision and edge own-data tests:
classes of drawn shapes or motifs in PNG and JPEG, RGB, RGBA (transparent background) and
grayscale, several sizes and aspect ratios. `draw(env, root, kind)` writes them with the
project's own Python (the tests' environment has no Pillow)."""

from __future__ import annotations

import re
from pathlib import Path

from project_env import ProjectEnv

# Words of the sample's texts that must be gone once a project is trained on other images.
SAMPLE_WORDS = ("hand-written", "handwritten", "digits.npz", "UCI", "1,797", "writers")
# kind: (classes, images a class). The shapes are the first own folder (3 x 40: the old
# defaults gave 0.72 test accuracy on it), the motifs its second (4 classes: 0.69 before).
KINDS = {
    "shapes": (["circle", "square", "triangle"], 40),
    "motifs": (["crosses", "diamonds", "dots", "rings"], 30),
}

DRAW = r"""
import random, sys
import re
from pathlib import Path
from PIL import Image, ImageDraw

root, kind, labels, per_class = Path(sys.argv[1]), sys.argv[2], sys.argv[3].split(","), int(
    sys.argv[4]
)
FILES = [("PNG", "RGBA", ".png"), ("JPEG", "L", ".jpg"), ("PNG", "RGB", ".png"),
         ("JPEG", "RGB", ".jpeg"), ("PNG", "L", ".png")]
rng = random.Random(kind)

def colour(mode, low, high):
    value = tuple(rng.randint(low, high) for _ in range(3))
    return value[0] if mode == "L" else value + ((255,) if mode == "RGBA" else ())

def shape(draw, label, side, ink):
    size = side * rng.uniform(0.5, 0.8)
    cx, cy = side * rng.uniform(0.4, 0.6), side * rng.uniform(0.4, 0.6)
    box = [cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2]
    if label == "circle":
        draw.ellipse(box, fill=ink)
    elif label == "square":
        draw.rectangle(box, fill=ink)
    else:
        draw.polygon([(cx, box[1]), (box[2], box[3]), (box[0], box[3])], fill=ink)

def motifs(draw, label, side, ink):
    count = rng.randint(2, 3)
    cell = side / count
    for i in range(count):
        for j in range(count):
            r = cell * rng.uniform(0.28, 0.4)
            cx = (i + 0.5 + rng.uniform(-0.08, 0.08)) * cell
            cy = (j + 0.5 + rng.uniform(-0.08, 0.08)) * cell
            box, width = [cx - r, cy - r, cx + r, cy + r], max(1, int(r / 2.5))
            if label == "dots":
                draw.ellipse(box, fill=ink)
            elif label == "rings":
                draw.ellipse(box, outline=ink, width=width)
            elif label == "crosses":
                draw.line([cx - r, cy, cx + r, cy], fill=ink, width=width)
                draw.line([cx, cy - r, cx, cy + r], fill=ink, width=width)
            else:
                draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=ink)

for label in labels:
    (root / label).mkdir(parents=True, exist_ok=True)
    for n in range(per_class):
        image_format, mode, suffix = FILES[n % len(FILES)]
        side = rng.choice([40, 64, 96, 150])
        paper = (0, 0, 0, 0) if mode == "RGBA" else colour(mode, 170, 255)
        image = Image.new(mode, (side, side), paper)
        pen = shape if kind == "shapes" else motifs
        pen(ImageDraw.Draw(image), label, side, colour(mode, 0, 120))
        if rng.random() < 0.3:  # not square: the centre crop keeps the middle
            image = image.resize((side, int(side * 1.3)))
        image.save(root / label / f"{label}-{n:03d}{suffix}", image_format)
"""


def draw(env: ProjectEnv, root: Path, kind: str) -> list[str]:
    """`root/<class>/*` of `kind` (KINDS); the class names."""
    labels, per_class = KINDS[kind]
    env.run(str(env.python), "-c", DRAW, str(root), kind, ",".join(labels), str(per_class))
    return labels


# The README's "Use your own data" section, read as the tests run it.


def own_data_section(readme: str) -> str:
    return readme.split("## Use your own data\n")[1].split("\n## ")[0]


def blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


def commands(block: str) -> list[list[str]]:
    """Each command line of a bash block, its comment left out, as words."""
    lines = (line.split("  #")[0].strip() for line in block.splitlines())
    return [line.split() for line in lines if line and not line.startswith("#")]


def merge(base: dict, change: dict) -> dict:
    return {
        key: merge(base.get(key) or {}, value) if isinstance(value, dict) else value
        for key, value in {**base, **change}.items()
    }
