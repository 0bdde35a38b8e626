"""Keywords and topics of VOC texts, computed once at load time (never on page view).

Contract with the VOC loader: after a load commits, it calls `enrich_path(db_path, settings)`, which
extracts keywords/topics for items that have none yet (or whose text changed) and returns how many. It
holds the database (DuckDB locks the file per process) only to read the pending texts and to write the
results; the morphological analysis runs with the file unlocked, so the dashboard keeps working.
`enrich(con, settings)` does the same on one open connection (tests, demo build, rollback).

- Boilerplate: fragments that recur on a large share of one source's distinct texts (a file = load
  batch, or a channel) — bracketed title prefixes like [생활불편신고], labels like "첨부 파일:", greeting,
  closing and signature lines — are learned at each enrich (`text_boilerplate`) and cut out of the text
  before analysis, together with the team's own entries (`[text] boilerplate`) and minus the learned
  ones the team keeps (`[text] boilerplate_keep`). Masks of personal data ([이름] …) are never words.
- Words: Kiwi morphemes. Keywords are nouns with particles and endings gone; nouns Kiwi splits off a
  one-character piece (캠핑+장) or a prefix/suffix (불+친절, 입장+권) are joined back; a word Kiwi did not
  know keeps no particle (단산모노레일가 → 단산모노레일); facility names are in Kiwi's dictionary. Text with
  no Hangul gets English (or other) words, lower-case, without `[text] english_stop_words`.
- Topics: each text's content words (nouns, verb/adjective lemmas as 비싸다, adverbs, foreign words)
  are stored as one space-separated sequence; a topic term (analysed the same way) matches whole words
  or a run of whole words, never part of a word. '기타' when no term matches.
- Each distinct cleaned text is analysed once (`text_cache`, keyed by its MD5). Stop words apply when
  querying; editing the topic dictionary re-tags in SQL without analysis; editing the boilerplate
  entries re-analyses only the texts whose cleaned form changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from ccm import db
from ccm.settings import Settings

NO_TOPIC = "기타"
EXTRACTOR_VERSION = "kiwi-words-2"
NOUN_TAGS = frozenset({"NNG", "NNP"})
DROP_SUFFIXES = frozenset({"들", "님", "씨", "쯤", "께", "끼리", "네"})
PARTICLES = (
    "에서",
    "으로",
    "까지",
    "부터",
    "에게",
    "한테",
    "이나",
    "이랑",
    "이",
    "가",
    "은",
    "는",
    "을",
    "를",
    "의",
    "에",
    "도",
    "로",
    "와",
    "과",
    "만",
)
KEYWORDS_TYPE = pa.list_(pa.string())
MAX_TEXT = 2000  # characters analysed per item (titles and the start of the content)
BATCH = 2000  # texts per kiwipiepy call
SAMPLE = 1000  # distinct texts per source read to learn its boilerplate
RUNNING_STALE = 900  # seconds without progress after which a running-analysis marker is ignored

TEXT_SQL = "coalesce(title, '') || chr(10) || coalesce(content, '')"
ATTR_COLUMNS = ("received_at", "completed_at", "voc_type", "department", "facility")
SIG_SQL = f"hash(title, content, {', '.join(ATTR_COLUMNS)}, batch_id, channel)"  # cheap change detection
_ATTR_LIST = ", ".join(f"i.{c}" for c in ATTR_COLUMNS)
TOPIC_COLUMNS = "voc_id, topic, " + ", ".join(ATTR_COLUMNS)

# ---------------------------------------------------------------------------------------------
# Configuration


@dataclass(frozen=True)
class Config:
    min_length: int
    workers: int
    lexicon: tuple[str, ...]  # proper nouns added to Kiwi's dictionary (facilities, aliases)
    english_stop: frozenset[str]
    share: float  # boilerplate: share of a source's distinct texts
    min_texts: int  # boilerplate: sources with fewer distinct texts are not learned from
    manual: tuple[str, ...]  # the team's own boilerplate entries
    keep: frozenset[str]  # learned fragments the team keeps in the text

    @property
    def analysis_digest(self) -> str:
        """Everything that changes what one text's analysis gives (a change re-analyses every text)."""
        return _digest([EXTRACTOR_VERSION, self.min_length, list(self.lexicon), sorted(self.english_stop)])

    @property
    def boilerplate_digest(self) -> str:
        return _digest([self.share, self.min_texts])


def config(settings: Settings) -> Config:
    cfg, org = settings.text, settings.organisation
    names = [*org.facilities, *org.facility_aliases, *cfg.user_words]
    lexicon = tuple(sorted({n.strip() for n in names if n.strip() and not re.search(r"\s", n.strip())}))
    return Config(
        min_length=cfg.min_length,
        workers=cfg.workers,
        lexicon=lexicon,
        english_stop=frozenset(w.lower() for w in cfg.english_stop_words),
        share=cfg.boilerplate_share,
        min_texts=cfg.boilerplate_min_texts,
        manual=tuple(dict.fromkeys(normalise(f) for f in cfg.boilerplate if normalise(f))),
        keep=frozenset(normalise(f) for f in cfg.boilerplate_keep),
    )


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def topics_of(settings: Settings) -> dict[str, list[str]]:
    """The topic dictionary from settings: topic → words (an empty word list is ignored)."""
    return {t: [w for w in words if w.strip()] for t, words in settings.text.topics.items()}


def _topics_version(topics: dict[str, list[str]]) -> str:
    return _digest(topics)


# ---------------------------------------------------------------------------------------------
# Words of one text (Kiwi for Hangul, plain words otherwise)

_kiwi = None
_kiwi_key: tuple | None = None
_kiwi_lock = threading.Lock()
HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")
FOREIGN_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
LATIN = re.compile(r"[A-Za-z]")


