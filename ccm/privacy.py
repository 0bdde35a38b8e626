"""Personal data never reaches the store in clear: keyed hashes for identities, masks inside text."""

from __future__ import annotations

import hashlib
import hmac
import re

import numpy as np
import pandas as pd

# Resident registration number (주민등록번호), phone numbers and e-mail addresses, in every spelling people type.
# Separators between digit groups: - . ) _ / ~ , * (dashes, ㅡ, ー, ·, 、 fold to one of them) or spaces.
_SEP = r"(?:\s{0,2}[-.)_/~,*]{1,2}\s{0,2}|\s{1,2})?"
RRN = rf"(?<!\d)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]){_SEP}[1-8](?:\d{{6}}|\*{{6}})(?!\d)"
# Korean phones: mobile 01x, area codes 02/0xx, 070, 050x with a 7-8 digit subscriber, optional +82 (0);
# 15xx/16xx/18xx service numbers, but not a year or amount range (1500~2000원).
PHONE = (
    rf"(?<!\d)(?:(?:\+?82{_SEP}(?:\(0\){_SEP}|0)?|0)(?:1[016789]|2|[3-6][1-5]|70|50\d?){_SEP}\d{{3,4}}{_SEP}\d{{4}}(?!\d)"
    rf"|1[568]\d{{2}}{_SEP}\d{{4}}(?![\d,]|\s?[원명개년회건%]))"
)
# A phone spelled in Hangul digits (공일공-일이삼사-오육칠팔, 영 일 영 …): 9-11 digits from a 0 (12 for 050x),
# any separator between any two; no look-ahead, as a particle (이, 일) is also a digit.
HANGUL_DIGITS = "영공일이삼사오육칠팔구"
_H = f"{_SEP}[{HANGUL_DIGITS}]"
PHONE_HANGUL = rf"(?<![{HANGUL_DIGITS}\d])[영공](?:{_SEP}오{_SEP}[영공](?:{_H}){{8,9}}|(?:{_H}){{8,10}})"
# E-mails: Unicode local parts and domains (홍길동@example.com, x@한국.kr), no TLD (x@example), spaces
# around @, and spelled forms (x at example dot com, x(at)example.com, x[at]example[dot]com, x 골뱅이 example.com).
_LOCAL = r"(?<![\w.%+\-])[\w.%+\-]+"
_LABEL = r"(?:[A-Za-z0-9\-]+|[\w\-]+)"  # an ASCII label stops before a Korean particle (…com으로)
_WORD_DOT = r"(?:[Dd][Oo][Tt]|점|닷)"
_DOT = rf"(?:\.|\s*[(\[{{<]\s*{_WORD_DOT}\s*[)\]}}>]\s*|\s+{_WORD_DOT}\s+)"
_WORD_AT = r"(?:[Aa][Tt]|골뱅이|앳)"
_SPELLED_AT = rf"(?:\s*[(\[{{<]\s*{_WORD_AT}\s*[)\]}}>]\s*|\s+{_WORD_AT}\s+|\s*골뱅이\s*|\s+@\s*|\s*@\s+)"
EMAIL = (
    rf"{_LOCAL}@(?:(?:{_LABEL}{_DOT})+(?:[A-Za-z]{{2,}}|[가-힣]{{2,}})|(?![\d_\-]){_LABEL})"
    rf"|{_LOCAL}{_SPELLED_AT}(?:{_LABEL}{_DOT})+[A-Za-z]{{2,}}"
)

# (pattern, mask, what every match holds: a cheap test that spares the pattern's search on most texts)
MASKS = [
    (RRN, "[주민번호]", r"\d"),
    (EMAIL, "[이메일]", r"@|[Aa][Tt]|골뱅이|앳"),
    (PHONE, "[전화번호]", r"\d"),
    (PHONE_HANGUL, "[전화번호]", "[영공]"),
]
_COMPILED = [(re.compile(p), m, re.compile(g)) for p, m, g in MASKS]


