"""The YAML loaders that keep positions (see :mod:`gipcheck.engine.yamlpos`), in a module of their
own so that PyYAML is imported only when a YAML text is actually read: a start whose rule files
all come from the start-up cache never imports it (15-20 ms)."""

from __future__ import annotations

from typing import Any

import yaml

from gipcheck.engine.yamlpos import MAX_DEPTH, PosDict, PosList

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: rule loading is hot


class _PosLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """SafeLoader without the timestamp resolver, building PosDict/PosList."""

    pos_depth = 0  # collections being built right now (see MAX_DEPTH)


# Dates must stay ISO text: rule examples are document fragments, and documents hold dates as text.
_PosLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class DuplicateKey(yaml.MarkedYAMLError):
    pass




class TooDeep(yaml.MarkedYAMLError):
    pass


def _too_deep_at(node: yaml.Node) -> TooDeep:
    return TooDeep(None, None, f"nested more than {MAX_DEPTH} levels deep", node.start_mark)


def _construct_map(loader: _PosLoader, node: yaml.MappingNode) -> Any:
    data = PosDict()
    data.node = node
    yield data
    depth = loader.pos_depth = loader.pos_depth + 1  # inline: this runs for every mapping of every rule file
    if depth > MAX_DEPTH:
        raise _too_deep_at(node)
    seen: dict[Any, yaml.Node] = {}
    for knode, _v in node.value:
        if knode.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(knode, deep=True)
        if isinstance(key, (str, int, float, bool)) and key in seen:
            raise DuplicateKey(None, None, f"duplicate key {key!r}", knode.start_mark)
        if isinstance(key, (str, int, float, bool)):
            seen[key] = knode
    loader.flatten_mapping(node)
    for knode, vnode in node.value:
        key = loader.construct_object(knode, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "unhashable key", knode.start_mark) from None
        data[key] = loader.construct_object(vnode, deep=True)
        data.members[key] = (knode, vnode)
    loader.pos_depth -= 1


def _construct_seq(loader: _PosLoader, node: yaml.SequenceNode) -> Any:
    data = PosList()
    data.node = node
    yield data
    depth = loader.pos_depth = loader.pos_depth + 1
    if depth > MAX_DEPTH:
        raise _too_deep_at(node)
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.items.append(item)
    loader.pos_depth -= 1


class _PurePosLoader(yaml.SafeLoader):
    """The pure-Python twin, re-run on a broken file so messages do not depend on libyaml."""

    pos_depth = 0


_PurePosLoader.yaml_implicit_resolvers = _PosLoader.yaml_implicit_resolvers
for _loader in (_PosLoader, _PurePosLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    _loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
