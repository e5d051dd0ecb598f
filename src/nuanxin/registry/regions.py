"""Region names as offices write them, resolved to regions of the tree.

A sheet may say "440804001001", "坡头区南调街道海盛社区", "坡头区 / 南调街道 / 海盛社区",
"南调街道海盛社区", "坡头 南调 海盛" or give county, street and community in three columns.
The resolver reads the text as a chain of names, each one below the previous one in the tree
(levels may be skipped), with or without suffixes (区/县/市, 街道/镇/乡, 社区/村, 居委会), and
accepts it when exactly one region fits. Same-named streets in two counties ("海滨街道") need
their county. The tree is kept in memory per process and rebuilt when regions change.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.stamps import StampedCache
from nuanxin.geo.models import Region
from nuanxin.geo.services import REGIONS_TOPIC
from nuanxin.registry.cleaning import FieldProblem

# Suffixes that may be left out when a name is written; longest first.
_SUFFIXES = ("社区居民委员会", "村民委员会", "居民委员会", "社区居委会", "居委会", "村委会",
             "街道办事处", "街道", "农场", "社区", "区", "县", "市", "镇", "乡", "村")  # fmt: skip
# Committee forms of a community's name mean the community itself.
_COMMITTEE_FORMS = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("街道办事处", "街道"),
)
_SEPARATORS = re.compile(r"[/\\|>,，、;；·\s]+")
_MAX_NAME = 16


@dataclass(frozen=True)
class RegionNode:
    id: int
    code: str
    name: str
    level: str
    depth: int
    path: str
    parent_id: int | None

    def is_below(self, other: "RegionNode | None") -> bool:
        if other is None:
            return True
        return self.path.startswith(other.path) and self.depth > other.depth


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip()
    for long_form, short_form in _COMMITTEE_FORMS:
        text = text.replace(long_form, short_form)
    return text


def _short(name: str) -> str | None:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@dataclass
class RegionIndex:
    by_id: dict[int, RegionNode] = field(default_factory=dict)
    by_code: dict[str, RegionNode] = field(default_factory=dict)
    by_name: dict[str, list[RegionNode]] = field(default_factory=dict)

    def add(self, node: RegionNode) -> None:
        self.by_id[node.id] = node
        self.by_code[node.code] = node
        names = {node.name}
        if short := _short(node.name):
            names.add(short)
        for name in names:
            self.by_name.setdefault(name, []).append(node)

    def full_name(self, node: RegionNode) -> str:
        """County + street + community (+ grid) names, without the city."""
        names = []
        current: RegionNode | None = node
        while current is not None and current.depth > 0:
            names.append(current.name)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return "".join(reversed(names))

    def ancestor_at_depth(self, node: RegionNode, depth: int) -> RegionNode | None:
        current: RegionNode | None = node
        while current is not None and current.depth > depth:
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return current if current is not None and current.depth == depth else None


def _build() -> RegionIndex:
    index = RegionIndex()
    rows = Region.objects.values_list("id", "code", "name", "level", "depth", "path", "parent_id")
    for row in rows.iterator(chunk_size=5000):
        index.add(RegionNode(*row))
    return index


region_names: StampedCache[RegionIndex] = StampedCache(REGIONS_TOPIC, _build)


class RegionResolver:
    """Resolves region texts against one snapshot of the tree, remembering every answer."""

    def __init__(self, index: RegionIndex | None = None) -> None:
        self.index = index or region_names.get()
        self._memo: dict[tuple[str, ...], RegionNode | FieldProblem] = {}
        self._raw_memo: dict[tuple[Any, ...], RegionNode | FieldProblem | None] = {}

    def node(self, region_id: int) -> RegionNode:
        return self.index.by_id[region_id]

    def resolve(self, *parts: str) -> RegionNode | None:
        """The region named by ``parts`` (one text, or county/street/community), None if blank.

        Raises ``FieldProblem`` (``registry.unknown_region`` / ``registry.ambiguous_region``).
        """
        raw = tuple(parts)
        if raw in self._raw_memo:
            found = self._raw_memo[raw]
            if isinstance(found, FieldProblem):
                raise found
            return found
        try:
            found = self._resolve_parts(raw)
        except FieldProblem as problem:
            self._raw_memo[raw] = problem
            raise
        self._raw_memo[raw] = found
        return found

    def _resolve_parts(self, parts: tuple[Any, ...]) -> RegionNode | None:
        cleaned = tuple(p for p in (_normalise(str(p)) for p in parts if p is not None) if p)
        if not cleaned:
            return None
        if cleaned not in self._memo:
            try:
                self._memo[cleaned] = self._resolve(cleaned)
            except FieldProblem as problem:
                self._memo[cleaned] = problem
        found = self._memo[cleaned]
        if isinstance(found, FieldProblem):
            raise found
        return found

    def _resolve(self, parts: tuple[str, ...]) -> RegionNode:
        tokens = [t for part in parts for t in _SEPARATORS.split(part) if t]
        if len(tokens) == 1 and tokens[0] in self.index.by_code:
            return self.index.by_code[tokens[0]]
        ends: set[RegionNode] = {None}  # type: ignore[arg-type]
        for token in tokens:
            if token in self.index.by_code:
                code_node = self.index.by_code[token]
                ends = {code_node} if any(code_node.is_below(e) for e in ends) else set()
            else:
                ends = {end for start in ends for end in self._chains(token, 0, start)}
            if not ends:
                raise FieldProblem(
                    "registry.unknown_region",
                    _("找不到区域“%(text)s”，请检查县（市、区）、街道（镇）、社区（村）名称。")
                    % {"text": "".join(parts)[:40]},
                )
        if len(ends) > 1:
            # A name that repeats below the one chosen is the deeper match of the same place
            # only if all candidates are on one line; otherwise the text is ambiguous.
            shallowest = min(ends, key=lambda n: n.depth)
            if not all(n is shallowest or n.is_below(shallowest) for n in ends):
                names = "、".join(sorted(self.index.full_name(n) for n in ends)[:3])
                raise FieldProblem(
                    "registry.ambiguous_region",
                    _("“%(text)s”有多个同名区域（%(names)s），请写明上级区域。")
                    % {"text": "".join(parts)[:40], "names": names},
                )
            return shallowest
        return next(iter(ends))

    def _chains(self, text: str, pos: int, start: RegionNode | None) -> set[RegionNode]:
        """Every region reached by reading ``text[pos:]`` as names going down from ``start``."""
        found: set[RegionNode] = set()
        for end in range(min(len(text), pos + _MAX_NAME), pos, -1):
            for node in self.index.by_name.get(text[pos:end], ()):
                if node.depth == 0 and start is None:
                    # The city's own name is a harmless prefix: "湛江市坡头区…".
                    found |= {node} if end == len(text) else self._chains(text, end, None)
                    continue
                if not node.is_below(start):
                    continue
                if end == len(text):
                    found.add(node)
                else:
                    found |= self._chains(text, end, node)
        return found
