"""Peak resident memory of the computer-vision project's `<package> train` on a folder of your
own images, for 1,000 and 5,000 images (and any other counts given): does memory grow with the
number of images?

The project is rendered with defaults and installed once, as bench_cv.py does (not measured).
For each count, a folder of that many PNG images (four classes of drawn patterns, 64 to 160
pixels a side, RGB, RGBA and grayscale) is written once, a copy of configs/config.yaml points
`data.root` at it and changes nothing else, and `train --config` runs on it; its peak resident
set size is the kernel's (`ru_maxrss` of the finished process, from wait4), its CPU time user +
system. Run it niced on a shared machine: memory does not depend on the load, time does.

usage: nice python bench/bench_cv_memory.py [--counts 1000 5000] [--image-size 16] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from torch_project import installed

PACKAGE = "digit_bench"
# Written by the project's Python (it has Pillow): `count` images under `root/<class>/`.
DRAW = """
import random, sys
from pathlib import Path
from PIL import Image, ImageDraw

root, count = Path(sys.argv[1]), int(sys.argv[2])
rng = random.Random(0)
labels = ["stripes", "bars", "checks", "dots"]
for n in range(count):
    label = labels[n % 4]
    side = rng.choice([64, 96, 128, 160])
    mode = ["RGB", "RGBA", "L"][n % 3]
    image = Image.new(mode, (side, side), "white")
    draw = ImageDraw.Draw(image)
    ink = "black" if mode == "L" else tuple(rng.randint(0, 120) for _ in range(3))
    step = side // rng.randint(3, 5)
    for i in range(0, side, step):
        if label == "stripes":
            draw.rectangle([0, i, side, i + step // 2], fill=ink)
        elif label == "bars":
            draw.rectangle([i, 0, i + step // 2, side], fill=ink)
        else:
            for j in range(0, side, step):
                if label == "dots":
                    draw.ellipse([i, j, i + step // 2, j + step // 2], fill=ink)
                elif (i + j) // step % 2 == 0:
                    draw.rectangle([i, j, i + step, j + step], fill=ink)
    folder = root / label
    folder.mkdir(parents=True, exist_ok=True)
    image.save(folder / f"{n:05d}.png")
"""


def measured(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident memory (MB) of `command`, which must pass."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command} failed:\n{output}")
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1024 * 1024 if os.uname().sysname == "Darwin" else 1024
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument(
        "--image-size", type=int, default=16, help="image.size in the config (default: 16)"
    )
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-cv-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    project, venv = work / "digit-bench", work / "venv"
    env = installed("cv", project, venv)
    python = str(venv / "bin" / "python")

    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    rows = []
    for count in args.counts:
        images = work / f"images-{count}"
        if not images.exists():
            subprocess.run([python, "-c", DRAW, str(images), str(count)], check=True, env=env)
        config = project / "configs" / f"own-{count}-{args.image_size}.yaml"
        text = (project / "configs" / "config.yaml").read_text(encoding="utf-8")
        text = text.replace("root: data/sample/digits.npz", f"root: {images}", 1)
        text = text.replace("  size: 16 ", f"  size: {args.image_size} ", 1)
        config.write_text(text, encoding="utf-8")
        wall, cpu, peak = measured(
            [str(venv / "bin" / PACKAGE), "train", "--config", str(config)], project, env
        )
        metrics = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
        rows.append((count, peak, cpu, wall, metrics))
    print(f"load average after: {os.getloadavg()}")
    print()
    print("| images | image.size | peak resident memory | CPU time | wall time | test accuracy |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for count, peak, cpu, wall, metrics in rows:
        print(
            f"| {count:,} | {args.image_size} | {peak:.0f} MB | {cpu:.1f} s | {wall:.1f} s | "
            f"{metrics['accuracy']:.4f} |"
        )


if __name__ == "__main__":
    main()
