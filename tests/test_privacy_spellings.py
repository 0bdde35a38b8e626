"""Personal data in every spelling people type is masked (issue 14 point 3), ordinary dates, amounts,
times and codes are left alone, and the RE2 pre-filter still finds every row the exact patterns mask."""

import random
import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ccm.privacy import _FOLD, CANDIDATE, WHITESPACE_RE2, WORD_RE2, mask_series, mask_text, re2_superset
from tests.support import privacy_corpus as corpus

SEPARATORS = ["_", "/", ".", "~", ",", "*", "—", "–", "―", "ㅡ", "ー", " ", "  ", "－", "·", " / ", "-_", ""]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_a_mobile_number_with_any_separator_is_masked(sep):
    assert mask_text(f"연락처 010{sep}7777{sep}8890 입니다") == "연락처 [전화번호] 입니다"


@pytest.mark.parametrize(
    "text",
    [
        "02-123-4567",
        "02)1234-5678",
        "(02) 123 4567",
        "031.123.4567",
        "064/1234/5678",
        "070~1234~5678",
        "0505-123-4567",
        "011 123 4567",
        "010-1234_5678",
        "+82 10 1234 5678",
        "+82-10-1234-5678",
        "+82 (0)10 1234 5678",
        "+821012345678",
        "１５８８－１２３４",
    ],
)
def test_landlines_and_international_forms_are_masked(text):
    assert not re.search(r"\d", mask_text(f"번호 {text} 로 연락").replace("[전화번호]", ""))


@pytest.mark.parametrize(
    "text",
    [
        "공일공-일이삼사-오육칠팔",
        "공일공일이삼사오육칠팔",
        "영일영 일이삼사 오육칠팔",
        "공 일 공 일 이 삼 사 오 육 칠 팔",
        "공이-일이삼-사오육칠",
        "영일공_칠칠칠칠_팔팔구공",
        "공일공ㅡ일이삼사ㅡ오육칠팔",
    ],
)
def test_a_phone_spelled_in_hangul_digits_is_masked(text):
    assert mask_text(f"전화는 {text} 입니다") == "전화는 [전화번호] 입니다"


def test_a_particle_after_a_hangul_phone_is_not_needed_to_find_it():
    assert mask_text("제 번호는 공일공-일이삼사-오육칠팔이에요") == "제 번호는 [전화번호]이에요"


@pytest.mark.parametrize("sep", ["-", "_", ".", "~", "/", " ", "  ", "ㅡ", "—", "", " - "])
def test_a_resident_number_with_any_separator_is_masked(sep):
    assert mask_text(f"주민번호 900101{sep}1234567 입니다") == "주민번호 [주민번호] 입니다"


@pytest.mark.parametrize(
    "text",
    [
        "x@한국.kr",
        "홍길동@example.com",
        "x@example",
        "x @ example.com",
        "x@ example.com",
        "x at example dot com",
        "x AT example DOT com",
        "x(at)example.com",
        "x (at) example (dot) co (dot) kr",
        "x[at]example[dot]com",
        "x{at}example.com",
        "x 골뱅이 example.com",
        "x골뱅이example.com",
        "x 앳 example 닷 com",
        "x@163.com",
        "ｘ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "x﹫example.com",
        "x@회사.한국",
    ],
)
def test_every_form_of_an_email_address_is_masked(text):
    assert mask_text(f"메일 {text} 로 주세요") == "메일 [이메일] 로 주세요"


def test_an_email_followed_by_a_korean_particle_keeps_the_particle():
    assert mask_text("hong.gd@naver.com으로 보내주세요") == "[이메일]으로 보내주세요"


