"""A download built on click survives other sessions' runs until its browser fetches it."""

from __future__ import annotations

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui.deferred_downloads import keep_built_downloads


class _Manager(MediaFileManager):
    """A manager class of its own, so the wrapping is checked here and not by an earlier import."""


class _AsShipped(MediaFileManager):
    """Streamlit's manager as it ships, whether or not `ui.components` has wrapped it already."""

    execute_deferred = MediaFileManager.__dict__.get(
        "_ccm_original_execute_deferred", MediaFileManager.execute_deferred
    )


def _clicked(manager: MediaFileManager) -> str:
    placeholder = manager.add_deferred(lambda: b"a,b\n1,2\n", "text/csv", "1.2.3", "table.csv")
    url = manager.execute_deferred(placeholder)
    return url.rsplit("/", 1)[-1].split(".")[0]


def _after_two_other_runs(manager: MediaFileManager) -> None:
    manager.remove_orphaned_files()  # another session's run ends: marks unreferenced downloads
    manager.remove_orphaned_files()  # and the next one deletes them


def test_streamlits_own_manager_loses_a_built_download_after_two_other_runs() -> None:
    manager = _AsShipped(MemoryMediaFileStorage("/media"))
    built = _clicked(manager)
    _after_two_other_runs(manager)
    assert manager.read_file(built) is None  # the race this module closes; if this fails, Streamlit fixed it


def test_a_built_download_stays_until_its_session_runs_again() -> None:
    assert keep_built_downloads(_Manager)
    manager = _Manager(MemoryMediaFileStorage("/media"))
    built = _clicked(manager)
    _after_two_other_runs(manager)
    assert manager.read_file(built).content == b"a,b\n1,2\n"
    manager.clear_session_refs("dontcare")  # the clicking session's next run
    _after_two_other_runs(manager)
    assert manager.read_file(built) is None


def test_a_second_click_builds_the_file_again() -> None:
    assert keep_built_downloads(_Manager)
    manager = _Manager(MemoryMediaFileStorage("/media"))
    placeholder = manager.add_deferred(lambda: b"x", "text/csv", "1.2.3", "t.csv")
    assert manager.execute_deferred(placeholder) == manager.execute_deferred(placeholder)


def test_the_server_uses_the_wrapped_manager() -> None:
    import ui.components  # noqa: F401  (wraps Streamlit's manager on import)

    assert getattr(MediaFileManager, "_ccm_keeps_built_downloads", False)
