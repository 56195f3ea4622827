"""What a lockfile really installs: its dependency graph walked from the project.

A lockfile lists every package any environment may need; which of them one
environment installs follows from the *edges*: the project's dependencies (and
its extras and dependency groups), each package's dependencies, each edge with
a marker (``python_full_version < '3.13'``, ``sys_platform == 'win32'``) and
perhaps extras of its own. :class:`LockGraph` holds those edges as the lock
writes them; :func:`walk` follows them from the roots for one target and
platform, evaluating each distinct marker once, and says for every package
whether it is installed, the chains that bring it in, and, when it is not, why.

>>> graph = LockGraph(
...     nodes=(
...         LockNode("demo", None, edges=(LockEdge("a"),), extras={"docs": (LockEdge("b"),)}),
...         LockNode("a", "1", edges=(LockEdge("w", marker="sys_platform == 'win32'"),)),
...         LockNode("b", "2"),
...         LockNode("w", "3"),
...     ),
...     roots=(0,),
... )
>>> found = walk(graph, "3.14t", "manylinux_x86_64", Selection())
>>> sorted(found.chains), found.reasons
(['a 1', 'b 2'], {'w 3': "only for sys_platform == 'win32' (required by a)"})
>>> found.chains["b 2"]
(('demo[docs]',),)
>>> walk(graph, "3.14t", "manylinux_x86_64", Selection(extras=frozenset())).reasons["b 2"]
"only with the extra 'docs' of demo (not selected)"
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable

import msgspec

from tracker.audit.environment import marker_applies
from tracker.models import Dependency

__all__ = [
    "SYNTHETIC_ROOT",
    "LockEdge",
    "LockGraph",
    "LockNode",
    "Selection",
    "Walk",
    "explaining_graph",
    "installed_only",
    "node_key",
    "unknown_choices",
    "walk",
]

#: How many chains are kept per package (the shortest through each of its parents).
MAX_CHAINS = 3
#: The name of a root made up where the lock names none (it is left out of chains).
SYNTHETIC_ROOT = "(project)"
#: Dependency groups ``--no-dev`` leaves out (uv's and Poetry's names for them).
DEV_GROUPS = frozenset({"dev"})
#: How uv names an extra or a group in the markers of conflicting ones (``extra-3-foo-cpu``).
_CONFLICT_EXTRA = re.compile(r"""extra\s*==\s*['"](?:extra|group)-\d+-""")


def node_key(name: str, version: str | None) -> str:
    """How a package is named in walks and chains: ``name version``."""
    return f"{name} {version}" if version else name


class LockEdge(msgspec.Struct, frozen=True):
    """One dependency of a package as the lock writes it.

    ``version`` is set where the lock names it (a package locked in several
    versions); ``extras`` are the extras the edge asks for; ``optional`` marks a
    Poetry dependency installed only through one of its depender's extras.
    """

    name: str
    version: str | None = None
    marker: str = ""
    extras: tuple[str, ...] = ()
    optional: bool = False


class LockNode(msgspec.Struct, frozen=True):
    """One package of the lock and its outgoing edges (extras' and groups' apart)."""

    name: str
    version: str | None
    edges: tuple[LockEdge, ...] = ()
    extras: dict[str, tuple[LockEdge, ...]] = {}
    groups: dict[str, tuple[LockEdge, ...]] = {}
    #: Poetry: the names of optional dependencies each extra turns on.
    extra_names: dict[str, tuple[str, ...]] = {}


class LockGraph(msgspec.Struct, frozen=True):
    """A lock's packages and edges, and the nodes the walk starts from (the project,
    or every member of a workspace). ``note`` says how the roots were found when
    the lock does not name them."""

    nodes: tuple[LockNode, ...]
    roots: tuple[int, ...]
    note: str = ""
    #: Whether the walk decides what is installed; False: the lock's own per-package
    #: markers do, and the walk only gives each package its chains.
    decides: bool = True


class Selection(msgspec.Struct, frozen=True):
    """Which of the roots' extras and dependency groups an audit installs.

    None means all of them (the default: a lock serves every combination);
    ``no_dev`` leaves the development group out.
    """

    extras: frozenset[str] | None = None
    groups: frozenset[str] | None = None
    no_dev: bool = False

    def extra_selected(self, extra: str) -> bool:
        """Whether the roots' ``extra`` is installed."""
        return self.extras is None or extra in self.extras

    def group_selected(self, group: str) -> bool:
        """Whether the roots' dependency group ``group`` is installed."""
        if self.no_dev and group in DEV_GROUPS:
            return False
        return self.groups is None or group in self.groups


class Walk(msgspec.Struct, frozen=True):
    """What :func:`walk` found: for each installed package (by :func:`node_key`) its
    chains (each from the package's parent up to a root), and for each package that
    is not installed, why."""

    chains: dict[str, tuple[tuple[str, ...], ...]]
    reasons: dict[str, str]

    def installs(self, name: str, version: str | None) -> bool | None:
        """Whether the package is installed; None when the lock does not hold it."""
        key = node_key(name, version)
        if key in self.chains:
            return True
        return False if key in self.reasons else None


def walk(graph: LockGraph, target: str, platform: str, selection: Selection) -> Walk:
    """Follow ``graph`` from its roots on ``target`` × ``platform``.

    An edge is followed when its marker holds there (markers are evaluated once
    each, :func:`~tracker.audit.environment.marker_applies` caches them); a
    root's extras and groups when ``selection`` takes them; a package's extras
    when an edge into it asks for them. Breadth first, so each package's first
    chain is a shortest one.
    """
    by_name: dict[str, list[int]] = {}
    for index, node in enumerate(graph.nodes):
        by_name.setdefault(node.name, []).append(index)
    keys = [node_key(n.name, n.version) for n in graph.nodes]
    parents: dict[int, list[tuple[int, str]]] = {}  # node -> (parent, label of parent)
    active: dict[int, set[str]] = {}  # node -> extras turned on
    failed: dict[int, str] = {}
    queue: deque[int] = deque()

    def reach(child: int, parent: int | None, label: str, extras: Iterable[str]) -> None:
        wanted = set(extras)
        first = child not in active
        known = active.setdefault(child, set())
        if parent is not None:
            links = parents.setdefault(child, [])
            if all(p != parent for p, _ in links):
                links.append((parent, label))
        if first or not wanted <= known:
            known |= wanted
            queue.append(child)

    def targets(edge: LockEdge) -> list[int]:
        found = by_name.get(edge.name, [])
        if edge.version is not None and len(found) > 1:
            found = [i for i in found if graph.nodes[i].version == edge.version] or found
        return found

    def applies(marker: str, extras: Iterable[str]) -> bool:
        if "extra" not in marker:
            return marker_applies(marker, target, platform)
        if _CONFLICT_EXTRA.search(marker):
            return True  # uv's encoding of conflicting extras: both sides may be installed
        return any(marker_applies(marker, target, platform, x) for x in ("", *extras))

    def follow(
        parent: int, edges: Iterable[LockEdge], label: str, gate: str = "", on: Iterable[str] = ()
    ) -> None:
        for edge in edges:
            for child in targets(edge):
                if gate:
                    failed.setdefault(child, gate)
                elif applies(edge.marker, on):
                    reach(child, parent, label, edge.extras)
                else:
                    failed.setdefault(child, f"only for {edge.marker} (required by {label})")

    for root in graph.roots:
        reach(root, None, "", ())
    roots = set(graph.roots)
    while queue:
        index = queue.popleft()
        node = graph.nodes[index]
        name = node.name
        on = set(active[index])
        if index in roots:
            offered = node.extras.keys() | node.extra_names.keys()
            on |= {extra for extra in offered if selection.extra_selected(extra)}
        turned_on = {n for extra in on for n in node.extra_names.get(extra, ())}
        follow(index, [e for e in node.edges if not e.optional or e.name in turned_on], name, on=on)
        left_out = [e for e in node.edges if e.optional and e.name not in turned_on]
        why = "not selected" if index in roots else "not asked for"
        follow(index, left_out, name, f"only with an extra of {name} ({why})")
        for extra, edges in node.extras.items():
            label = f"{name}[{extra}]"
            if extra in on:
                follow(index, edges, label)
            elif index in roots:
                gate = f"only with the extra '{extra}' of {name} (not selected)"
                follow(index, edges, label, gate)
            else:
                follow(index, edges, label, f"only with {label}, which nothing installed asks for")
        for group, edges in node.groups.items():
            label = f"{name} (group {group})"
            if selection.group_selected(group):
                follow(index, edges, label)
            else:
                follow(index, edges, label, f"only in the group '{group}' of {name} (not selected)")

    chains = {keys[i]: _chains(i, graph.roots, parents, keys) for i in active if i not in roots}
    reasons = {
        keys[i]: failed.get(i, "only needed by packages that are not installed")
        for i in range(len(graph.nodes))
        if i not in active
    }
    return Walk(chains, reasons)


def _chains(
    index: int,
    roots: tuple[int, ...],
    parents: dict[int, list[tuple[int, str]]],
    keys: list[str],
) -> tuple[tuple[str, ...], ...]:
    """Up to :data:`MAX_CHAINS` chains from ``index`` up to a root, the shortest through
    each of its parents: ``("mkdocs 1.6.1", "demo[docs]")``."""
    found: list[tuple[str, ...]] = []
    for parent, label in parents.get(index, [])[:MAX_CHAINS]:
        chain = [label if parent in roots else keys[parent]]
        seen = {index, parent}
        current = parent
        while current not in roots:
            links = [(p, lab) for p, lab in parents.get(current, []) if p not in seen]
            if not links:
                break
            current, label = links[0]
            seen.add(current)
            chain.append(label if current in roots else keys[current])
        if chain[-1] == SYNTHETIC_ROOT:
            chain.pop()
        if chain:
            found.append(tuple(chain))
    return tuple(found)


def explaining_graph(packages: Iterable[tuple[str, str | None, Iterable[str]]]) -> LockGraph:
    """A graph that only explains why each package is there (``decides`` False): one
    node per name with the names it requires, rooted at what nothing requires. For
    locks whose own per-package markers decide what is installed (pdm.lock,
    pylock.toml with ``dependencies``, Poetry 2.x).

    >>> graph = explaining_graph([("app", "1", ["lib"]), ("lib", "2", [])])
    >>> walk(graph, "3.14t", "manylinux_x86_64", Selection()).chains
    {'app 1': (), 'lib 2': (('app 1',),)}
    """
    nodes: dict[str, tuple[str | None, dict[str, None]]] = {}
    for name, version, children in packages:
        _, known = nodes.setdefault(name, (version, {}))
        known.update(dict.fromkeys(c for c in children if c != name))  # pdm: pkg[extra] -> pkg
    required = {child for _, children in nodes.values() for child in children}
    listed = [
        LockNode(name, version, edges=tuple(LockEdge(c) for c in children if c in nodes))
        for name, (version, children) in nodes.items()
    ]
    tops = tuple(LockEdge(n.name) for n in listed if n.name not in required)
    root = LockNode(SYNTHETIC_ROOT, None, edges=tops)
    return LockGraph((*listed, root), (len(listed),), decides=False)


def installed_only(
    dependencies: Iterable[Dependency],
    graph: LockGraph,
    target: str,
    platform: str,
    selection: Selection,
) -> tuple[Dependency, ...]:
    """``dependencies`` as installed on ``target`` × ``platform``: each package the walk
    reaches carries its chains (``required_by``); each it does not reach is skipped,
    with the reason; a dependency the graph does not hold is kept as it is."""
    found = walk(graph, target, platform, selection)
    kept = []
    for dep in dependencies:
        key = node_key(dep.name, dep.version)
        if key in found.chains:
            dep = msgspec.structs.replace(dep, required_by=found.chains[key])
        elif key in found.reasons and graph.decides:
            reason = f"not installed on {target} {platform}: {found.reasons[key]}"
            dep = msgspec.structs.replace(dep, skipped_reason=reason)
        kept.append(dep)
    return tuple(kept)


def unknown_choices(graph: LockGraph, selection: Selection) -> list[str]:
    """The extras and groups ``selection`` names that no root of ``graph`` offers
    (``--extra nosuch``), as ``extra 'nosuch'`` / ``group 'nosuch'``."""
    roots = [graph.nodes[i] for i in graph.roots]
    extras = {x for node in roots for x in (*node.extras, *node.extra_names)}
    groups = {g for node in roots for g in node.groups}
    wrong = [f"extra {x!r}" for x in sorted(selection.extras or ()) if x not in extras]
    wrong += [f"group {g!r}" for g in sorted(selection.groups or ()) if g not in groups]
    return wrong
