"""Scores keyword/topic analysis on the evaluation set (complaints.csv): the share of texts left in '기타'
and agreement with the analyst's topic.

    python tests/text_eval/evaluate.py [--settings settings.toml]

Each source file of the set is one load batch (its channel as exported), inserted into a fresh DuckDB file
and enriched through ccm.text.enrich, as the loader would. Agreement: the analyst's topic is among the
item's topics ('기타' agrees only with no other topic). The script only uses what every version of
ccm.text offers (enrich, the voc_topics and voc_keywords tables), so the same script scores an older
checkout: PYTHONPATH=<old checkout> python tests/text_eval/evaluate.py --settings <old>/settings.toml.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
CSV = HERE / "complaints.csv"
NO_TOPIC = "기타"


def read_set(path: Path = CSV) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load(con, rows: pd.DataFrame) -> None:
    """One load batch per source file; items received one hour apart through 2025."""
    sources = list(dict.fromkeys(rows["source"]))
    for batch_id, name in enumerate(sources, start=1):
        con.execute(
            "INSERT INTO load_batches (batch_id, kind, file_name, sha256) VALUES (?, 'voc', ?, ?)",
            [batch_id, name, f"eval-{batch_id}"],
        )
    batch_of = {name: i for i, name in enumerate(sources, start=1)}
    values = [
        (
            r.voc_id,
            pd.Timestamp("2025-01-02 09:00") + pd.Timedelta(hours=i),
            r.voc_type,
            r.channel,
            "완료",
            r.title or None,
            r.content or None,
            batch_of[r.source],
        )
        for i, r in enumerate(rows.itertuples())
    ]
    con.executemany(
        """INSERT INTO voc_items (voc_id, received_at, voc_type, channel, status, title, content, batch_id)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        values,
    )


def score(con, rows: pd.DataFrame, stop_words: tuple[str, ...] = ()) -> dict:
    tags = con.execute("SELECT voc_id, list(topic ORDER BY topic) FROM voc_topics GROUP BY voc_id").fetchall()
    topics = {vid: set(t) for vid, t in tags}
    agree = exact = other = 0
    for r in rows.itertuples():
        got = topics.get(r.voc_id, {NO_TOPIC})
        other += got == {NO_TOPIC}
        agree += (got == {NO_TOPIC}) if r.topic == NO_TOPIC else (r.topic in got)
        exact += got == {r.topic}
    n = len(rows)
    stop = f"WHERE keyword NOT IN ({', '.join('?' * len(stop_words))})" if stop_words else ""
    top = con.execute(
        f"SELECT keyword, count(*) AS n FROM voc_keywords {stop} GROUP BY keyword "
        "ORDER BY n DESC, keyword LIMIT 15",
        list(stop_words),
    ).fetchall()
    english = rows[~rows["title"].str.cat(rows["content"]).str.contains("[가-힣]", regex=True)][
        "voc_id"
    ].tolist()
    with_kw = (
        con.execute(
            f"SELECT count(DISTINCT voc_id) FROM voc_keywords WHERE voc_id IN "
            f"({', '.join('?' * len(english))})",
            english,
        ).fetchone()[0]
        if english
        else 0
    )
    return {
        "texts": n,
        "other_share": other / n,
        "analyst_other_share": (rows["topic"] == NO_TOPIC).mean(),
        "agreement": agree / n,
        "exact": exact / n,
        "top_keywords": top,
        "english_texts": len(english),
        "english_with_keywords": with_kw,
    }


def evaluate(settings, rows: pd.DataFrame | None = None) -> dict:
    from ccm import db, text

    rows = read_set() if rows is None else rows
    with tempfile.TemporaryDirectory(prefix="text-eval-") as tmp:
        with db.session(Path(tmp) / "eval.duckdb") as con:
            load(con, rows)
            text.enrich(con, settings)
            return score(con, rows, tuple(settings.get("text", {}).get("stop_words", [])))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--settings", default=None)
    args = ap.parse_args(argv)
    from ccm.settings import load_settings

    result = evaluate(load_settings(args.settings))
    print(
        f"texts {result['texts']}: 기타 {result['other_share']:.1%} (analyst {result['analyst_other_share']:.1%}), "
        f"agreement {result['agreement']:.1%}, exact {result['exact']:.1%}, "
        f"English texts with keywords {result['english_with_keywords']}/{result['english_texts']}"
    )
    print("top keywords (stop words left out): " + ", ".join(f"{k} {n}" for k, n in result["top_keywords"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
