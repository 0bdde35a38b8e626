"""A download built on click stays until its browser has fetched it.

Streamlit 1.67 builds a deferred download (`st.download_button(data=callable)`) when the button is
clicked and leaves the built file referenced by no session, so that a second click builds it again. The
end of any session's script run sweeps unreferenced files: the first sweep marks a download, the
second deletes it. With ten sessions on one server, two runs can end between the click's answer and
the browser's request for the file, and the browser gets 404 (seen in `bench concurrency`: several
sessions downloading the same table share one file by content). Here the built file is also
referenced by the session that clicked, under the button's place, until that session's next run."""

from __future__ import annotations

import posixpath

from streamlit.runtime.media_file_manager import MediaFileManager

_MARK = "_ccm_keeps_built_downloads"
_NEEDS = ("_lock", "_deferred_callables", "_files_by_session_and_coord", "_file_metadata")


def keep_built_downloads(cls: type = MediaFileManager) -> bool:
    """Wrap `cls.execute_deferred` once; False when this Streamlit's manager is not the one described."""
    if getattr(cls, _MARK, False):
        return True
    probe = cls.__new__(cls)
    try:
        cls.__init__(probe, storage=None)  # type: ignore[arg-type]
    except Exception:
        return False
    if not all(hasattr(probe, name) for name in _NEEDS):
        return False
    original = cls.execute_deferred

    def execute_deferred(self, file_id: str) -> str:
        url = original(self, file_id)
        built = posixpath.splitext(posixpath.basename(url))[0]
        with self._lock:
            entry = self._deferred_callables.get(file_id)
            if entry is not None and built in self._file_metadata:
                session_files = self._files_by_session_and_coord[entry["session_id"]]
                session_files[f"{entry['coordinates']}#built"] = built
        return url

    execute_deferred.__doc__ = original.__doc__
    cls.execute_deferred = execute_deferred  # type: ignore[method-assign]
    cls._ccm_original_execute_deferred = original  # type: ignore[attr-defined]
    setattr(cls, _MARK, True)
    return True
