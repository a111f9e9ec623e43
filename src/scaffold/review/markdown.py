"""Reading Markdown documents the way a reviewer skims them: the title, the sections under
their headings, the prose (not code), the code blocks, the images and the links.

Built on markdown-it (a dependency of repo-review). Numbers and placeholder text are found with
regular expressions, on prose only, so a tree listing or a code sample never counts as writing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"

# Words a template leaves for its user to replace, or a user leaves for later.
PLACEHOLDER = re.compile(
    r"\b(?:todo|tbd|tba|fixme|lorem ipsum|coming soon|no results yet|more information needed"
    r"|to be (?:added|done|written|filled in|determined)|add (?:your|a) (?:description|results)"
    r"|a short description of the project)\b|\[(?:insert|add|your)\b[^\]]*\]|\bX{2,}\b|\?{3}",
    re.IGNORECASE,
)
# A number as a result reads: 0.87, 87.3 %, .91, 1,234 (not a version like 3.10.2).
NUMBER = re.compile(r"(?<![\w.])(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)(?![\w.]*\d)(\s*%)?")
SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "zsh", "shell-session", "powershell", "ps1"}
COMMAND_START = re.compile(
    r"^\s*(?:\$ |> )?(?:uv|uvx|pip|pip3|python|python3|py|make|docker|conda|mamba|poetry|pixi|"
    r"hatch|pdm|git|jupyter|streamlit|gradio|dvc|pytest|source|\.|export|cd)\b"
)


@dataclass
class Section:
    """A heading and what follows it, up to the next heading of the same or a higher level."""

    title: str
    level: int
    prose: list[str] = field(default_factory=list)  # paragraphs, list items and table cells
    code: list[tuple[str, str]] = field(default_factory=list)  # (language, text) of each block
    text: str = ""  # the section's source lines, headings of subsections included

    @property
    def words(self) -> int:
        return sum(len(paragraph.split()) for paragraph in self.prose)


@dataclass
class Document:
    source: str
    title: str
    intro: Section  # what comes before the first heading below the title
    sections: list[Section]
    images: list[str]  # sources of images, Markdown or HTML
    links: list[tuple[str, str]]  # (text, target)

    def body(self, section: Section) -> list[Section]:
        """`section` and its subsections."""
        start = self.sections.index(section)
        following = self.sections[start + 1 :]
        end = next((i for i, s in enumerate(following) if s.level <= section.level), None)
        return [section, *following[:end]]

    def words(self, section: Section) -> int:
        """Words of prose in `section` and its subsections."""
        return sum(part.words for part in self.body(section))

    def find(self, pattern: str) -> list[Section]:
        """Sections whose title matches the regular expression `pattern` (any case)."""
        regex = re.compile(pattern, re.IGNORECASE)
        return [section for section in self.sections if regex.search(section.title)]

    @property
    def prose(self) -> list[str]:
        return [p for section in (self.intro, *self.sections) for p in section.prose]

    @property
    def code(self) -> list[tuple[str, str]]:
        return [c for section in (self.intro, *self.sections) for c in section.code]

    def marked_results(self) -> str | None:
        """The text between `<!-- results:start -->` and `<!-- results:end -->`, if marked."""
        start = self.source.find(RESULTS_START)
        end = self.source.find(RESULTS_END, start + 1)
        if start == -1 or end == -1:
            return None
        return self.source[start + len(RESULTS_START) : end].strip()


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)


def parse(source: str) -> Document:
    tokens = _parser().parse(source)
    lines = source.splitlines()
    title, intro = "", Section("", 0)
    sections: list[Section] = []
    images: list[str] = []
    links: list[tuple[str, str]] = []
    current = intro
    open_sections: list[tuple[Section, int]] = []  # (section, first line) awaiting their end
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = int(token.tag[1:])
            text = tokens[index + 1].content.strip()
            start = token.map[0] if token.map else 0
            for section, first in [(s, f) for s, f in open_sections if s.level >= level]:
                section.text = "\n".join(lines[first:start])
                open_sections.remove((section, first))
            if level == 1 and not title and not sections:
                title = text
            else:
                current = Section(text, level)
                sections.append(current)
                open_sections.append((current, start))
            index += 3
            continue
        if token.type == "inline":
            _collect_inline(token, images, links)
            if text := _inline_text(token).strip():
                current.prose.append(text)
        elif token.type in ("fence", "code_block"):
            current.code.append((token.info.strip().split(" ")[0].lower(), token.content))
        elif token.type in ("html_block", "html_inline"):
            images += _HTML_IMAGE.findall(token.content)
        index += 1
    for section, first in open_sections:
        section.text = "\n".join(lines[first:])
    return Document(source, title, intro, sections, images, links)


def _collect_inline(token: Token, images: list[str], links: list[tuple[str, str]]) -> None:
    children = token.children or []
    for position, child in enumerate(children):
        if child.type == "image":
            images.append(str(child.attrGet("src") or ""))
        elif child.type == "link_open":
            text = []
            for after in children[position + 1 :]:
                if after.type == "link_close":
                    break
                text.append(after.content)
            links.append(("".join(text), str(child.attrGet("href") or "")))
        elif child.type == "html_inline":
            images += _HTML_IMAGE.findall(child.content)


def _inline_text(token: Token) -> str:
    """What a reader reads: text and code spans, without images (badges) or HTML."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def placeholders(text: str) -> list[str]:
    """The placeholder phrases in `text`, as written."""
    return [match.group(0) for match in PLACEHOLDER.finditer(text)]


def numbers(text: str) -> list[tuple[float, int, bool]]:
    """Every number in `text` as (value, decimals shown, is a percentage)."""
    found = []
    for match in NUMBER.finditer(text):
        digits = match.group(1).replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        found.append((float(digits), decimals, bool(match.group(2))))
    return found


def is_command_block(language: str, code: str) -> bool:
    """A block of shell commands (install, train, run), not a tree listing or an output."""
    if "├──" in code or "└──" in code:
        return False
    if language in SHELL_LANGUAGES:
        return True
    return any(COMMAND_START.match(line) for line in code.splitlines())
