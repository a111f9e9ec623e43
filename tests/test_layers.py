"""One Copier run for a whole layer stack: the merged view renders exactly what one run per
layer renders, falls back to one run per layer when the layers' settings do not merge, and
never lets compiled or cache files into a project."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, run_scaffold

from scaffold import layers
from scaffold.rendering import BuiltinTemplate, RenderJob
from scaffold.templates import load_template_set

ANSWERS = {"author_name": "Ada", "author_email": "ada@example.org"}


def four_layer_set(root: Path) -> Path:
    """The built-in set with one more layer in NLP's stack: mlops, classification, shared, nlp."""
    shutil.copytree(REPO_ROOT / "templates", root)
    shared = root / "shared"
    (shared / "template" / "src" / "{{ package_name }}").mkdir(parents=True)
    (shared / "copier.yml").write_text(
        "_subdirectory: template\n_min_copier_version: '9.4'\n_templates_suffix: .jinja\n"
        "shared_note:\n  type: str\n  help: A question of the middle layer\n  default: hello\n",
        encoding="utf-8",
    )
    for name in ("predict.py.jinja", "evaluate.py.jinja"):
        source = root / "nlp" / "template" / "src" / "{{ package_name }}" / name
        source.rename(shared / "template" / "src" / "{{ package_name }}" / name)
    (shared / "template" / "SHARED.md.jinja").write_text("{{ shared_note }} from the middle\n")
    catalog_path = root / "catalog.yml"
    catalog = yaml.safe_load(catalog_path.read_text(encoding="utf-8"))
    catalog["specializations"]["nlp"]["layers"] = ["mlops", "classification", "shared", "nlp"]
    catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    return root


def render(template_set: Path, dest: Path, monkeypatch: pytest.MonkeyPatch, merged: bool) -> Path:
    with monkeypatch.context() as patch:
        if not merged:

            def refuse(stack: tuple[Path, ...]) -> dict:
                raise layers.NotMergeable("forced: one run per layer")

            patch.setattr(layers, "merged_config", refuse)
        loaded = load_template_set(template_set)
        job = RenderJob(BuiltinTemplate(loaded.get("nlp"), loaded), data=ANSWERS, defaults=True)
        job.render(dest)
    return dest


def same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right)
    pending = [comparison]
    while pending:
        current = pending.pop()
        if current.left_only or current.right_only or current.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(
            current.left, current.right, current.common_files, shallow=False
        )
        if mismatch or errors:
            return False
        pending.extend(current.subdirs.values())
    return True


def add_links_inside(layer: Path) -> None:
    """Links that stay in their layer: to a file, to a folder, to a file beside `template/`."""
    files = layer / "template"
    (files / "docs").mkdir()
    (files / "docs" / "guide.md").write_text("the guide\n", encoding="utf-8")
    (layer / "NOTES.md").write_text("notes beside the template folder\n", encoding="utf-8")
    (files / "GUIDE.md").symlink_to(Path("docs/guide.md"))
    (files / "handbook").symlink_to(Path("docs"), target_is_directory=True)
    (files / "NOTES.md").symlink_to(Path("../NOTES.md"))


@pytest.mark.parametrize("stack", ["built-in three layers", "four layers", "links inside"])
def test_merged_view_renders_what_one_run_per_layer_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stack: str
) -> None:
    template_set = REPO_ROOT / "templates"
    if stack != "built-in three layers":
        template_set = four_layer_set(tmp_path / "set")
    if stack == "links inside":
        add_links_inside(template_set / "shared")
    merged = render(template_set, tmp_path / "merged" / "proj", monkeypatch, merged=True)
    each = render(template_set, tmp_path / "each" / "proj", monkeypatch, merged=False)
    assert same_tree(merged, each)
    assert (merged / "src" / "proj" / "plots.py").is_file()  # from the classification layer
    if stack == "links inside":
        assert (merged / "handbook" / "guide.md").read_text() == "the guide\n"
        assert (merged / "NOTES.md").read_text() == "notes beside the template folder\n"
        assert not any(path.is_symlink() for path in merged.rglob("*"))
    if stack != "built-in three layers":
        assert (merged / "SHARED.md").read_text() == "hello from the middle\n"
        assert (
            yaml.safe_load((merged / ".copier-answers.yml").read_text())["shared_note"] == "hello"
        )


