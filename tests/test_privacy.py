import pandas as pd
import pytest

from ccm.privacy import hash_series, keyed_hash, mask_series, mask_text


@pytest.mark.parametrize("text", [
    "연락처 010-1234-5678 로 주세요", "01012345678", "010 1234 5678", "054-550-1234번",
    "+82-10-1234-5678", "02)123-4567", "1588-1234",
])
def test_phone_numbers_are_masked(text):
    assert "[전화번호]" in mask_text(text)
    assert not any(ch.isdigit() for ch in mask_text(text).replace("1588", ""))  # no digits of a number remain


def test_email_and_rrn_are_masked():
    out = mask_text("메일 hong.gildong@example.co.kr 주민번호 900101-1234567 입니다")
    assert "[이메일]" in out and "[주민번호]" in out
    assert "hong" not in out and "1234567" not in out


def test_ordinary_numbers_survive():
    text = "2024년 3월 5일 입장료 12,000원, 10시 30분"
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