# Characters people type for the ASCII ones the patterns name: full-width forms (０１０－１２３４, ＠), dashes
# and lines (— ― ㅡ ー), middle dots, waves, ideographic commas. Each folds to one ASCII character, so a match
# in the folded text has the same span in the original.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\u2043\u2500\u2501\u2796\u3161\u30fc\uff70"
FOLD_SOURCES: dict[str, str] = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
for ascii_, more in {
    "-": DASHES,
    ".": "\u00b7\u2022\u2027\u2219\u30fb\uff65\u318d",
    "~": "\u223c\u301c",
    ",": "\u3001",
    "/": "\u2044\u2215",
    "*": "\u2217",
    "@": "\ufe6b",
}.items():
    FOLD_SOURCES[ascii_] += more
_FOLD = str.maketrans({src: ascii_ for ascii_, srcs in FOLD_SOURCES.items() for src in srcs})


def mask_text(text: str | None) -> str | None:
    """Mask phone numbers, e-mail addresses and resident registration numbers inside free text, whether
    typed in ASCII, full-width characters, with any separator, Hangul digits or a spelled-out @."""
    if text is None:
        return None
    folded = text.translate(_FOLD)
    for pattern, mask, needs in _COMPILED:
        if not needs.search(folded):
            continue
        if folded == text:
            text = folded = pattern.sub(mask, text)
            continue
        out, out_folded, pos = [], [], 0
        for m in pattern.finditer(folded):
            out += [text[pos : m.start()], mask]
            out_folded += [folded[pos : m.start()], mask]
            pos = m.end()
        if out:
            text, folded = "".join(out) + text[pos:], "".join(out_folded) + folded[pos:]
    return text


# Python's \s, spelled out for RE2 (whose \s is ASCII only): every character str.isspace() accepts.
def _re2_chars(chars) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


WHITESPACE_RE2 = _re2_chars(c for c in map(chr, range(0x3001)) if re.match(r"\s", c))


def re2_superset(pattern: str) -> str:
    r"""An RE2 (pyarrow) pattern matching wherever `mask_text` finds the Python pattern: the look-arounds
    are dropped (RE2 has none; dropping a condition only widens), \d / \s / \w widened to Python's Unicode
    classes, and every ASCII character the pattern names (alone, escaped or as a class range) also stands
    for the characters folding to it. Negated classes are not supported (widening them would narrow)."""
    out, in_class, i = [], False, 0
    pattern = _without_lookarounds(pattern)
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(_re2_escape(pattern[i : i + 2], in_class))
            i += 2
            continue
        if ch == "{" and not in_class:  # a quantifier: copied as it is
            end = pattern.index("}", i) + 1
            out.append(pattern[i:end])
            i = end
            continue
        if ch == "[" and not in_class:
            if pattern[i + 1 : i + 2] == "^":
                raise ValueError("re2_superset: negated character classes cannot be widened")
            in_class = True
        elif ch == "]" and in_class and out[-1] != "[":
            in_class = False
        elif in_class and pattern[i + 1 : i + 2] == "-" and pattern[i + 2 : i + 3] not in ("", "]"):
            lo, hi = ch, pattern[i + 2]  # a range: 3-6 or A-Z also stands for ３-６ / Ａ-Ｚ; 가-힣 as it is
            wide = (
                f"{_re2_chars(FOLD_SOURCES[lo][-1])}-{_re2_chars(FOLD_SOURCES[hi][-1])}"
                if lo.isascii()
                else ""
            )
            out.append(f"{lo}-{hi}{wide}")
            i += 3
            continue
        elif in_class and ch in FOLD_SOURCES:
            out.append(ch + _re2_chars(FOLD_SOURCES[ch]))
            i += 1
            continue
        elif not in_class and ch in FOLD_SOURCES and ch not in "()[]{}?*+|^$.:":  # a literal such as 0 or @
            out.append(f"[{ch}{_re2_chars(FOLD_SOURCES[ch])}]")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# Python's \w is str.isalnum() or "_": letters and numbers of every script, within RE2's \p{L}\p{N};
# "_" also stands for the characters folding to it (＿).
WORD_RE2 = r"\p{L}\p{N}_" + _re2_chars(FOLD_SOURCES["_"])


