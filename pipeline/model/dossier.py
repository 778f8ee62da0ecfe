"""The dossier a command works on, loaded once and passed down to every stage.

A `Dossier` knows its folder, where its outputs and archive live (`model.layout` holds that
rule), and reads its files on demand, each at most once while it is unchanged: hoso.toml
(the bytes, for fingerprints, and the parsed table, validated per stage by `profile()`),
the rule set, and the files the stages write in the output folder (data.json,
scorecard.json, written.json, papers.json, pdfs.json, the papers).

Why a cached file is never stale: every entry is kept with the `os.stat` it was read under
(device, inode, size, modification and change time), and each use stats the file again; a
different stat, or a file gone, reads it afresh. hoso replaces its outputs by renaming a new
file over the old one (a new inode), so a stage's write is always seen, as is a file edited
by hand (Word, Notepad) or by another process. A stage that writes hands the bytes it
published to `wrote()`, which keeps them under the new file's stat: the next stage of a build
uses them without reading the file again (it does so under the output folder's lock, which
every hoso writer takes). Fingerprints are taken from the very bytes that are parsed, so a
record never vouches for content other than what was used. The one edit a stat cannot tell
is one rewriting a file in place to the same size within one tick of the file system's
clock, between two uses in one command: a race re-reading could only narrow, not close, and
the next command sees the edit.

A `Dossier` lives for one command, one web request or one job; it is not shared between
threads. `with_out` gives the same dossier writing elsewhere (a version being built) and
sharing what was read.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pipeline.common.errors import EnvironmentProblem, InputError
from pipeline.files.jsonfile import build_json, read_bounded
from pipeline.model.layout import ARCHIVE, OUTPUTS, archive_folder, dossier_name, output_folder
from pipeline.model.profile import (
    PROFILE_NAME,
    Profile,
    check_profile_folder,
    parse_toml,
    read_profile_bytes,
    validate_profile,
)

if TYPE_CHECKING:
    from pipeline.model.rules import RuleSet

T = TypeVar("T")

# What identifies one version of a file on disk; a change of any part means new content.
StatKey = tuple[int, int, int, int, int]


def _stat_key(path: Path) -> StatKey | None:
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise EnvironmentProblem.unreadable(path, exc) from exc
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass
class _Entry:
    """One file as read (or written) under one stat: its bytes, digest and parsed forms."""

    key: StatKey
    data: bytes | None = None
    sha: str | None = None
    parsed: dict[Any, Any] = field(default_factory=dict)

    def digest(self) -> str | None:
        if self.sha is None and self.data is not None:
            self.sha = hashlib.sha256(self.data).hexdigest()
        return self.sha


class Dossier:
    """One commune's dossier folder with its output folder and archive, for one command."""

    def __init__(self, folder: Path, out: Path | None = None, *, archive: Path = ARCHIVE) -> None:
        self.folder = folder
        self.out = out if out is not None else output_folder(folder)
        self.archive_root = archive  # the archive of every dossier (its register lives there)
        self._files: dict[Path, _Entry] = {}
        self._profiles: dict[Any, Profile] = {}
        self._rules: dict[Any, RuleSet] = {}

    @classmethod
    def open(
        cls, folder: Path, out: Path | None = None, *, outputs: Path = OUTPUTS,
        archive: Path = ARCHIVE,
    ) -> Dossier:  # fmt: skip
        """The dossier in `folder`, its results in `out` (default `outputs/<folder name>/`)."""
        return cls(folder, out if out is not None else output_folder(folder, outputs),
                   archive=archive)  # fmt: skip

    def with_out(self, out: Path) -> Dossier:
        """The same dossier writing into `out` (a version being built): it shares what has
        been read, the cache being keyed by each file's full path and stat."""
        other = Dossier(self.folder, out, archive=self.archive_root)
        other._files, other._profiles, other._rules = self._files, self._profiles, self._rules
        return other

    def __getstate__(self) -> dict[str, Any]:
        # Sent to another process (a build worker) as its folders: that process reads afresh.
        return {"folder": self.folder, "out": self.out, "archive": self.archive_root}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["folder"], state["out"], archive=state["archive"])  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        # The same folders are the same dossier, whatever each object has read so far.
        if not isinstance(other, Dossier):
            return NotImplemented
        return self._folders() == other._folders()

    def __hash__(self) -> int:
        return hash(self._folders())

    def _folders(self) -> tuple[Path, Path, Path]:
        return (self.folder, self.out, self.archive_root)

    def __repr__(self) -> str:
        return f"Dossier({str(self.folder)!r}, out={str(self.out)!r})"

    @property
    def name(self) -> str:
        """Its name in outputs/ and in the archive: the folder's name."""
        return dossier_name(self.folder)

    @property
    def archive(self) -> Path:
        """Where its issued versions live: `archive/<folder name>/`."""
        return archive_folder(self.folder, self.archive_root)

    @property
    def profile_path(self) -> Path:
        return self.folder / PROFILE_NAME

    # --- files, read once while unchanged ------------------------------------------------------

    def _entry(self, path: Path) -> _Entry | None:
        """The cached entry of `path` if it still describes the file, else None."""
        key = _stat_key(path)
        if key is None:
            self._files.pop(path, None)
            return None
        entry = self._files.get(path)
        if entry is None or entry.key != key:
            entry = self._files[path] = _Entry(key)
        return entry

    def _bytes(self, path: Path, read: Callable[[Path], bytes]) -> bytes | None:
        entry = self._entry(path)
        if entry is None:
            return None
        if entry.data is None:
            data = read(path)
            # Read under the stat taken just before: if the file changed in between, the next
            # use sees another stat and reads again, never keeping the pair mismatched.
            entry.data = data
        return entry.data

    def read(self, name: str) -> bytes | None:
        """The bytes of `out/name` (a JSON record: bounded in size, ValueError beyond), or None
        when absent."""
        return self._bytes(self.out / name, read_bounded)

    def sha(self, name: str) -> str | None:
        """The sha256 of `out/name` as it is now, or None when absent. A JSON record is read
        whole (and kept): it is parsed too, from the same bytes."""
        if name.endswith(".json"):
            with contextlib.suppress(ValueError):  # larger than any record: streamed instead
                self.read(name)
        return self.file_sha(self.out / name)

    def file_sha(self, path: Path) -> str | None:
        """The sha256 of any file of the dossier or its outputs (streamed, not kept)."""
        entry = self._entry(path)
        if entry is None:
            return None
        if entry.digest() is None:
            try:
                with path.open("rb") as f:
                    entry.sha = hashlib.file_digest(f, "sha256").hexdigest()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                return None
            except OSError as exc:
                raise EnvironmentProblem.unreadable(path, exc) from exc
        return entry.digest()

    def load(self, name: str, build: Callable[[dict[str, Any]], T]) -> tuple[T, bytes] | None:
        """`build(object)` of the JSON object in `out/name` with the very bytes it was parsed
        from, memoised with them; None when absent; ValueError when the content is not what
        `build` takes."""
        path = self.out / name
        data = self.read(name)
        entry = self._files.get(path)
        if data is None or entry is None:
            return None
        if build not in entry.parsed:
            entry.parsed[build] = build_json(data, build)
        return entry.parsed[build], data

    def parsed(self, name: str, build: Callable[[dict[str, Any]], T]) -> T | None:
        """`load` without the bytes."""
        found = self.load(name, build)
        return None if found is None else found[0]

    def json(self, name: str) -> dict[str, Any] | None:
        """The JSON object in `out/name`, or None when absent, unreadable or not an object.
        Shared between callers: never modify it."""
        try:
            return self.parsed(name, _as_object)
        except (OSError, ValueError):
            return None

    def wrote(self, files: Iterable[tuple[str, bytes]], removed: Iterable[str] = ()) -> None:
        """What a stage has just published into the output folder (under its lock): kept as
        the files' content, so the next stage uses it without reading it back."""
        for name, data in files:
            path = self.out / name
            key = _stat_key(path)
            if key is None:
                self._files.pop(path, None)
            else:
                self._files[path] = _Entry(key, data)
        for name in removed:
            self._files.pop(self.out / name, None)

    # --- the profile -------------------------------------------------------------------------

    def profile_bytes(self) -> bytes:
        """hoso.toml's bytes; InputError (located) when absent, too large or unreadable."""
        data = self._bytes(self.profile_path, read_profile_bytes)
        if data is None:
            # Absent: read_profile_bytes says so with its located problem.
            return read_profile_bytes(self.profile_path)
        return data

    def profile_sha(self) -> str | None:
        """The sha256 of hoso.toml, or None when it does not exist. Its bytes are read (and
        kept for `profile()`): a stage takes the fingerprint first, so an edit after it can
        only make its record look older than it is."""
        with contextlib.suppress(InputError):  # too large or unreadable: the loader says why
            self.profile_bytes()
        return self.file_sha(self.profile_path)

    def raw_profile(self) -> dict[str, Any]:
        """hoso.toml parsed as TOML (not validated); InputError when it cannot be.
        Shared between callers: never modify it."""
        data = self.profile_bytes()
        entry = self._files[self.profile_path]
        if "toml" not in entry.parsed:
            entry.parsed["toml"] = parse_toml(data, self.profile_path)
        raw: dict[str, Any] = entry.parsed["toml"]
        return raw

    def profile(
        self, *, sections: Collection[str] | None = None, written: Collection[str] = ()
    ) -> Profile:
        """The validated profile as `load_profile` gives it (see there for `sections` and
        `written`), validated once per view while hoso.toml is unchanged."""
        check_profile_folder(self.profile_path)
        raw = self.raw_profile()
        key = (
            None if sections is None else frozenset(sections),
            frozenset(written),
            self._files[self.profile_path].key,
        )
        if key not in self._profiles:
            self._profiles[key] = validate_profile(
                raw, self.profile_path, sections=sections, written=written
            )
        return self._profiles[key]

    def rules(self, profile: Profile | None = None) -> RuleSet:
        """The dossier's rule set (its own when hoso.toml names one, else the shipped one),
        labelled in the unit's words; `profile`: a view already loaded by the caller."""
        from pipeline.model.rules import load_rules

        profile = profile or self.profile(sections=("don_vi", "danh_gia"))
        words = profile.don_vi.words
        path = profile.bo_tieu_chi
        key = (path, words, None if path is None else _stat_key(path))
        if key not in self._rules:
            self._rules[key] = load_rules(path).in_words(words)
        return self._rules[key]


def _as_object(raw: dict[str, Any]) -> dict[str, Any]:
    return raw