def kiwi(workers: int = 0, lexicon: tuple[str, ...] = ()):
    """The process's one Kiwi instance (loading the model takes seconds); rebuilt only when the
    dictionary words change."""
    global _kiwi, _kiwi_key
    n = workers if workers > 0 else max(1, min(os.cpu_count() or 1, 4))
    with _kiwi_lock:
        if _kiwi is None or _kiwi_key != (n, lexicon):
            from kiwipiepy import Kiwi

            k = Kiwi(num_workers=n)
            for word in lexicon:
                k.add_user_word(word, "NNP", 0.0)
            _kiwi, _kiwi_key = k, (n, lexicon)
        return _kiwi


def _masks() -> tuple[str, ...]:
    from ccm import privacy

    return tuple(dict.fromkeys([m for _, m, _ in privacy.MASKS] + [privacy.NAME_MASK]))


MASK_TEXTS = _masks()


def _unmask(text: str) -> str:
    if "[" in text:
        for m in MASK_TEXTS:
            text = text.replace(m, " ")
    return text


def _strip_particle(word: str) -> str:
    for p in PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= 2:
            return word[: -len(p)]
    return word


def _flush(run: list[tuple[str, str, bool]], seq: list[str], nouns: dict[str, None], min_length: int) -> None:
    """One eojeol's run of nouns and noun affixes → words: a prefix joined to its noun (불친절), a suffix
    (입장권) or a one-character piece (캠핑장) joined to its neighbour, a particle left on a word Kiwi did
    not know cut off. In the sequence a joined piece follows a '+' (캠핑+장), so that the term 캠핑 still
    matches the word while 용도 and 변경 stay two words."""
    if len(run) == 1 and run[0][1] in NOUN_TAGS:  # most runs: one plain noun
        form, _, oov = run[0]
        word = _strip_particle(form) if oov else form
        seq.append(word)
        if len(word) >= min_length:
            nouns.setdefault(word, None)
        return
    units: list[list[str]] = []
    prefix = ""
    for form, tag, oov in run:
        if tag == "XPN":
            prefix += form
        elif tag == "XSN":
            if units and form not in DROP_SUFFIXES:
                units[-1].append(form)
        else:
            form = prefix + (_strip_particle(form) if oov else form)
            prefix = ""
            if units and (len(form) == 1 or len(units[-1]) == 1 and len(units[-1][0]) == 1):
                units[-1].append(form)
            else:
                units.append([form])
    for pieces in units:
        word = "".join(pieces)
        seq.append("+".join(pieces))
        if len(word) >= min_length:
            nouns.setdefault(word, None)


# What a token is to the analysis: 1 noun or noun affix (a word's piece), 2 verb/adjective (its lemma),
# 3 adverb, root or Chinese characters, 4 a foreign word, 5 a sentence end; anything else is skipped.
KINDS = {
    "NNG": 1,
    "NNP": 1,
    "XPN": 1,
    "XSN": 1,
    "MAG": 3,
    "XR": 3,
    "SH": 3,
    "SL": 4,
    "SF": 5,
    **{t: 2 for t in ("VV", "VA", "VV-R", "VV-I", "VA-R", "VA-I")},
}


def korean_words(text: str, tokens, min_length: int) -> tuple[list[str], str]:
    """(keywords, content-word sequence) of one text from its Kiwi tokens. Sentence ends and line
    breaks become '|' in the sequence, so a topic term never spans two sentences. (Hot loop: positions
    are read only for the tokens kept.)"""
    seq: list[str] = []
    nouns: dict[str, None] = {}
    run: list[tuple[str, str, bool]] = []
    end = 0
    kind_of = KINDS.get
    for tok in tokens:
        tag = tok.tag
        kind = kind_of(tag, 0)
        if not kind:
            if run:
                _flush(run, seq, nouns, min_length)
                run = []
            continue
        start = tok.start
        if start != end:
            if run:
                _flush(run, seq, nouns, min_length)
                run = []
            if text.find("\n", end, start) >= 0:
                seq.append("|")
        end = start + tok.len
        if kind == 1:
            run.append((tok.form, tag, tag in NOUN_TAGS and tok.oov))
            continue
        if run:
            _flush(run, seq, nouns, min_length)
            run = []
        if kind == 2:
            seq.append(tok.form + "다")
        elif kind == 3:
            seq.append(tok.form)
        elif kind == 4:
            seq.append(tok.form.lower())
        else:
            seq.append("|")
    if run:
        _flush(run, seq, nouns, min_length)
    return list(nouns), _sequence(seq)


def _sequence(seq: list[str]) -> str:
    out: list[str] = []
    for w in seq:
        if w != "|" or (out and out[-1] != "|"):
            out.append(w)
    while out and out[-1] == "|":
        out.pop()
    return " ".join(out)


def _singular(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "ches", "shes", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "os")):
        return w[:-1]
    return w


def foreign_words(text: str, stop: frozenset[str], min_length: int = 3) -> tuple[list[str], str]:
    """(keywords, word sequence) of a text without Hangul: lower-case words without stop words and
    numbers, plural -s dropped; keywords of at least `min_length` characters (3: 'is', 'ok' say nothing)."""
    seq: list[str] = []
    for w in FOREIGN_WORD.findall(text):
        w = w.lower().replace("’", "'")
        if w.endswith("'s"):
            w = w[:-2]
        if len(w) < 2 or w in stop:
            continue
        seq.append(_singular(w))
    return list(dict.fromkeys(w for w in seq if len(w) >= max(min_length, 3))), " ".join(seq)