def _re2_escape(esc: str, in_class: bool) -> str:
    if esc in (r"\d", r"\s", r"\w"):
        chars = {r"\d": r"\p{Nd}", r"\s": WHITESPACE_RE2, r"\w": WORD_RE2}[esc]
        return chars if in_class else f"[{chars}]"
    if esc[1] in FOLD_SOURCES:  # an escaped literal (\+, \-, \*, \.)
        srcs = _re2_chars(FOLD_SOURCES[esc[1]])
        return esc + srcs if in_class else f"[{esc}{srcs}]"
    return esc


def _without_lookarounds(pattern: str) -> str:
    """The pattern with every (?=…), (?!…), (?<=…) and (?<!…) group removed."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(pattern, i)
            continue
        step = 2 if pattern[i] == "\\" else 1
        out.append(pattern[i : i + step])
        i += step
    return "".join(out)


def _group_end(pattern: str, i: int) -> int:
    """The index just after the group opening at pattern[i] (escapes and character classes skipped)."""
    depth, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 2 if pattern[i + 1 : i + 2] == "]" else 1
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced group in {pattern!r}")


# A fast (RE2, multi-threaded C++) pre-filter picks the rows where some mask may apply; only those go
# through the exact patterns, whose look-behinds need Python's re.
CANDIDATE = "|".join(f"(?:{re2_superset(p)})" for p, _, _ in MASKS)


Names = tuple[np.ndarray, list[list[str]]]  # (row positions ascending, the names to mask in each): find_names


def mask_series(s: pd.Series, names: Names | None = None) -> pd.Series:
    """Vectorised mask_text over a column (same result as mask_text on every value), and, given
    `names` (find_names), each row's own names replaced by [이름]."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = s.astype("string")
    arr = pa.array(out, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks > 1 and arr.nbytes < 64 << 20:
        arr = pa.chunked_array(
            [arr.combine_chunks()], arr.type
        )  # RE2 compiles CANDIDATE once per chunk (~15 ms)
    pattern = pc.fill_null(pc.match_substring_regex(arr, CANDIDATE), False).to_numpy(zero_copy_only=False)
    cand, who = pattern, {}
    if names is not None and len(names[0]):
        cand = pattern.copy()
        cand[names[0]] = True
        who = dict(zip(names[0].tolist(), names[1]))
    if not cand.any():
        return out
    rows = np.flatnonzero(cand)
    masked = [
        v if v is None else _replace_all(mask_text(v) if pattern[i] else v, who.get(i, ()))
        for i, v in zip(rows.tolist(), _take(arr, rows))
    ]
    return pd.Series(pd.arrays.ArrowStringArray(_put(arr, rows, masked)), index=s.index, copy=False)


def _take(arr, rows: np.ndarray) -> list:
    """arr[rows] as Python values (`rows` ascending), chunk by chunk (ChunkedArray.take joins the chunks)."""
    chunks = getattr(arr, "chunks", [arr])
    starts = np.cumsum([0] + [len(c) for c in chunks])
    which = np.searchsorted(starts, rows, side="right") - 1
    out: list = []
    for c in np.unique(which):
        out += chunks[c].take(rows[which == c] - starts[c]).to_pylist()
    return out


def _put(arr, rows: np.ndarray, values: list):
    """arr with arr[rows] = values (`rows` ascending): only the chunks holding such rows are rewritten,
    with if_else (replace_with_mask is ten times slower)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = list(getattr(arr, "chunks", [arr]))
    starts = np.cumsum([0] + [len(c) for c in chunks])
    which = np.searchsorted(starts, rows, side="right") - 1
    for c in np.unique(which):
        sel = np.flatnonzero(which == c)
        local = rows[sel] - starts[c]
        mask, aligned = np.zeros(len(chunks[c]), dtype=bool), np.full(len(chunks[c]), None, dtype=object)
        mask[local] = True
        aligned[local] = [values[j] for j in sel]
        chunks[c] = pc.if_else(mask, pa.array(aligned, chunks[c].type), chunks[c])
    return pa.chunked_array(chunks, arr.type)


# A value of an identity column that is a person's name: 2-4 Hangul syllables, or a Latin name of 2-3 words.
NAME_LIKE = r"^(?:[가-힣]{2,4}|[A-Za-z][A-Za-z'-]+(?: [A-Za-z][A-Za-z'-]+){1,2})$"
NAME_MASK = "[이름]"
_NAME_LIKE_PADDED = r"^\s*" + NAME_LIKE[1:-1] + r"\s*$"


def mask_texts(
    texts: dict[str, pd.Series], names: list[pd.Series], not_names: list[str]
) -> dict[str, pd.Series]:
    """Every mask on several text columns of the same rows: phones, e-mails, 주민번호, and each row's
    own customer name (from its identity columns `names`; values in `not_names` such as 익명 are not names)."""
    hits = find_names(list(texts.values()), names, not_names)
    return {fld: mask_series(s, hit) for (fld, s), hit in zip(texts.items(), hits)}


def find_names(texts: list[pd.Series], names: list[pd.Series], not_names: list[str]) -> list[Names]:
    """For each text column: the rows whose text holds that row's own name(s), and the names. One DuckDB
    scan per name-like identity column (multi-threaded)."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    found: list[dict[int, list[str]]] = [{} for _ in texts]
    arrays = {f"t{k}": pa.array(s, from_pandas=True) for k, s in enumerate(texts)}
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        for name in names:
            n = pa.array(name, from_pandas=True)
            like = pc.match_substring_regex(n, _NAME_LIKE_PADDED)
            if not texts or not pc.any(like).as_py():
                continue  # e.g. a phone column
            con.register("u", pa.table({"n": n, "ok": like, "i": pa.array(np.arange(len(n))), **arrays}))
            flags = ", ".join(f"contains({t}, n) AS h{t}" for t in arrays)
            rows = con.execute(
                f"""SELECT * FROM (SELECT i, n, {flags} FROM (SELECT i, trim(n) AS n, {", ".join(arrays)} FROM u WHERE ok)
                                   WHERE NOT list_contains($not, n))
                    WHERE {" OR ".join("h" + t for t in arrays)}""",
                {"not": list(not_names)},
            ).fetchnumpy()
            con.unregister("u")
            for k, t in enumerate(arrays):
                sel = rows["h" + t].astype(bool)
                for i, w in zip(rows["i"][sel].tolist(), rows["n"][sel].tolist()):
                    found[k].setdefault(i, []).append(w)
    finally:
        con.close()
    return [(np.array(sorted(f), dtype=np.int64), [f[i] for i in sorted(f)]) for f in found]


def _replace_all(text: str, names) -> str:
    for name in sorted(names, key=len, reverse=True):  # 홍길동 before 길동
        text = text.replace(name, NAME_MASK)
    return text


_NORM = re.compile(r"[\s\-.()]")


def keyed_hash(value: str | None, key: bytes) -> str | None:
    """HMAC-SHA256 of a normalised identity (spaces, hyphens, case ignored); None for blanks."""
    if value is None:
        return None
    norm = _NORM.sub("", str(value)).lower()
    if not norm or norm in {"nan", "none"}:
        return None
    return hmac.new(key, norm.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


# keyed_hash's [\s\-.()] spelled for RE2 (Python's \s covers more than RE2's: list them all).
NORM_RE2 = "[" + WHITESPACE_RE2 + r"\-.()]"


def hash_series(s: pd.Series, key: bytes) -> pd.Series:
    """keyed_hash over a column (same values), vectorised: normalised with pyarrow, HMAC-SHA256
    (RFC 2104: sha256 of the opad-keyed block and the inner digest) computed in DuckDB, multi-threaded."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(s.astype("string"), from_pandas=True)
    norm = pc.utf8_lower(pc.replace_substring_regex(arr, NORM_RE2, ""))
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    ipad, opad = bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("u", pa.table({"v": norm}))
        inner, outer = ("".join(f"\\x{b:02X}" for b in x) for x in (ipad, opad))  # BLOB literals
        out = (
            con.sql(
                f"""SELECT CASE WHEN v = '' OR v IN ('nan', 'none') THEN NULL
                       ELSE left(sha256('{outer}'::BLOB || unhex(sha256('{inner}'::BLOB || encode(v)))), 32)
                  END AS h FROM u"""
            )
            .to_arrow_table()
            .column("h")
        )
    finally:
        con.close()
    return pd.Series(out.to_pandas(types_mapper=pd.ArrowDtype), index=s.index).astype("string")
