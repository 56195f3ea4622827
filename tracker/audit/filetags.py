"""A release the verdict data does not know, judged from the names of its files.

A lockfile lists the files each package installs from (uv.lock, poetry.lock,
pdm.lock, pylock.toml), a direct URL names one, and the package index lists
every file of a release. Where the verdict data has nothing for a pin (a
project outside the tracked ones, or a release newer than the data), those
names decide its tags with the crawler's own rules
(:func:`tracker.wheels.release_tag_status`): ``pure``, ``no-ft-wheel``,
``wheel-only`` or ``sdist-only``. Placed in the project's history, an unprobed
free-threaded wheel then takes the verdict of the nearest probed release, as
any release does (:func:`tracker.documents.effective_verdict`).

>>> release = release_from_files("1.0", ["x-1.0-py3-none-any.whl"], "3.14t", "manylinux_x86_64")
>>> release.targets["3.14t"].status.value, release.targets["3.14t"].platforms
('pure', ['any'])
>>> [r.version for r in placed([ReleaseDocument("2.0"), ReleaseDocument("1.0")],
...                            ReleaseDocument("1.5"))]
['2.0', '1.5', '1.0']
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

from tracker.documents import ReleaseDocument, TargetVerdict
from tracker.models import Evidence, Status
from tracker.releases import version_key

__all__ = ["file_name", "placed", "release_from_files"]

#: The end of a pure wheel's name for every platform (``py3-none-any``, ``py2.py3-none-any``).
_PURE_SUFFIX = "-none-any.whl"


def file_name(url: str) -> str:
    """The file name at the end of a URL or path (percent-escapes undone).

    >>> file_name("https://files.example/packages/ab/torch-2.0.0%2Bcpu-cp311-none-any.whl")
    'torch-2.0.0+cpu-cp311-none-any.whl'
    """
    return unquote(url.rsplit("/", 1)[-1].split("#", 1)[0].split("?", 1)[0])


def release_from_files(
    version: str, files: Sequence[str], target: str, platform: str
) -> ReleaseDocument | None:
    """A release whose verdict on ``target`` comes from ``files``' tags (evidence
    ``tags``); None when no file name says anything (neither wheel nor sdist)."""
    files = [file_name(written) for written in files]
    wheels = [name for name in files if name.endswith(".whl")]
    if wheels and all(name.endswith(_PURE_SUFFIX) for name in wheels):
        # what release_tag_status says of such a release (every wheel pure, any
        # platform), without importing packaging's tag machinery for the commonest case
        return ReleaseDocument(
            version, targets={target: TargetVerdict(Status.PURE, Evidence.TAGS, platforms=["any"])}
        )
    from tracker.wheels import classify_file, release_tag_status

    tags = [classify_file(name) for name in files]
    status = release_tag_status(tags, target, platform)
    if status is Status.UNKNOWN:
        return None
    if status is Status.PURE:
        platforms = ["any"]
    else:
        platforms = sorted({p for t in tags if target in t.targets for p in t.platforms})
    verdict = TargetVerdict(status, Evidence.TAGS, platforms=platforms)
    return ReleaseDocument(version, targets={target: verdict})


def placed(releases: Sequence[ReleaseDocument], release: ReleaseDocument) -> list[ReleaseDocument]:
    """``releases`` (newest first) with ``release`` put where its version belongs."""
    key = version_key(release.version)
    history = list(releases)
    for index, other in enumerate(history):
        if version_key(other.version) < key:
            return [*history[:index], release, *history[index:]]
    return [*history, release]
