import pandas as pd
import pytest

from ccm.privacy import hash_series, keyed_hash, mask_series, mask_text, mask_texts


@pytest.mark.parametrize(
    "text",
    [
        "연락처 010-1234-5678 로 주세요",
        "01012345678",
        "010 1234 5678",
        "054-550-1234번",
        "+82-10-1234-5678",
        "02)123-4567",
        "1588-1234",
        "０１０-１２３４-５６７８",
        "010－1234－5678",
        "010‐1234‐5678",
        "010—1234—5678",
        "010 - 1234 - 5678",
        "＋８２ １０ １２３４ ５６７８",
        "０５４．５５０．１２３４",
    ],
)
def test_phone_numbers_are_masked(text):
    assert "[전화번호]" in mask_text(text)
    assert not any(ch.isdigit() for ch in mask_text(text).replace("1588", ""))  # no digits of a number remain


def test_email_and_rrn_are_masked():
    out = mask_text("메일 hong.gildong@example.co.kr 주민번호 900101-1234567 입니다")
    assert "[이메일]" in out and "[주민번호]" in out
    assert "hong" not in out and "1234567" not in out


def test_full_width_email_and_rrn_are_masked():
    out = mask_text("메일 ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏ．ｋｒ 주민번호 ９００１０１－１２３４５６７ 끝")
    assert out == "메일 [이메일] 주민번호 [주민번호] 끝"


def test_folding_keeps_the_rest_of_the_text_as_typed():
    assert mask_text("（문의） ０１０－１２３４－５６７８ 고맙습니다！") == "（문의） [전화번호] 고맙습니다！"


def test_ordinary_numbers_survive():
    for text in ("2024년 3월 5일 입장료 12,000원, 10시 30분", "２０２４년 ３월 ５일 입장료 １２，０００원"):
        assert mask_text(text) == text


def test_mask_series_matches_mask_text():
    s = pd.Series(["전화 010-9876-5432", None, "문의 abc@test.com"])
    out = mask_series(s)
    assert out[0] == mask_text(s[0]) and pd.isna(out[1]) and out[2] == mask_text(s[2])


def test_keyed_hash_is_stable_and_normalised():
    key = b"k" * 32
    assert keyed_hash("010-1234-5678", key) == keyed_hash("01012345678", key)
    assert keyed_hash("010-1234-5678", key) != keyed_hash("010-1234-5678", b"x" * 32)
    assert "5678" not in keyed_hash("010-1234-5678", key)
    assert hash_series(pd.Series(["홍길동", None]), key).isna().tolist() == [False, True]


def test_mask_series_matches_mask_text_on_random_text():
    """The RE2 pre-filter must never skip a row the exact patterns would mask: random strings built
    from digits of several scripts, every kind of separator and space, '@' and letters."""
    import random

    rng = random.Random(5)
    digits = "0123456789" * 5 + "０１２３４５６７８９٣۴७"
    tokens = [
        "010",
        "02",
        "+82",
        "82",
        "1588",
        "054",
        "070",
        "900101",
        "-",
        ".",
        ")",
        "(",
        " ",
        "\u3000",
        "\xa0",
        "\t",
        "\n",
        "\x0b",
        "\u2009",
        "–",
        "@",
        "mail",
        ".co.kr",
        "_",
        "%",
        "가",
        "년",
        "*",
        "０１０",
        "０２",
        "＋８２",
        "１５８８",
        "－",
        "‐",
        "—",
        "−",
        "．",
        "）",
        "＠",
        "ｍａｉｌ",
        "．ｃｏ．ｋｒ",
        "＊",
        # other separators, Hangul digits, spelled and internationalised e-mail parts, characters of other scripts
        "/",
        "~",
        ",",
        "ㅡ",
        "ー",
        "·",
        "、",
        "∼",
        "＿",
        "﹫",
        "(0)",
        "ｰ",
        "ㆍ",
        "／",
        "～",
        "1500",
        "1999",
        "원",
        "공",
        "영",
        "일",
        "이",
        "오",
        "팔",
        "구",
        "공일공",
        "일이삼사",
        "오육칠팔",
        "0505",
        "at",
        " at ",
        "AT",
        "ａｔ",
        "(at)",
        "[at]",
        "{at}",
        "<at>",
        "[dot]",
        "(dot)",
        " dot ",
        "골뱅이",
        " 골뱅이 ",
        "앳",
        " 점 ",
        "닷",
        "한국",
        ".kr",
        "com",
        "example",
        "[",
        "]",
        "{",
        "}",
        "<",
        ">",
        "é",
        "ǅ",
        "²",
        "〇",
        "ⅷ",
    ]

    def token():
        if rng.random() < 0.4:
            return "".join(rng.choice(digits) for _ in range(rng.randint(1, 8)))
        return rng.choice(tokens)

    texts = ["".join(token() for _ in range(rng.randint(1, 10))) for _ in range(20000)]
    texts += ["010\u30001234\u30005678", "900101\u3000-\u30001234567", "02)123-4567", "+82 10 1234 5678"]
    masked = mask_series(pd.Series(texts))
    assert masked.tolist() == [mask_text(t) for t in texts]
    assert sum(m != t for m, t in zip(masked, texts)) > 500  # the corpus does exercise the masks


