"""Keywords and topics of VOC texts, computed once at load time (never on page view).

Contract with the VOC loader: after a load commits, it calls `enrich_path(db_path, settings)`, which
extracts keywords/topics for items that have none yet (or whose text changed) and returns how many. It
holds the database (DuckDB locks the file per process) only to read the pending texts and to write the
results; the morphological analysis runs with the file unlocked, so the dashboard keeps working.
`enrich(con, settings)` does the same on one open connection (tests, demo build, rollback).

- Keywords: nouns (NNG/NNP) of title + content found by kiwipiepy, at least `[text] min_length`
  characters. Each distinct text is analysed once (`text_cache`, keyed by an MD5 of the text), so
  reloading, upserts with unchanged texts and duplicate texts cost nothing. Stop words
  (`[text] stop_words`) are applied when querying, so editing them needs no re-processing.
- Topics: the editable dictionary `[text.topics]` (topic → words); an item gets every topic one of
  whose words occurs in its title or content, and '기타' when none does. When the dictionary changes,
  every item is re-tagged (pure SQL, no morphological analysis).
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from ccm import db
from ccm.settings import Settings

NO_TOPIC = "기타"
EXTRACTOR_VERSION = "kiwi-nouns-1"
NOUN_TAGS = frozenset({"NNG", "NNP"})
KEYWORDS_TYPE = pa.list_(pa.string())
MAX_TEXT = 2000          # characters analysed per item (titles and the start of the content)
BATCH = 2000             # texts per kiwipiepy call

DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS text_cache (
        text_hash VARCHAR PRIMARY KEY,     -- md5 of title || LF || content
        keywords  VARCHAR[] NOT NULL       -- distinct nouns, in order of appearance
    )""",
    """CREATE TABLE IF NOT EXISTS voc_text_state (
        voc_id    VARCHAR PRIMARY KEY,
        text_hash VARCHAR NOT NULL         -- the text the item's keywords/topics were made from
    )""",
    # The item's scope columns are copied next to each keyword/topic (kept in step by enrich through
    # row_sig), so that page queries filter one table instead of joining millions of rows.
    "CREATE TABLE IF NOT EXISTS voc_keywords (voc_id VARCHAR NOT NULL, keyword VARCHAR NOT NULL)",
    "CREATE TABLE IF NOT EXISTS voc_topics (voc_id VARCHAR NOT NULL, topic VARCHAR NOT NULL)",
    "CREATE TABLE IF NOT EXISTS text_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "ALTER TABLE voc_text_state ADD COLUMN IF NOT EXISTS row_sig UBIGINT",  # hash of text + copied columns
    "ALTER TABLE voc_keywords ADD COLUMN IF NOT EXISTS received_at TIMESTAMP",
    "ALTER TABLE voc_keywords ADD COLUMN IF NOT EXISTS department VARCHAR",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS received_at TIMESTAMP",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS completed_at TIMESTAMP",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS voc_type VARCHAR",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS department VARCHAR",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS facility VARCHAR",
]

TEXT_SQL = "coalesce(title, '') || chr(10) || coalesce(content, '')"
ATTR_COLUMNS = ("received_at", "completed_at", "voc_type", "department", "facility")
SIG_SQL = f"hash(title, content, {', '.join(ATTR_COLUMNS)})"  # cheap change detection over every item

_kiwi = None
_kiwi_lock = threading.Lock()


def kiwi(workers: int = 0):
    """The process's one Kiwi instance (loading the model takes seconds)."""
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            n = workers if workers > 0 else max(1, min(os.cpu_count() or 1, 4))
            _kiwi = Kiwi(num_workers=n)
        return _kiwi


def _config(settings: Settings) -> dict:
    return settings.get("text", {}) or {}