def words_of(texts: list[str], cfg: Config) -> Iterator[tuple[list[str], str]]:
    """(keywords, word sequence) of each cleaned text, in order. The Hangul texts stream through one
    Kiwi call, so its threads never wait at a batch boundary; the others get foreign_words. A text
    with Hangul but mostly Latin letters (an English complaint in a Korean form) also keeps its
    foreign words as keywords."""
    prepared = [_unmask(t[:MAX_TEXT]) for t in texts]
    hangul = [bool(HANGUL.search(t)) for t in prepared]
    tokens = (
        iter(kiwi(cfg.workers, cfg.lexicon).tokenize(t for t, h in zip(prepared, hangul) if h))
        if any(hangul)
        else iter(())
    )
    for t, h in zip(prepared, hangul):
        if not h:
            yield foreign_words(t, cfg.english_stop)
            continue
        keywords, seq = korean_words(t, next(tokens), cfg.min_length)
        if LATIN.search(t) and len(LATIN.findall(t)) > len(HANGUL.findall(t)):
            keywords = list(dict.fromkeys(keywords + foreign_words(t, cfg.english_stop)[0]))
        yield keywords, seq


def extract(texts: list[str], cfg: Config) -> tuple[list[list[str]], list[str]]:
    """Keywords and word sequences of cleaned texts (see words_of)."""
    out = list(words_of(texts, cfg))
    return [k for k, _ in out], [q for _, q in out]


def extract_keywords(texts: list[str], *, min_length: int = 2, workers: int = 0) -> list[list[str]]:
    """Keywords of raw texts with the default dictionary (no boilerplate cut): warm-up and benchmarks."""
    cfg = Config(min_length, workers, (), frozenset(), 1.0, 1 << 30, (), frozenset())
    return extract(texts, cfg)[0]


def term_sequence(term: str, cfg: Config) -> str:
    """A topic term as the word sequence it matches ('' when it holds no content word)."""
    return " ".join(w for w in extract([term], cfg)[1][0].split() if w != "|")


# ---------------------------------------------------------------------------------------------
# Boilerplate: fragments recurring on a large share of one source's texts

BULLETS = "■□○●◎◇◆※▶▷►•·*-–—>"
BRACKET = re.compile(
    r"[\[【〔〈《「『<(（]\s*[^\[\]【】〔〕〈〉《》「」『』<>()（）\n]{1,30}?\s*[\]】〕〉》」』>)）]"
)
LABEL = re.compile(rf"^[\s{re.escape(BULLETS)}]*([^:：\n]{{1,20}}?)\s*[:：]")
TITLE_SEP = re.compile(r"^\s*(\S.{0,18}?)\s+[-–—|>/]\s+")  # 생활불편신고 - 가로등 고장
SENTENCE_END = re.compile(r"(?<=[.!?。…~])(?=[^\d.!?。…~])\s*")
TRAILING = ".!?。…~"
LETTERS = re.compile(r"[^\W\d_]")
FIELD = " (값)"  # key suffix: a form field's label with whatever value follows on its line


def normalise(fragment: str) -> str:
    """The key of a fragment: bullets and end punctuation trimmed, spaces collapsed, numbers as #."""
    s = re.sub(r"\s+", " ", fragment).strip().strip(BULLETS).strip()
    s = re.sub(r"\s*[:：]", ":", s.rstrip(TRAILING).strip())
    return re.sub(r"\d+", "#", s)


def _parts(text: str) -> tuple[set[str], dict[str, str]]:
    """(candidate fragments, label → the value after it) of title LF content. Candidates: bracketed
    groups and 'label:' prefixes anywhere, a title's prefix before ' - ' (or | > /); sentences and lines
    of the content, unless the content is a single sentence (then it is the message itself); the last
    word and the last two words of a content of three words or more. A whole title is never one (titles
    are often the category), nor a field's one-sentence value."""
    found: set[str] = set()
    sentences: set[str] = set()
    said_in_content = 0
    values: dict[str, str] = {}
    masks = set(MASK_TEXTS)
    for i, line in enumerate(text.split("\n")):
        for m in BRACKET.finditer(line):
            if m.group() not in masks:
                found.add(normalise(m.group()))
        if i == 0 and (sep := TITLE_SEP.match(line)) and HANGUL.search(sep.group(1)):
            found.add(normalise(sep.group()))
        for piece in [BRACKET.sub(lambda m: m.group() if m.group() in masks else " ", line)]:
            label = LABEL.match(piece)
            said = SENTENCE_END.split(piece)
            if label and HANGUL.search(label.group(1)):
                key = normalise(label.group(1)) + ":"
                found.add(key)
                values[key] = normalise(piece[label.end() :])
                said = SENTENCE_END.split(piece[label.end() :])
                if len(said) < 2:
                    said_in_content += i > 0 and bool(values[key])
                    continue
            if i > 0:
                said = [x for x in (normalise(x) for x in said) if x]
                sentences.update(said)
                said_in_content += len(said)
    if said_in_content > 1:
        found |= sentences
    content = text.partition("\n")[2]
    if (
        len(content.split()) >= 3
    ):  # how the content ends, inline as often as on its own line: 첨부 파일, 감사합니다
        last = SENTENCE_END.split(content.strip())[-1].split()
        found |= {normalise(" ".join(last[-n:])) for n in (1, 2) if len(last) >= n}
    return {f for f in found if len(LETTERS.findall(f)) >= 2}, values


def fragments(text: str) -> set[str]:
    """Candidate boilerplate fragments of one text (see _parts)."""
    return _parts(text)[0]


