"""A generated, seeded corpus of personal data in every spelling people type: phones, 주민번호 and e-mails
with every separator, in Hangul digits, in full-width characters, with a spelled-out @, placed at the start,
middle or end of Korean text (or alone, or as a short column value). Each planted value carries the
needles a leak search looks for: its digits (or Hangul digits) and its e-mail local part, normalised."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

SEED = 14
SEPARATORS = [
    "",
    "-",
    "_",
    "/",
    ".",
    "~",
    ",",
    "*",
    "—",
    "–",
    "―",
    "ㅡ",
    "ー",
    "－",
    "·",
    "／",
    " ",
    "  ",
    " - ",
    " / ",
    ". ",
    "\u3000",
]
HANGUL_DIGITS = {
    "0": "공영",
    "1": "일",
    "2": "이",
    "3": "삼",
    "4": "사",
    "5": "오",
    "6": "육",
    "7": "칠",
    "8": "팔",
    "9": "구",
}
AREA_CODES = ["010", "011", "016", "017", "018", "019", "02", "031", "051", "064", "070", "0505"]
# (the @, whether the domain must have a TLD after it): real @, spaced @, spelled forms
AT_FORMS = [
    ("@", False),
    ("＠", False),
    (" @ ", True),
    ("@ ", True),
    (" @", True),
    (" at ", True),
    (" AT ", True),
    ("(at)", True),
    (" (at) ", True),
    ("[at]", True),
    ("{at}", True),
    ("<at>", True),
    (" 골뱅이 ", True),
    ("골뱅이", True),
    (" 앳 ", True),
    ("（ａｔ）", True),
]
DOT_FORMS = [".", " dot ", " DOT ", "[dot]", "(dot)", " 점 ", " 닷 "]
DOMAINS = [
    ["example", "com"],
    ["test", "co", "kr"],
    ["한국", "kr"],
    ["mail", "example", "org"],
    ["회사", "한국"],
    ["163", "com"],
]
NO_TLD_DOMAINS = ["example", "회사"]
RARE_SYLLABLES = "뷁햏똠쀍꽯뙇썎휅뾁큵퓡쒧"
BEFORE = [
    "연락처 ",
    "연락처",
    "전화번호는 ",
    "회신은 ",
    "메일 주소: ",
    "(",
    "주차장 관련 문의입니다. 연락 ",
    "번호 ",
    "답변 부탁드립니다\n",
    "담당자 ",
]
AFTER = [
    "",
    " 로 연락 주세요",
    "로 회신 바랍니다",
    "으로 보내주세요",
    " 입니다.",
    ")",
    "이에요",
    " 감사합니다",
    "\n매표소 직원이 불친절했습니다.",
    ", 주말에 방문했습니다",
]
PLACES = ("start", "middle", "end", "alone")


@dataclass(frozen=True)
class Planted:
    kind: str  # 전화번호 / 주민번호 / 이메일
    typed: str  # the value as typed
    needles: tuple[str, ...]  # normalised (see `normalise`): none may appear in the store


# Separator characters the corpus types, and what NFKC makes of them: removed before searching a needle.
_SEPARATOR_CHARS = set("".join(SEPARATORS))
_SEPARATOR_CHARS |= {unicodedata.normalize("NFKC", c) for c in list(_SEPARATOR_CHARS)} | {"-", ".", "(", ")"}


def normalise(text: str) -> str:
    """NFKC (full-width → ASCII), lower case, every separator removed: a leak typed any way looks the same."""
    return "".join(
        c
        for c in unicodedata.normalize("NFKC", text).lower()
        if c not in _SEPARATOR_CHARS and not c.isspace()
    )


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def phones(rng: random.Random) -> list[Planted]:
    """Every area code × separator (two separators may differ), in ASCII, full-width, Hangul digits, +82."""
    out = []
    for area in AREA_CODES:
        for k, sep in enumerate(SEPARATORS):
            sep2 = sep if k % 3 else rng.choice(SEPARATORS)  # every third number mixes two separators
            groups = [area, _digits(rng, 3 if area in ("011", "02") and k % 2 else 4), _digits(rng, 4)]
            digits = "".join(groups)
            typed = groups[0] + sep + groups[1] + sep2 + groups[2]
            needles = (digits, groups[1] + groups[2])
            out.append(Planted("전화번호", typed, needles))
            if k % 4 == 0:
                out.append(Planted("전화번호", full_width(typed), needles))
            if area in ("010", "02", "031") or k % 5 == 0:
                hangul = [_hangul(g, rng) for g in groups]
                out.append(
                    Planted(
                        "전화번호",
                        hangul[0] + sep + hangul[1] + sep2 + hangul[2],
                        (normalise("".join(hangul)), normalise(hangul[1] + hangul[2]), digits),
                    )
                )
            if area.startswith("01") and k % 2 == 0:
                country = rng.choice(["+82 ", "+82-", "+82", "82 ", "+82 (0)", "＋８２ "])
                typed = country + area[1:] + sep + groups[1] + sep2 + groups[2]
                out.append(Planted("전화번호", typed, ("82" + digits[1:], groups[1] + groups[2])))
    return out


def _hangul(digits: str, rng: random.Random) -> str:
    return "".join(rng.choice(HANGUL_DIGITS[d]) for d in digits)


def rrns(rng: random.Random) -> list[Planted]:
    """주민번호 with every separator, in ASCII and full-width."""
    out = []
    for k, sep in enumerate(SEPARATORS * 3):
        front = f"{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        back = str(rng.randint(1, 8)) + _digits(rng, 6)
        typed = front + sep + back
        out.append(Planted("주민번호", full_width(typed) if k % 5 == 0 else typed, (front + back, back)))
    return out


def _local(rng: random.Random, k: int) -> str:
    if k % 3 == 2:
        return "".join(rng.choice(RARE_SYLLABLES) for _ in range(3)) + str(rng.randint(1, 9))
    letters = "".join(rng.choice("bcdfghjkmnpqrvwxz") for _ in range(6))
    return (letters[:2] + "." + letters[2:] if k % 3 == 1 else letters) + _digits(rng, 2)


def emails(rng: random.Random) -> list[Planted]:
    """Every @ form × dot form × domain (IDN, numeric, no TLD after a plain @), with Latin and Hangul local parts."""
    out, k = [], 0
    for at, needs_tld in AT_FORMS:
        domains = [dot.join(d) for d in DOMAINS for dot in DOT_FORMS] + ([] if needs_tld else NO_TLD_DOMAINS)
        for domain in domains:
            if needs_tld and domain.endswith("한국"):
                continue  # a Hangul TLD is recognised after a plain @ only
            local = _local(rng, k)
            typed = local + at + domain
            if k % 7 == 0:
                typed = full_width(local) + at + domain
            out.append(Planted("이메일", typed, (normalise(local),)))
            k += 1
    return out


def variants(seed: int = SEED) -> list[Planted]:
    rng = random.Random(seed)
    return phones(rng) + rrns(rng) + emails(rng)


def in_text(planted: Planted, place: str, rng: random.Random) -> str:
    """The value inside Korean text: at the start, in the middle, at the end, or alone."""
    before, after = rng.choice(BEFORE), rng.choice(AFTER)
    if place == "alone":
        return planted.typed
    if place == "start":
        return planted.typed + after + " 주차장이 부족합니다."
    if place == "end":
        return "주말에 방문했는데 " + before + planted.typed
    return "매표소 " + before + planted.typed + after + " 확인 부탁드립니다."


def short_value(planted: Planted, rng: random.Random) -> str:
    """The value as typed into a short column (시설, 처리부서, 접수채널): alone or with a word."""
    return rng.choice(["{}", "연락 {}", "{} 고객", "문의{}"]).format(planted.typed)


def rows(seed: int = SEED) -> tuple[list[str], list[list[str]], list[Planted]]:
    """An export: (header, rows, planted values). Every variant in 제목, 내용 or 처리내용 at every place in turn
    (start, middle, end, alone), and in 시설, 처리부서 or 접수채널; 연락처 holds a value of the corpus too."""
    rng = random.Random(seed + 1)
    planted = variants(seed)
    header = [
        "접수번호",
        "접수일시",
        "유형",
        "접수채널",
        "시설",
        "처리부서",
        "처리상태",
        "처리일시",
        "민원인",
        "연락처",
        "제목",
        "내용",
        "처리내용",
    ]
    out: list[list[str]] = []
    for turn in range(len(PLACES)):
        for i in range(0, len(planted), 4):
            group = planted[i : i + 4] + planted[: max(0, i + 4 - len(planted))]
            texts = [in_text(p, PLACES[(turn + j) % len(PLACES)], rng) for j, p in enumerate(group)]
            short = [
                short_value(p, rng) if (turn + j) % 3 == 0 else default
                for j, (p, default) in enumerate(zip(group[1:], ["홈페이지", "단산모노레일", "단산시설팀"]))
            ]
            n = len(out)
            day = 3 + n % 20
            out.append(
                [
                    f"PC{n:05d}",
                    f"2025-03-{day:02d} 10:00",
                    rng.choice(["불만", "문의", "칭찬", "건의"]),
                    short[0],
                    short[1],
                    short[2],
                    "완료",
                    f"2025-03-{day:02d} 15:00",
                    "익명",
                    group[0].typed,
                    texts[0],
                    texts[1] + " " + texts[2],
                    texts[3],
                ]
            )
    return header, out, planted


def leaks(text: str, planted: list[Planted]) -> list[str]:
    """The planted values any of whose needles occur in `text` (normalised)."""
    norm = normalise(text)
    return [p.typed for p in planted if any(n in norm for n in p.needles)]


def leaks_in(values: list[str], planted: list[Planted]) -> list[tuple[str, str]]:
    """(value, planted value) for every value holding a needle: one search of all values per needle."""
    norms = [normalise(v) for v in values]
    joined = "\x00".join(norms)
    found = [p for p in planted if any(n in joined for n in p.needles)]
    return [
        (v, p.typed) for p in found for v, norm in zip(values, norms) if any(n in norm for n in p.needles)
    ]