def test_ordinary_years_and_amounts_skip_the_exact_patterns():
    import pyarrow as pa
    import pyarrow.compute as pc

    from ccm.privacy import CANDIDATE

    texts = [
        "2024년 3월 5일 방문",
        "입장료 12,000원",
        "2025-03-04 14:22 접수",
        "010-1234-5678",
        "a@b.kr",
        "ａ＠ｂ．ｋｒ",
        "０１０－１２３４－５６７８",
    ]
    hits = pc.match_substring_regex(pa.array(texts), CANDIDATE).to_pylist()
    assert hits == [False, False, False, True, True, True, True]


def _texts(*values):
    return {"content": pd.Series(list(values), dtype="string")}


def test_a_customers_own_name_is_masked_in_their_texts():
    out = mask_texts(
        _texts("저는 홍길동입니다. 홍길동 드림", "홍길동 씨 얘기가 아닙니다", None),
        [pd.Series(["홍길동", "김영희", "홍길동"], dtype="string")],
        [],
    )
    assert out["content"].tolist()[:2] == ["저는 [이름]입니다. [이름] 드림", "홍길동 씨 얘기가 아닙니다"]
    assert pd.isna(out["content"][2])


def test_values_that_are_not_names_are_not_masked():
    texts = _texts("고객 응대가 불친절", "익명 제보입니다", "전화 010")
    out = mask_texts(texts, [pd.Series(["고객", "익명", "010-1234-5678"], dtype="string")], ["고객", "익명"])
    assert out["content"].tolist() == texts["content"].tolist()


def test_latin_full_names_are_masked_but_single_words_are_not():
    out = mask_texts(
        _texts("I am John Smith, a tourist", "Kim was kind"),
        [pd.Series([" John Smith ", "Kim"], dtype="string")],
        [],
    )
    assert out["content"].tolist() == ["I am [이름], a tourist", "Kim was kind"]


def test_mask_texts_equals_mask_text_then_the_rows_own_names():
    import random

    rng = random.Random(11)
    people = ["홍길동", "김영희", "John Smith", "익명", "010-1234-5678", None]
    bits = ["홍길동", "김영희", "John Smith", "익명", " 010-9876-5432 ", " a@b.kr ", "고객", " 문의 ", "길동"]
    names = [rng.choice(people) for _ in range(3000)]
    contacts = [rng.choice(people) for _ in range(3000)]
    texts = ["".join(rng.choice(bits) for _ in range(rng.randint(0, 6))) or None for _ in range(3000)]
    out = mask_texts(
        {"t": pd.Series(texts, dtype="string")},
        [pd.Series(names, dtype="string"), pd.Series(contacts, dtype="string")],
        ["익명"],
    )["t"]

    def expected(text, *who):
        if text is None:
            return None
        text = mask_text(text)
        for w in sorted({w for w in who if w in ("홍길동", "김영희", "John Smith")}, key=len, reverse=True):
            text = text.replace(w, "[이름]")
        return text

    assert [None if pd.isna(v) else v for v in out] == [
        expected(t, n, c) for t, n, c in zip(texts, names, contacts)
    ]
    assert (out.str.contains("[이름]", regex=False) & out.str.contains("[전화번호]", regex=False)).sum() > 50