def _closed_field(values: Counter[str], texts: int) -> bool:
    """A label whose values are a few short choices (답변 방법: 문자/전화) is a form field: its whole line goes."""
    short = sum(n for v, n in values.items() if v and len(v) <= 20)
    return short >= 0.9 * texts and len(values) <= max(5, texts // 5)


def learn_fragments(texts: Iterable[str], share: float) -> list[tuple[str, int]]:
    """(fragment, texts holding it) for fragments on at least `share` of the distinct texts (and two).
    A learned label whose values are a few short choices is learned with its value ('label: (값)')."""
    distinct = set(texts)
    counts: Counter[str] = Counter()
    values: dict[str, Counter[str]] = {}
    for t in distinct:
        found, vals = _parts(t)
        counts.update(found)
        for k, v in vals.items():
            values.setdefault(k, Counter())[v] += 1
    need = max(2.0, share * len(distinct))
    found = {f: c for f, c in counts.items() if c >= need}
    # a fragment inside a longer one found on (nearly) the same texts is that one's part: 파일 of 첨부 파일
    found = {
        f: c
        for f, c in found.items()
        if not any(f != g and f in g and d >= 0.8 * c for g, d in found.items())
    }
    out = [(f + FIELD if f in values and _closed_field(values[f], c) else f, c) for f, c in found.items()]
    return sorted(out, key=lambda fc: (-fc[1], fc[0]))


def fragment_regex(fragment: str) -> str:
    """A fragment key as a regular expression (RE2 and Python): any run of spaces for a space, any number
    for #, optional end punctuation; 'label: (값)' takes the rest of the line."""
    field = fragment.endswith(FIELD)
    out = []
    for ch in fragment[: -len(FIELD)] if field else fragment:
        if ch == " ":
            out.append(r"\s+")
        elif ch == "#":
            out.append("[0-9]+")
        elif ch == ":":
            out.append(r"\s*[:：]")
        elif ch in r"\.^$|?*+()[]{}":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out) + (r"[^\n]*" if field else f"[{re.escape(TRAILING)}]*")


def boilerplate_pattern(fragment_keys: Iterable[str]) -> str:
    keys = sorted(set(fragment_keys), key=lambda f: (-len(f), f))
    return "|".join(fragment_regex(k) for k in keys)


def cut_boilerplate(text: str, fragment_keys: Iterable[str]) -> str:
    """The text without the fragments (each replaced by a line break), as enrich cuts it in SQL."""
    pattern = boilerplate_pattern(fragment_keys)
    return re.sub(pattern, "\n", text) if pattern else text


def _learn(con: duckdb.DuckDBPyConnection, cfg: Config, batches: str | None) -> pd.DataFrame:
    """Learned fragments (kind, source, fragment, texts, total) of every channel and of the batches
    selected by the SQL `batches` (a subquery of batch ids; None = all), from up to SAMPLE distinct
    texts per source (chosen by their hash: the same data always gives the same sample)."""
    where = "" if batches is None else f"WHERE batch_id IN ({batches})"
    src = f"""SELECT 'batch' AS kind, batch_id::VARCHAR AS source, {TEXT_SQL} AS text FROM voc_items {where}
              UNION ALL
              SELECT 'channel', channel, {TEXT_SQL} FROM voc_items WHERE channel IS NOT NULL"""
    # every m-th hash value first (m per source, so ~4 × SAMPLE texts are left), then the SAMPLE smallest
    rows = con.execute(
        f"""WITH src AS ({src}),
                 n AS (SELECT kind, source, greatest(1, count(*) // ?)::UBIGINT AS m FROM src GROUP BY ALL
                       HAVING count(*) >= ?),
                 d AS (SELECT DISTINCT kind, source, text FROM src JOIN n USING (kind, source) WHERE hash(text) % m = 0)
            SELECT kind, source, text FROM d
            QUALIFY row_number() OVER (PARTITION BY kind, source ORDER BY hash(text), text) <= ?""",
        [4 * SAMPLE, cfg.min_texts, SAMPLE],
    ).fetchall()
    groups: dict[tuple[str, str], list[str]] = {}
    for kind, source, text in rows:
        groups.setdefault((kind, source), []).append(text)
    by_sample: dict[bytes, list[tuple[str, int]]] = {}  # a batch of one channel is that channel's sample
    out = []
    for (kind, source), texts in sorted(groups.items()):
        if (
            len(texts) < cfg.min_texts
        ):  # fewer distinct texts than items (a sample is never smaller than that)
            continue
        key = hashlib.md5("\x1e".join(texts).encode()).digest()
        if key not in by_sample:
            by_sample[key] = learn_fragments(texts, cfg.share)
        out += [(kind, source, f, c, len(texts)) for f, c in by_sample[key]]
    return pd.DataFrame(out, columns=["kind", "source", "fragment", "texts", "total"]).astype(
        {"texts": "int32", "total": "int32"}
    )


_learned_memo: dict[str, pd.DataFrame] = {}


def _learn_once(con: duckdb.DuckDBPyConnection, cfg: Config, batches: str | None, state: str) -> pd.DataFrame:
    """_learn, remembered for the same items and state: enrich_path's read and write steps learn once."""
    items = con.execute(f"SELECT count(*), bit_xor(hash(voc_id, {SIG_SQL})) FROM voc_items").fetchone()
    done = con.execute(f"SELECT count(*), bit_xor(hash(voc_id, row_sig)) FROM {state}").fetchone()
    key = _digest([list(items), list(done), cfg.boilerplate_digest, batches])
    if key not in _learned_memo:
        while len(_learned_memo) >= 4:
            _learned_memo.pop(next(iter(_learned_memo)))
        _learned_memo[key] = _learn(con, cfg, batches)
    return _learned_memo[key].copy()


def _sig(fragments_: list[str]) -> int:
    return int(hashlib.md5("\x1f".join(fragments_).encode()).hexdigest()[:15], 16)


