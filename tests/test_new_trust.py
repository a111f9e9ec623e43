"""What a template may not do without `--trust`, in a fork of the template set (`--templates-dir`)
and in a custom template (a local path or a git URL): read files outside itself through a
symbolic link, or run its own code (Jinja extensions, tasks, migrations).

Each is refused before anything is rendered or imported, naming the link and its target or the
code; with `--trust` Copier's own rules apply. Links that stay inside their template are fine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, assert_clean_failure, git, run_scaffold

SECRET = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-really-a-key\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A private key outside every template, as ~/.ssh/id_rsa is."""
    key = tmp_path / "home" / ".ssh" / "id_rsa"
    key.parent.mkdir(parents=True)
    key.write_text(SECRET, encoding="utf-8")
    return key


@pytest.fixture
def fork(tmp_path: Path) -> Path:
    """A bootcamp's copy of the built-in template set."""
    copy = tmp_path / "fork"
    shutil.copytree(REPO_ROOT / "templates", copy)
    return copy


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def new(work: Path, *args: str | Path, env: dict[str, str] | None = None):
    return run_scaffold("new", work / "p", "--defaults", *args, env=env)


# --- Links in a fork of the template set ------------------------------------------------------


def test_a_link_out_of_a_fork_layer_is_refused_naming_link_and_target(
    fork: Path, work: Path, secret: Path
) -> None:
    (fork / "nlp" / "template" / "key.txt").symlink_to(secret)
    result = new(work, "-t", "nlp", "--templates-dir", fork)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "key.txt", str(secret), "--trust")
    assert list(work.iterdir()) == []


def test_a_linked_folder_out_of_a_fork_layer_is_refused(
    fork: Path, work: Path, secret: Path
) -> None:
    (fork / "mlops" / "template" / "keys").symlink_to(secret.parent, target_is_directory=True)
    result = new(work, "-t", "nlp", "--templates-dir", fork)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "keys", str(secret.parent))
    assert list(work.iterdir()) == []


def test_a_link_into_another_layer_of_the_set_leaves_its_template(fork: Path, work: Path) -> None:
    """Each layer is a Copier template of its own: a link may not reach into its neighbour."""
    (fork / "nlp" / "template" / "borrowed.yml").symlink_to(Path("../../mlops/copier.yml"))
    result = new(work, "-t", "nlp", "--templates-dir", fork)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "borrowed.yml", str(fork / "mlops" / "copier.yml"))


def test_with_trust_a_link_out_of_a_fork_follows_copiers_rule(
    fork: Path, work: Path, secret: Path
) -> None:
    """--trust lets Copier judge the link as it would in that layer: it refuses to copy a file
    from outside a template. The key never reaches the project."""
    (fork / "nlp" / "template" / "key.txt").symlink_to(secret)
    result = new(work, "-t", "nlp", "--templates-dir", fork, "--trust")
    assert_clean_failure(result, "key.txt")
    assert list(work.iterdir()) == []


def test_links_inside_a_layer_render_as_copier_renders_them(fork: Path, work: Path) -> None:
    """A link to a file or a folder of the same layer is followed: the project gets its content."""
    layer = fork / "nlp" / "template"
    (layer / "shared").mkdir()
    (layer / "shared" / "hello.txt").write_text("hello from inside\n", encoding="utf-8")
    (layer / "hello-link.txt").symlink_to(Path("shared/hello.txt"))
    (layer / "more").symlink_to(Path("shared"), target_is_directory=True)
    result = new(work, "-t", "nlp", "--templates-dir", fork)
    assert result.returncode == 0, result.stderr
    project = work / "p"
    for path in (project / "hello-link.txt", project / "more" / "hello.txt"):
        assert not path.is_symlink() and path.read_text(encoding="utf-8") == "hello from inside\n"
    assert git(project, "status", "--porcelain") == ""


# --- Links in a custom template -----------------------------------------------------------------


def custom_template(root: Path, config: str = "") -> Path:
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text("_subdirectory: template\n" + config, encoding="utf-8")
    (root / "template" / "hello.txt").write_text("hi\n", encoding="utf-8")
    return root


def test_a_link_out_of_a_custom_template_is_refused_before_rendering(
    tmp_path: Path, work: Path, secret: Path
) -> None:
    template = custom_template(tmp_path / "tpl")
    (template / "template" / "key.txt").symlink_to(secret)
    result = new(work, "-t", template)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "key.txt", str(secret), "--trust")
    assert list(work.iterdir()) == []


def test_a_link_beside_the_subdirectory_is_refused_too(
    tmp_path: Path, work: Path, secret: Path
) -> None:
    """Outside `_subdirectory` but inside the template: Jinja's include can still read it."""
    template = custom_template(tmp_path / "tpl")
    (template / "key.txt").symlink_to(secret)
    (template / "template" / "leak.txt.jinja").write_text("{% include 'key.txt' %}")
    result = new(work, "-t", template)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "key.txt", str(secret))
    assert list(work.iterdir()) == []


def test_a_link_out_of_a_git_template_is_refused(tmp_path: Path, work: Path, secret: Path) -> None:
    template = custom_template(tmp_path / "tpl")
    (template / "template" / "key.txt").symlink_to(secret)
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "v1")
    git(template, "tag", "v1")
    result = new(work, "-t", f"file://{template}")
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "key.txt", str(secret))
    assert list(work.iterdir()) == []