def test_new_renders_a_four_layer_stack(tmp_path: Path) -> None:
    template_set = four_layer_set(tmp_path / "set")
    result = run_scaffold(
        "new", tmp_path / "p", "-t", "nlp", "--defaults", "--data", "shared_note=hi",
        "--templates-dir", template_set,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "p" / "SHARED.md").read_text() == "hi from the middle\n"
    assert (tmp_path / "p" / "src" / "p" / "evaluate.py").is_file()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("exclude", "_exclude"),
        ("suffix", "_templates_suffix"),
        ("tasks", "tasks"),
        ("question", "'license'"),
    ],
)
def test_layers_that_do_not_merge_render_one_run_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, reason: str
) -> None:
    template_set = four_layer_set(tmp_path / "set")
    shared = template_set / "shared"
    config = shared / "copier.yml"
    text = config.read_text(encoding="utf-8")
    if change == "exclude":  # the middle layer drops its own notes, and only its own
        (shared / "template" / "NOTES.md").write_text("internal\n")
        config.write_text(text + "_exclude: ['NOTES.md', 'README.md']\n")
    elif change == "suffix":
        (shared / "template" / "SHARED.md.jinja").rename(shared / "template" / "SHARED.md.tmpl")
        config.write_text(text.replace(".jinja", ".tmpl"))
    elif change == "tasks":
        config.write_text(text + "_tasks: ['touch from-the-middle-layer']\n")
    else:
        config.write_text(text + "license:\n  type: str\n  default: MIT\n")
    with pytest.raises(layers.NotMergeable, match=reason):
        layers.merged_config(load_template_set(template_set).get("nlp").layers)

    if change == "tasks":
        return  # tasks need --trust: the fallback's rendering is the same as for the others
    dest = render(template_set, tmp_path / "out" / "proj", monkeypatch, merged=True)
    assert (dest / "SHARED.md").read_text() == "hello from the middle\n"
    assert (dest / "README.md").is_file()  # another layer's file, not excluded by this one
    assert not (dest / "NOTES.md").exists()


def test_compiled_and_cache_files_never_reach_a_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As pip leaves them next to a wheel's .py template files: both rendering paths drop them."""
    template_set = four_layer_set(tmp_path / "set")
    for layer in ("mlops", "classification", "shared", "nlp"):
        package = template_set / layer / "template" / "src" / "{{ package_name }}"
        package.mkdir(parents=True, exist_ok=True)
        (package / "__pycache__").mkdir(exist_ok=True)
        (package / "__pycache__" / "plots.cpython-311.pyc").write_bytes(b"\x00compiled")
        (package / "stale.pyc").write_bytes(b"\x00compiled")
        (template_set / layer / "template" / ".DS_Store").write_bytes(b"\x00")
    for merged in (True, False):
        dest = render(template_set, tmp_path / f"out-{merged}" / "proj", monkeypatch, merged)
        junk = [
            path
            for path in dest.rglob("*")
            if path.name in ("__pycache__", ".DS_Store") or path.suffix in (".pyc", ".pyo")
        ]
        assert junk == [], (merged, junk)


@pytest.mark.parametrize("merged", [True, False])
def test_a_layers_readme_sections_go_into_the_readme_not_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merged: bool
) -> None:
    template_set = four_layer_set(tmp_path / "set")
    # The topmost layer's section wins: leave NLP's own-data section out of this one.
    (template_set / "nlp" / "template" / "readme" / "own-data.md.jinja").unlink(missing_ok=True)
    sections = template_set / "shared" / "template" / "readme"
    sections.mkdir()
    (sections / "own-data.md.jinja").write_text("Bring {{ package_name }} your own rows.\n")
    (sections / "usage.md.jinja").write_text("## Middle usage\n\nFrom the middle layer.\n")
    dest = render(template_set, tmp_path / "out" / "proj", monkeypatch, merged=merged)
    readme = (dest / "README.md").read_text(encoding="utf-8")
    assert "## Use your own data\n\nBring proj your own rows.\n" in readme
    assert readme.index("## Results") < readme.index("## Use your own data")
    assert readme.index("## Quickstart") < readme.index("## Middle usage")
    assert not (dest / "readme").exists()