def _pairs(
    con: duckdb.DuckDBPyConnection, learned: pd.DataFrame, cfg: Config
) -> tuple[pd.DataFrame, dict[int, str]]:
    """Per (batch_id, channel) of the items: the boilerplate cut from their texts, as (bp_sig, pattern id)
    and the patterns by id (id 0 = nothing to cut)."""
    pairs = con.execute("SELECT DISTINCT batch_id AS p_batch, channel AS p_channel FROM voc_items").df()
    by_source: dict[tuple[str, str], set[str]] = {}
    for kind, source, frag in learned[["kind", "source", "fragment"]].itertuples(index=False):
        if frag not in cfg.keep:
            by_source.setdefault((kind, str(source)), set()).add(frag)
    patterns: dict[str, int] = {}
    sigs, ids = [], []
    for batch_id, channel in pairs.itertuples(index=False):
        frags = by_source.get(("batch", str(batch_id)), set()) | set(cfg.manual)
        if not pd.isna(channel):
            frags |= by_source.get(("channel", str(channel)), set())
        pattern = boilerplate_pattern(frags)
        sigs.append(_sig(sorted(frags)))
        ids.append(patterns.setdefault(pattern, len(patterns) + 1) if pattern else 0)
    pairs["bp_sig"] = pd.array(sigs, dtype="UInt64")
    pairs["pattern_id"] = pd.array(ids, dtype="Int32")
    return pairs, {i: p for p, i in patterns.items()}


def _sql_literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Enrichment: which items changed, what their cleaned texts are, analysis, storing


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM text_meta WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO text_meta VALUES (?, ?)", [key, value])


def _needs_reset(con: duckdb.DuckDBPyConnection, cfg: Config) -> bool:
    """The analysis itself changed (version, dictionary words, minimum length): every text again."""
    return _meta(con, "extractor") != EXTRACTOR_VERSION or _meta(con, "analysis") != cfg.analysis_digest


def _prepare(con: duckdb.DuckDBPyConnection, cfg: Config, reset: bool) -> pd.DataFrame | None:
    """Temp table `_enrich_changed(voc_id, row_sig, bp_sig, text, text_hash, text_changed)`: items that
    are new, changed, or whose boilerplate changed, with their cleaned text. Boilerplate is learned
    again when any item changed or went (every channel, the batches of changed items). Returns the
    newly learned rows (None when nothing had to be learned)."""
    state = "(SELECT * FROM voc_text_state WHERE FALSE)" if reset else "voc_text_state"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _enrich_base AS
                    SELECT i.voc_id, i.batch_id FROM voc_items i LEFT JOIN {state} s USING (voc_id)
                    WHERE s.row_sig IS DISTINCT FROM {SIG_SQL}""")
    changed = con.execute("SELECT EXISTS (SELECT 1 FROM _enrich_base)").fetchone()[0]
    gone = con.execute(
        f"SELECT EXISTS (SELECT 1 FROM {state} ANTI JOIN voc_items USING (voc_id))"
    ).fetchone()[0]
    learn_all = reset or _meta(con, "boilerplate") != cfg.boilerplate_digest
    effective = con.execute("SELECT kind, source, fragment, texts, total FROM text_boilerplate").df()
    learned = None
    if changed or gone or learn_all:
        learned = _learn_once(
            con, cfg, None if learn_all else "SELECT DISTINCT batch_id FROM _enrich_base", state
        )
        kept = effective.iloc[:0]
        if not learn_all:
            relearned = {
                str(r[0]) for r in con.execute("SELECT DISTINCT batch_id FROM _enrich_base").fetchall()
            }
            kept = effective[(effective["kind"] == "batch") & ~effective["source"].isin(relearned)]
        effective = pd.concat([kept, learned], ignore_index=True)
        learned.attrs["all"] = learn_all
    pairs, patterns = _pairs(con, effective, cfg)
    con.register("_enrich_pairs_df", pairs)
    con.execute("CREATE OR REPLACE TEMP TABLE _enrich_pairs AS SELECT * FROM _enrich_pairs_df")
    con.unregister("_enrich_pairs_df")
    cases = " ".join(
        f"WHEN {i} THEN regexp_replace(raw, {_sql_literal(p)}, chr(10), 'g')" for i, p in patterns.items()
    )
    cleaned = f"CASE pattern_id {cases} ELSE raw END" if cases else "raw"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _enrich_changed AS
            WITH cur AS (SELECT i.voc_id, {SIG_SQL} AS row_sig, p.bp_sig, p.pattern_id, {TEXT_SQL} AS raw,
                                s.text_hash AS old_hash
                         FROM voc_items i JOIN _enrich_pairs p
                              ON p.p_batch = i.batch_id AND p.p_channel IS NOT DISTINCT FROM i.channel
                         LEFT JOIN {state} s USING (voc_id)
                         WHERE s.row_sig IS DISTINCT FROM {SIG_SQL} OR s.bp_sig IS DISTINCT FROM p.bp_sig),
                 c AS (SELECT voc_id, row_sig, bp_sig, old_hash, {cleaned} AS text FROM cur),
                 h AS (SELECT *, md5(text) AS text_hash FROM c)
            SELECT voc_id, row_sig, bp_sig, text, text_hash, old_hash IS DISTINCT FROM text_hash AS text_changed
            FROM h"""
    )
    return learned