def extract_keywords(texts: list[str], *, min_length: int = 2, workers: int = 0) -> list[list[str]]:
    """Distinct nouns of each text (order of first appearance), batched through one Kiwi instance.
    Equal words are one string object (a million texts share a vocabulary of thousands)."""
    if not texts:
        return []
    k = kiwi(workers)
    vocabulary: dict[str, str] = {}
    out: list[list[str]] = []
    for tokens in k.tokenize([t[:MAX_TEXT] for t in texts]):
        seen: dict[str, None] = {}
        for tok in tokens:
            if tok.tag in NOUN_TAGS and len(tok.form) >= min_length:
                seen.setdefault(vocabulary.setdefault(tok.form, tok.form), None)
        out.append(list(seen))
    return out


def topics_of(settings: Settings) -> dict[str, list[str]]:
    """The topic dictionary from settings: topic → words (an empty word list is ignored)."""
    topics = _config(settings).get("topics", {}) or {}
    return {str(t): [str(w) for w in words if str(w).strip()] for t, words in topics.items()}


def _topics_version(topics: dict[str, list[str]]) -> str:
    return hashlib.sha256(json.dumps(topics, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM text_meta WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO text_meta VALUES (?, ?)", [key, value])


def _changed_items(con: duckdb.DuckDBPyConnection) -> int:
    """Temp table `_enrich_changed(voc_id, row_sig, text_hash, text_changed)`: items that are new or
    whose text or copied scope columns changed. Returns how many have a new or changed text."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _enrich_changed AS
            WITH cur AS (SELECT voc_id, {SIG_SQL} AS row_sig FROM voc_items),
                 ch AS (SELECT cur.voc_id, cur.row_sig, s.text_hash AS old_hash
                        FROM cur LEFT JOIN voc_text_state s USING (voc_id)
                        WHERE s.row_sig IS DISTINCT FROM cur.row_sig)
            SELECT ch.voc_id, ch.row_sig, md5({TEXT_SQL}) AS text_hash,
                   ch.old_hash IS DISTINCT FROM md5({TEXT_SQL}) AS text_changed
            FROM ch JOIN voc_items USING (voc_id)"""
    )
    return con.execute("SELECT count(*) FILTER (text_changed) FROM _enrich_changed").fetchone()[0]


def pending_texts(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> pd.DataFrame:
    """The distinct texts (text_hash, text) of new or changed items that have no cached keywords yet:
    one short read, no write (all texts when the extractor version changed)."""
    if _meta(con, "extractor") != EXTRACTOR_VERSION:
        return con.execute(
            f"SELECT md5({TEXT_SQL}) AS text_hash, any_value({TEXT_SQL}) AS text FROM voc_items GROUP BY 1"
        ).df()
    return con.execute(
        f"""WITH ch AS (SELECT i.voc_id, md5({TEXT_SQL}) AS text_hash, {TEXT_SQL} AS text
                        FROM voc_items i LEFT JOIN voc_text_state s USING (voc_id)
                        WHERE s.row_sig IS DISTINCT FROM {SIG_SQL})
            SELECT ch.text_hash, any_value(ch.text) AS text
            FROM ch ANTI JOIN text_cache t ON t.text_hash = ch.text_hash
            GROUP BY ch.text_hash"""
    ).df()


def _pause_hook() -> None:
    """Test hook: with CCM_ENRICH_PAUSE=<folder>, the analysis stage writes <folder>/started and waits
    (at most 120 s) for <folder>/resume, so a test can act while it runs."""
    folder = os.environ.get("CCM_ENRICH_PAUSE")
    if not folder:
        return
    Path(folder, "started").touch()
    deadline = time.monotonic() + 120
    while not Path(folder, "resume").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def analyse(texts: pd.DataFrame, settings: Settings,
            progress: Callable[[int, int], None] | None = None) -> pa.Table:
    """Keywords (text_hash, keywords) of pending texts; needs no database connection.
    `progress(done, total)` is called after each batch. Each batch's keywords become a compact Arrow
    list column at once (a million texts' keywords as Python lists took gigabytes)."""
    cfg = _config(settings)
    min_length, workers = int(cfg.get("min_length", 2)), int(cfg.get("workers", 0))
    total = len(texts)
    if total:
        _pause_hook()
    words: list[pa.Array] = []
    for start in range(0, total, BATCH):
        chunk = texts["text"].iloc[start:start + BATCH].tolist()
        words.append(pa.array(extract_keywords(chunk, min_length=min_length, workers=workers), KEYWORDS_TYPE))
        if progress:
            progress(min(start + BATCH, total), total)
    hashes = pa.array(texts["text_hash"].astype(str).tolist() if total else [], pa.string())
    return pa.table({"text_hash": hashes, "keywords": pa.chunked_array(words, KEYWORDS_TYPE)})


def _cache_keywords(con: duckdb.DuckDBPyConnection, analysed: pa.Table) -> None:
    if not analysed.num_rows:
        return
    con.register("_enrich_words", analysed)
    con.execute("""INSERT INTO text_cache SELECT DISTINCT ON (text_hash) text_hash, keywords::VARCHAR[]
                   FROM _enrich_words ANTI JOIN text_cache USING (text_hash)""")
    con.unregister("_enrich_words")


_ATTR_LIST = ", ".join(f"i.{c}" for c in ATTR_COLUMNS)
TOPIC_COLUMNS = "voc_id, topic, " + ", ".join(ATTR_COLUMNS)


def _tag_sql(topics: dict[str, list[str]], target: str) -> tuple[str, list]:
    """SELECT voc_id, topic for the items of `target` (a table of voc_id), '기타' when no word matches."""
    pairs = [(t, w) for t, words in topics.items() for w in words]
    if not pairs:
        return (f"SELECT i.voc_id, '{NO_TOPIC}' AS topic, {_ATTR_LIST} FROM voc_items i "
                f"SEMI JOIN {target} c USING (voc_id)"), []
    values = ", ".join("(?, ?)" for _ in pairs)
    return (
        f"""WITH terms(topic, term) AS (VALUES {values}),
                 items AS (SELECT i.voc_id, {TEXT_SQL} AS text FROM voc_items i SEMI JOIN {target} c USING (voc_id)),
                 hits AS (SELECT DISTINCT items.voc_id, terms.topic FROM items JOIN terms
                          ON contains(items.text, terms.term)),
                 tags AS (SELECT voc_id, topic FROM hits
                          UNION ALL
                          SELECT voc_id, '{NO_TOPIC}' FROM items ANTI JOIN hits USING (voc_id))
            SELECT tags.voc_id, tags.topic, {_ATTR_LIST} FROM tags JOIN voc_items i USING (voc_id)""",
        [x for p in pairs for x in p],
    )


def enrich(con: duckdb.DuckDBPyConnection, settings: Settings,
           progress: Callable[[int, int], None] | None = None) -> int:
    """Keywords and topics for new or changed items, in one call on one connection (tests, demo, small
    jobs; the connection is held during the analysis). Returns how many items had a new or changed text.
    Loaders with a database file use `enrich_path`, which holds the file lock only to read and write."""
    return store(con, settings, analyse(pending_texts(con, settings), settings, progress))


def enrich_path(db_path: str | Path, settings: Settings,
                progress: Callable[[int, int], None] | None = None, *, wait_seconds: float = 60.0) -> int:
    """`enrich` without holding the database during the analysis: read the pending texts (short
    session), analyse with the file unlocked, then write in one short transaction."""
    with db.session(db_path, wait_seconds=wait_seconds) as con:
        texts = pending_texts(con, settings)
    analysed = analyse(texts, settings, progress)
    with db.session(db_path, wait_seconds=wait_seconds) as con:
        return store(con, settings, analysed)


def store(con: duckdb.DuckDBPyConnection, settings: Settings, analysed: pa.Table) -> int:
    """Write keywords and topics (one transaction) from the current items: `analysed` fills the text
    cache first; the changed items are found again here, so an item changed or removed since the
    texts were read gets keywords of its current text (the few texts still missing are analysed
    here). A changed date, type, department or facility only refreshes the copied columns.
    Returns how many items had a new or changed text."""
    topics = topics_of(settings)
    try:
        with db.transaction(con):
            if _meta(con, "extractor") != EXTRACTOR_VERSION:
                con.execute("DELETE FROM text_cache")
                con.execute("DELETE FROM voc_text_state")
                _set_meta(con, "extractor", EXTRACTOR_VERSION)
            _cache_keywords(con, analysed)
            retag_all = _meta(con, "topics") != _topics_version(topics)
            changed = _changed_items(con)
            _cache_keywords(con, analyse(_missing_texts(con), settings))
            _remove_orphans(con)
            con.execute("DELETE FROM voc_keywords WHERE voc_id IN (SELECT voc_id FROM _enrich_changed)")
            con.execute(
                """INSERT INTO voc_keywords (voc_id, keyword, received_at, department)
                   SELECT voc_id, unnest(t.keywords), i.received_at, i.department
                   FROM _enrich_changed c JOIN text_cache t USING (text_hash) JOIN voc_items i USING (voc_id)
                   ORDER BY i.received_at"""  # rows in time order: period filters skip whole row groups
            )
            target = "voc_items" if retag_all else "_enrich_changed"
            con.execute(f"DELETE FROM voc_topics WHERE voc_id IN (SELECT voc_id FROM {target})")
            sql, params = _tag_sql(topics, target)
            con.execute(f"INSERT INTO voc_topics ({TOPIC_COLUMNS}) {sql} ORDER BY received_at", params)
            con.execute("""INSERT OR REPLACE INTO voc_text_state (voc_id, text_hash, row_sig)
                           SELECT voc_id, text_hash, row_sig FROM _enrich_changed""")
            _set_meta(con, "topics", _topics_version(topics))
    finally:
        con.execute("DROP TABLE IF EXISTS _enrich_changed")
    return changed


def _missing_texts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Texts of changed items still without cached keywords (changed since pending_texts read them)."""
    return con.execute(
        f"""SELECT c.text_hash, any_value({TEXT_SQL}) AS text
            FROM _enrich_changed c JOIN voc_items i USING (voc_id)
            ANTI JOIN text_cache t ON t.text_hash = c.text_hash
            GROUP BY c.text_hash"""
    ).df()


def topics_stale(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """True when the stored topics were made with another dictionary than the one in settings
    (they are re-tagged by the next enrich, i.e. the next load)."""
    stored = _meta(con, "topics")
    return stored is not None and stored != _topics_version(topics_of(settings))


def _remove_orphans(con: duckdb.DuckDBPyConnection) -> None:
    """Items removed from voc_items (e.g. a rolled-back batch) lose their keywords and topics."""
    if not con.execute("SELECT EXISTS (SELECT 1 FROM voc_text_state ANTI JOIN voc_items USING (voc_id))").fetchone()[0]:
        return
    for table in ("voc_keywords", "voc_topics", "voc_text_state"):
        con.execute(f"DELETE FROM {table} WHERE voc_id NOT IN (SELECT voc_id FROM voc_items)")


def keywords_of(con: duckdb.DuckDBPyConnection, voc_ids: Iterable[str]) -> dict[str, list[str]]:
    """Stored keywords of some items (for display and tests)."""
    ids = list(voc_ids)
    if not ids:
        return {}
    rows = con.execute(
        "SELECT voc_id, list(keyword ORDER BY keyword) FROM voc_keywords WHERE voc_id IN "
        f"({', '.join('?' * len(ids))}) GROUP BY voc_id",
        ids,
    ).fetchall()
    return {r[0]: r[1] for r in rows}