@pytest.mark.parametrize(
    "text",
    [
        "2024.03.05",
        "2024-03-05 14:22",
        "2024.03.05 14:22:10",
        "2024/3/5 오후 2:22:00",
        "2024.03.05~2024.03.07",
        "03.05~03.06",
        "20240305",
        "1,234,000원",
        "12,000원",
        "1,234,567,890원",
        "1,500~2,000원",
        "1500~2000원",
        "2억 5천만원",
        "가격은 1,588원",
        "10:30~11:00",
        "09:00-18:00",
        "12:30~13:30 점심",
        "9시~18시",
        "VOC-2024-000123",
        "VOC-2024-0001234",
        "2024-000123",
        "접수번호 2024-0312-0001",
        "2019~2024년",
        "1999-2024",
        "3개@1,000원",
        "사과 3개@1000원",
        "평점 4.5점",
        "0.5%",
        "3/5 방문",
        "A동 101호",
        "1588번 버스",
        "일이 삼사일 걸렸어요",
        "이사 오일 만에",
        "이일 삼일 사일 오일 육일 칠일",
        "공사 일정 이월",
        "골뱅이 무침이 맛있어요",
        "meet at noon",
        "회의 @ 본사",
        "@홍길동 님",
        "전화 주세요 ㅡㅡ",
    ],
)
def test_ordinary_dates_amounts_times_and_codes_are_not_masked(text):
    assert mask_text(text) == text


def test_ordinary_dates_amounts_and_codes_skip_the_exact_patterns():
    texts = [
        "2024.03.05 14:22 방문",
        "2024-03-05 14:22:10",
        "이용료 1,234,000원",
        "10:30~11:00",
        "VOC-2024-000123",
        "2019~2024년",
        "9시~18시 운영",
    ]
    assert pc.match_substring_regex(pa.array(texts), CANDIDATE).to_pylist() == [False] * len(texts)


def test_a_short_column_value_is_screened_with_mask_text():
    assert [mask_text(v) for v in ["010_7777_8890", "x@example", "단산모노레일"]] == [
        "[전화번호]",
        "[이메일]",
        "단산모노레일",
    ]


def test_every_corpus_variant_is_masked_at_every_place():
    rng = random.Random(3)
    texts = [(p, corpus.in_text(p, place, rng)) for p in corpus.variants() for place in corpus.PLACES]
    assert len(texts) > 4000
    assert [t for p, t in texts if not corpus.leaks(t, [p])] == []  # the search finds each in clear…
    assert [t for p, t in texts if corpus.leaks(mask_text(t), [p])] == []  # …and in none once masked


def test_masking_a_masked_text_changes_nothing():
    """A rejects file or a screened value written masked reloads to the same stored text."""
    rng = random.Random(6)
    masked = [
        mask_text(corpus.in_text(p, place, rng)) for p in corpus.variants(seed=6) for place in corpus.PLACES
    ]
    assert [m for m in masked if mask_text(m) != m] == []


def test_mask_series_equals_mask_text_on_the_corpus():
    rng = random.Random(4)
    texts = [corpus.in_text(p, place, rng) for p in corpus.variants(seed=5) for place in corpus.PLACES]
    assert mask_series(pd.Series(texts)).tolist() == [mask_text(t) for t in texts]


def test_the_prefilter_classes_cover_pythons_on_the_folded_text():
    """RE2's \\w, \\d, \\s are ASCII: the pre-filter spells out Python's Unicode classes. Every character
    (as folded for matching) that Python's class accepts is accepted by the RE2 class."""
    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    folded = chars.translate(_FOLD)
    assert len(folded) == len(chars)
    for py, re2 in ((r"\w", f"[{WORD_RE2}]"), (r"\d", r"\p{Nd}"), (r"\s", f"[{WHITESPACE_RE2}]")):
        want = [chars[m.start()] for m in re.finditer(py, folded)]
        got = pc.match_substring_regex(pa.array(want), f"^{re2}$").to_pylist()
        assert [hex(ord(c)) for c, ok in zip(want, got) if not ok] == []


def test_look_arounds_are_dropped_and_negated_classes_refused():
    assert re2_superset(r"(?<![a-z\]])x(?=[)(])y(?!\d)") == "[x\\x{ff58}][y\\x{ff59}]"
    with pytest.raises(ValueError):
        re2_superset(r"[^0-9]")