def _drop_temps(con: duckdb.DuckDBPyConnection) -> None:
    for t in ("_enrich_changed", "_enrich_base", "_enrich_pairs"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def pending_texts(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """The distinct cleaned texts (text_hash, text) of new or changed items that have no cached
    analysis yet: one short read, no write (all texts when the analysis itself changed)."""
    cfg = config(settings)
    reset = _needs_reset(con, cfg)
    try:
        _prepare(con, cfg, reset)
        cache = "" if reset else "ANTI JOIN text_cache t ON t.text_hash = c.text_hash"
        return con.execute(
            f"SELECT c.text_hash, any_value(c.text) AS text FROM _enrich_changed c {cache} "
            "GROUP BY c.text_hash"
        ).df()
    finally:
        _drop_temps(con)


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


def analyse(
    texts: pd.DataFrame, settings: Settings, progress: Callable[[int, int], None] | None = None
) -> pa.Table:
    """Keywords and word sequences (text_hash, keywords, tokens) of pending texts; needs no database
    connection. `progress(done, total)` is called after each BATCH texts, which become compact Arrow
    columns at once (a million texts' keywords as Python lists took gigabytes)."""
    cfg = config(settings)
    total = len(texts)
    if total:
        _pause_hook()
    words: list[pa.Array] = []
    seqs: list[pa.Array] = []
    kw: list[list[str]] = []
    sq: list[str] = []
    for keywords, seq in words_of(texts["text"].tolist() if total else [], cfg):
        kw.append(keywords)
        sq.append(seq)
        if len(kw) == BATCH:
            words.append(pa.array(kw, KEYWORDS_TYPE))
            seqs.append(pa.array(sq, pa.string()))
            kw, sq = [], []
            if progress:
                progress(len(words) * BATCH, total)
    if kw or not words:
        words.append(pa.array(kw, KEYWORDS_TYPE))
        seqs.append(pa.array(sq, pa.string()))
    if progress and total and total % BATCH:
        progress(total, total)
    hashes = pa.array(texts["text_hash"].astype(str).tolist() if total else [], pa.string())
    return pa.table(
        {
            "text_hash": hashes,
            "keywords": pa.chunked_array(words, KEYWORDS_TYPE),
            "tokens": pa.chunked_array(seqs, pa.string()),
        }
    )


def _cache(con: duckdb.DuckDBPyConnection, analysed: pa.Table) -> None:
    if not analysed.num_rows:
        return
    con.register("_enrich_words", analysed)
    con.execute("""INSERT INTO text_cache (text_hash, keywords, tokens)
                   SELECT DISTINCT ON (text_hash) text_hash, keywords::VARCHAR[], tokens
                   FROM _enrich_words ANTI JOIN text_cache USING (text_hash)""")
    con.unregister("_enrich_words")


_term_cache: dict[tuple, str] = {}


def _terms(topics: dict[str, list[str]], cfg: Config) -> list[tuple[str, str, str, bool]]:
    """(topic, word sequence, its first word, several words?) for every term of the dictionary that
    holds a content word."""
    out = set()
    for topic, words in topics.items():
        for w in words:
            key = (w, cfg.analysis_digest)
            if key not in _term_cache:
                _term_cache[key] = term_sequence(w, cfg)
            seq = _term_cache[key]
            if seq:
                out.add((topic, seq, seq.split(" ")[0], " " in seq))
    return sorted(out)


def _tag_sql(terms: list[tuple[str, str, str, bool]], target: str) -> tuple[str, list]:
    """SELECT voc_id, topic, scope columns for the items of `target` (a table of voc_id): every topic
    one of whose terms occurs as whole words in the item's word sequence (a word may go on with a joined
    piece: 휴무 matches 휴무+일), '기타' when none does. Per distinct text: its words are joined to the
    terms' first words; only texts holding the first word of a several-word term are searched for it."""
    items = f"SELECT s.voc_id, s.text_hash FROM voc_text_state s SEMI JOIN {target} c USING (voc_id)"
    if not terms:
        return (
            f"SELECT i.voc_id, '{NO_TOPIC}' AS topic, {_ATTR_LIST} FROM voc_items i "
            f"SEMI JOIN {target} c USING (voc_id)"
        ), []
    values = ", ".join("(?, ?, ?, ?)" for _ in terms)
    return (
        f"""WITH terms(topic, term, head, multi) AS (VALUES {values}),
                 items AS ({items}),
                 seqs AS (SELECT text_hash, ' ' || coalesce(tokens, '') || ' ' AS seq FROM text_cache
                          SEMI JOIN items USING (text_hash)),
                 words AS (SELECT DISTINCT text_hash, unnest(string_split(trim(seq), ' ')) AS w FROM seqs),
                 heads AS (SELECT text_hash, w FROM words
                           UNION SELECT text_hash, split_part(w, '+', 1) FROM words WHERE contains(w, '+')),
                 cand AS (SELECT h.text_hash, t.topic, t.term, t.multi FROM heads h JOIN terms t ON t.head = h.w),
                 hits AS (SELECT DISTINCT text_hash, topic FROM cand WHERE NOT multi
                          UNION
                          SELECT DISTINCT c.text_hash, c.topic FROM cand c JOIN seqs USING (text_hash)
                          WHERE c.multi AND (contains(seqs.seq, ' ' || c.term || ' ')
                                             OR contains(seqs.seq, ' ' || c.term || '+'))),
                 tags AS (SELECT items.voc_id, hits.topic FROM items JOIN hits USING (text_hash)
                          UNION ALL
                          SELECT c.voc_id, '{NO_TOPIC}' FROM {target} c
                          ANTI JOIN (SELECT voc_id FROM items JOIN hits USING (text_hash)) USING (voc_id)
                          SEMI JOIN voc_items USING (voc_id))
            SELECT tags.voc_id, tags.topic, {_ATTR_LIST} FROM tags JOIN voc_items i USING (voc_id)""",
        [x for p in terms for x in p],
    )


def enrich(
    con: duckdb.DuckDBPyConnection, settings: Settings, progress: Callable[[int, int], None] | None = None
) -> int:
    """Keywords and topics for new or changed items, in one call on one connection (tests, demo, small
    jobs; the connection is held during the analysis). Returns how many items had a new or changed text.
    Loaders with a database file use `enrich_path`, which holds the file lock only to read and write."""
    return store(con, settings, analyse(pending_texts(con, settings), settings, progress))


def enrich_path(
    db_path: str | Path,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    *,
    wait_seconds: float = 60.0,
) -> int:
    """`enrich` without holding the database during the analysis: read the pending texts (short
    session), analyse with the file unlocked, then write in one short transaction. While it runs, a
    marker beside the database tells the pages that an analysis is under way (`running`)."""
    marker = running_marker(db_path)

    def step(done: int, total: int) -> None:
        _write_marker(marker, done, total)
        if progress:
            progress(done, total)

    try:
        _write_marker(marker, 0, 0)
        with db.session(db_path, wait_seconds=wait_seconds) as con:
            texts = pending_texts(con, settings)
        _write_marker(marker, 0, len(texts))
        analysed = analyse(texts, settings, step)
        with db.session(db_path, wait_seconds=wait_seconds) as con:
            return store(con, settings, analysed)
    finally:
        marker.unlink(missing_ok=True)


def store(con: duckdb.DuckDBPyConnection, settings: Settings, analysed: pa.Table) -> int:
    """Write keywords and topics (one transaction) from the current items: `analysed` fills the text
    cache first; the changed items are found again here, so an item changed or removed since the
    texts were read gets keywords of its current text (the few texts still missing are analysed
    here). A changed date, type, department or facility only refreshes the copied columns.
    Returns how many items had a new or changed text."""
    cfg = config(settings)
    topics = topics_of(settings)
    try:
        with db.transaction(con):
            if _needs_reset(con, cfg):
                for table in ("text_cache", "voc_text_state", "text_boilerplate"):
                    con.execute(f"DELETE FROM {table}")
                con.execute("DELETE FROM text_meta WHERE key IN ('topics', 'boilerplate')")
                _set_meta(con, "extractor", EXTRACTOR_VERSION)
                _set_meta(con, "analysis", cfg.analysis_digest)
            _cache(con, analysed)
            retag_all = _meta(con, "topics") != _topics_version(topics)
            learned = _prepare(con, cfg, reset=False)
            _cache(con, analyse(_missing_texts(con), settings))
            _remove_orphans(con)
            if learned is not None:
                _store_learned(con, learned)
            changed = con.execute("SELECT count(*) FILTER (text_changed) FROM _enrich_changed").fetchone()[0]
            con.execute("DELETE FROM voc_keywords WHERE voc_id IN (SELECT voc_id FROM _enrich_changed)")
            con.execute(
                """INSERT INTO voc_keywords (voc_id, keyword, received_at, department)
                   SELECT voc_id, unnest(t.keywords), i.received_at, i.department
                   FROM _enrich_changed c JOIN text_cache t USING (text_hash) JOIN voc_items i USING (voc_id)
                   ORDER BY i.received_at"""  # rows in time order: period filters skip whole row groups
            )
            con.execute("""INSERT OR REPLACE INTO voc_text_state (voc_id, text_hash, row_sig, bp_sig)
                           SELECT voc_id, text_hash, row_sig, bp_sig FROM _enrich_changed""")
            target = "voc_items" if retag_all else "_enrich_changed"
            con.execute(f"DELETE FROM voc_topics WHERE voc_id IN (SELECT voc_id FROM {target})")
            sql, params = _tag_sql(_terms(topics, cfg), target)
            con.execute(f"INSERT INTO voc_topics ({TOPIC_COLUMNS}) {sql} ORDER BY received_at", params)
            _set_meta(con, "topics", _topics_version(topics))
            _set_meta(con, "boilerplate", cfg.boilerplate_digest)
            _set_meta(con, "boilerplate_entries", _digest([list(cfg.manual), sorted(cfg.keep)]))
    finally:
        _drop_temps(con)
    return changed


def _store_learned(con: duckdb.DuckDBPyConnection, learned: pd.DataFrame) -> None:
    """Learned rows replace those of every channel and of the batches learned again (all batches after a
    change of the learning settings); batches whose items are all gone lose theirs."""
    batches = (
        "TRUE"
        if learned.attrs.get("all")
        else "source IN (SELECT DISTINCT batch_id::VARCHAR FROM _enrich_base)"
    )
    con.execute(f"""DELETE FROM text_boilerplate WHERE kind = 'channel' OR {batches}
                    OR source NOT IN (SELECT DISTINCT batch_id::VARCHAR FROM voc_items)""")
    if len(learned):
        con.register("_enrich_learned", learned)
        con.execute(
            "INSERT INTO text_boilerplate SELECT kind, source, fragment, texts, total FROM _enrich_learned"
        )
        con.unregister("_enrich_learned")


def _missing_texts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Cleaned texts of changed items still without a cached analysis (changed since pending_texts read them)."""
    return con.execute(
        """SELECT c.text_hash, any_value(c.text) AS text FROM _enrich_changed c
           ANTI JOIN text_cache t ON t.text_hash = c.text_hash GROUP BY c.text_hash"""
    ).df()


def _remove_orphans(con: duckdb.DuckDBPyConnection) -> None:
    """Items removed from voc_items (e.g. a rolled-back batch) lose their keywords and topics."""
    if not con.execute(
        "SELECT EXISTS (SELECT 1 FROM voc_text_state ANTI JOIN voc_items USING (voc_id))"
    ).fetchone()[0]:
        return
    for table in ("voc_keywords", "voc_topics", "voc_text_state"):
        con.execute(f"DELETE FROM {table} WHERE voc_id NOT IN (SELECT voc_id FROM voc_items)")


# ---------------------------------------------------------------------------------------------
# State for the pages


def topics_stale(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """True when the stored topics were made with another dictionary than the one in settings
    (they are re-tagged by the next enrich, i.e. the next load)."""
    stored = _meta(con, "topics")
    return stored is not None and stored != _topics_version(topics_of(settings))


def boilerplate_stale(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """True when the team's boilerplate entries changed since the texts were last cut."""
    cfg = config(settings)
    stored = _meta(con, "boilerplate_entries")
    return stored is not None and stored != _digest([list(cfg.manual), sorted(cfg.keep)])


def running_marker(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".analysis.json")


def _write_marker(marker: Path, done: int, total: int) -> None:
    try:
        marker.write_text(json.dumps({"done": done, "total": total}), encoding="utf-8")
    except OSError:
        pass  # a read-only folder: the pages just cannot tell that an analysis runs


def running(db_path: str | Path) -> dict | None:
    """{'done', 'total'} while an enrich_path on this database is analysing (its marker was touched in
    the last RUNNING_STALE seconds), else None."""
    marker = running_marker(db_path)
    try:
        if time.time() - marker.stat().st_mtime > RUNNING_STALE:
            return None
        return json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def boilerplate_table(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """Every boilerplate entry: learned ones with where they were found (file or channel) and on what
    share of its texts, and the team's own. Columns: fragment, source, texts, total, share, state
    (제외 | 유지(팀 결정) | 직접 추가)."""
    cfg = config(settings)
    df = con.execute(
        """SELECT b.fragment, CASE b.kind WHEN 'channel' THEN '채널 ' || b.source
                                   ELSE '파일 ' || coalesce(l.file_name, '적재 ' || b.source) END AS source,
                  b.texts, b.total, b.texts / b.total AS share
           FROM text_boilerplate b LEFT JOIN load_batches l
                ON b.kind = 'batch' AND l.batch_id::VARCHAR = b.source
           ORDER BY b.texts / b.total DESC, b.fragment, source"""
    ).df()
    df["state"] = ["유지(팀 결정)" if f in cfg.keep else "제외" for f in df["fragment"]]
    manual = pd.DataFrame(
        {
            "fragment": list(cfg.manual),
            "source": "직접 추가",
            "texts": pd.NA,
            "total": pd.NA,
            "share": float("nan"),
            "state": "직접 추가",
        }
    )
    return pd.concat([manual, df], ignore_index=True) if len(manual) else df


# ---------------------------------------------------------------------------------------------
# The CCM team's edits of [text] (from the trends page), and their check in the settings editor


def _edit(toml_text: str, change: Callable[[dict], None]) -> str:
    import tomlkit

    doc = tomlkit.parse(toml_text)
    if "text" not in doc:
        doc["text"] = tomlkit.table()
    change(doc["text"])
    return tomlkit.dumps(doc)


def _list(section, key: str):
    import tomlkit

    if key not in section:
        section[key] = tomlkit.array()
    return section[key]


def cut_fragment(toml_text: str, fragment: str) -> str:
    """settings.toml text in which `fragment` is cut as boilerplate: taken off `boilerplate_keep` if the
    team had kept it, else added to the team's own `boilerplate` entries. Comments and layout stay."""
    key = normalise(fragment)

    def change(section) -> None:
        keep = _list(section, "boilerplate_keep")
        kept = [i for i, v in enumerate(keep) if normalise(str(v)) == key]
        for i in reversed(kept):
            del keep[i]
        own = _list(section, "boilerplate")
        if not kept and key not in {normalise(str(v)) for v in own}:
            own.append(key)

    return _edit(toml_text, change)


def keep_fragment(toml_text: str, fragment: str) -> str:
    """settings.toml text in which `fragment` stays in the texts: taken off the team's own `boilerplate`
    entries if it is one, else added to `boilerplate_keep` (a learned fragment is not cut)."""
    key = normalise(fragment)

    def change(section) -> None:
        own = _list(section, "boilerplate")
        mine = [i for i, v in enumerate(own) if normalise(str(v)) == key]
        for i in reversed(mine):
            del own[i]
        keep = _list(section, "boilerplate_keep")
        if not mine and key not in {normalise(str(v)) for v in keep}:
            keep.append(key)

    return _edit(toml_text, change)


def add_topic(toml_text: str, topic: str, words: Iterable[str]) -> str:
    """settings.toml text with `topic` in [text.topics] defined by `words` (added to its words if the
    topic exists)."""
    import tomlkit

    def change(section) -> None:
        if "topics" not in section:
            section["topics"] = tomlkit.table()
        topics = section["topics"]
        if topic in topics:
            for w in words:
                if w not in topics[topic]:
                    topics[topic].append(w)
        else:
            topics[topic] = list(dict.fromkeys(words))

    return _edit(toml_text, change)


def keyword_groups(
    pairs: pd.DataFrame, min_items: int, limit: int, max_words: int = 5
) -> list[tuple[list[str], int]]:
    """Groups of keywords from (voc_id, keyword) pairs, largest first: each group starts at the most
    frequent keyword not yet used (its seed) and takes the keywords that mostly (in more than half their
    items) occur with the seed, up to `max_words`. A group counts the items holding any of its words that
    no earlier group took; groups under `min_items` items are dropped. Returns (words, items)."""
    if pairs.empty:
        return []
    items_of = {k: frozenset(v) for k, v in pairs.groupby("keyword")["voc_id"]}
    order = sorted(items_of, key=lambda k: (-len(items_of[k]), k))
    covered: set = set()
    used: set[str] = set()
    groups: list[tuple[list[str], int]] = []
    for seed in order:
        seed_items = items_of[seed]
        if seed in used or len(seed_items - covered) < min_items:
            continue
        words = [seed] + [
            w
            for w in order
            if w not in used and w != seed and len(items_of[w] & seed_items) > 0.5 * len(items_of[w])
        ][: max_words - 1]
        members = frozenset().union(*(items_of[w] for w in words)) - covered
        groups.append((words, len(members)))
        covered |= members
        used |= set(words)
    return sorted(groups, key=lambda g: (-g[1], g[0]))[:limit]


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


def tokens_of(con: duckdb.DuckDBPyConnection, voc_id: str) -> str | None:
    """The stored word sequence topics are matched against (for explanations and tests)."""
    row = con.execute(
        """SELECT t.tokens FROM voc_text_state s JOIN text_cache t USING (text_hash)
                         WHERE s.voc_id = ?""",
        [voc_id],
    ).fetchone()
    return row[0] if row else None