def test_preserved_links_out_need_trust_and_then_stay_links(
    tmp_path: Path, work: Path, secret: Path
) -> None:
    """A template that keeps its links as links (`_preserve_symlinks`): the project would get a
    link to a file of the template author's machine. Refused; with --trust, Copier makes it."""
    template = custom_template(tmp_path / "tpl", "_preserve_symlinks: true\n")
    (template / "template" / "key.txt").symlink_to(secret)
    refused = new(work, "-t", template)
    assert refused.returncode == 2, refused.stderr
    assert_clean_failure(refused, "key.txt", str(secret))
    trusted = new(work, "-t", template, "--trust")
    assert trusted.returncode == 0, trusted.stderr
    link = work / "p" / "key.txt"
    assert link.is_symlink() and Path(link.readlink()) == secret
    assert git(work / "p", "cat-file", "-p", "HEAD:key.txt") == str(secret)  # not the key


# --- Code a template would run ----------------------------------------------------------------

EXTENSION = """\
from pathlib import Path

from jinja2.ext import Extension

Path({marker!r}).write_text("imported\\n")


class Shout(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["shout"] = lambda text: str(text).upper() + "!"
"""


@pytest.fixture
def extension(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An importable Jinja extension module that leaves a marker file when it is imported."""
    modules = tmp_path / "modules"
    modules.mkdir()
    marker = tmp_path / "extension-was-imported"
    (modules / "shouting.py").write_text(EXTENSION.format(marker=str(marker)), encoding="utf-8")
    return {"PYTHONPATH": str(modules)}, marker


def add_extension(layer: Path) -> None:
    config = yaml.safe_load((layer / "copier.yml").read_text(encoding="utf-8"))
    config["_jinja_extensions"] = ["shouting.Shout"]
    (layer / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("layer", ["mlops", "nlp"])
def test_a_fork_layers_jinja_extension_is_refused_before_it_is_imported(
    fork: Path, work: Path, extension: tuple[dict[str, str], Path], layer: str
) -> None:
    env, marker = extension
    for name in ("mlops", "classification", "nlp") if layer == "mlops" else (layer,):
        add_extension(fork / name)  # a shared setting: every layer names it, so they merge
    result = new(work, "-t", "nlp", "--templates-dir", fork, env=env)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "shouting.Shout", "--trust", str(fork / layer))
    assert not marker.exists(), "the extension was imported without --trust"
    assert list(work.iterdir()) == []


def test_one_layers_extension_is_refused_even_when_the_layers_cannot_merge(
    fork: Path, work: Path, extension: tuple[dict[str, str], Path]
) -> None:
    """Only nlp names the extension: the layers then render one Copier run each."""
    env, marker = extension
    add_extension(fork / "nlp")
    result = new(work, "-t", "nlp", "--templates-dir", fork, env=env)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "shouting.Shout")
    assert not marker.exists()


def test_a_custom_templates_extension_is_refused_and_works_with_trust(
    tmp_path: Path, work: Path, extension: tuple[dict[str, str], Path]
) -> None:
    env, marker = extension
    template = custom_template(tmp_path / "tpl", "_jinja_extensions: [shouting.Shout]\n")
    (template / "template" / "loud.txt.jinja").write_text("{{ 'hello' | shout }}\n")
    refused = new(work, "-t", template, env=env)
    assert refused.returncode == 2, refused.stderr
    assert_clean_failure(refused, "shouting.Shout", "--trust")
    assert not marker.exists()
    trusted = new(work, "-t", template, "--trust", env=env)
    assert trusted.returncode == 0, trusted.stderr
    assert (work / "p" / "loud.txt").read_text(encoding="utf-8") == "HELLO!\n"


def test_tasks_and_migrations_are_named_in_one_refusal(tmp_path: Path, work: Path) -> None:
    template = custom_template(
        tmp_path / "tpl",
        "_tasks: ['touch task-ran']\n_migrations:\n  - version: v2\n    command: touch migrated\n",
    )
    result = new(work, "-t", template)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "tasks", "migrations", "--trust")
    assert list(work.iterdir()) == []


def test_update_refuses_a_forks_extension_before_importing_it(
    tmp_path: Path, extension: tuple[dict[str, str], Path]
) -> None:
    env, marker = extension
    project = tmp_path / "proj"
    made = run_scaffold("new", project, "-t", "nlp", "--defaults")
    assert made.returncode == 0, made.stderr
    fork = tmp_path / "fork"
    shutil.copytree(REPO_ROOT / "templates", fork)
    for name in ("mlops", "classification", "nlp"):
        add_extension(fork / name)
    catalog = yaml.safe_load((fork / "catalog.yml").read_text(encoding="utf-8"))
    catalog["version"] = "99.0.0"
    (fork / "catalog.yml").write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    head = git(project, "rev-parse", "HEAD")
    result = run_scaffold("update", project, "--templates-dir", fork, env=env)
    assert result.returncode == 2, result.stderr
    assert_clean_failure(result, "shouting.Shout", "--trust")
    assert not marker.exists()
    assert git(project, "rev-parse", "HEAD") == head and git(project, "status", "--porcelain") == ""
