"""What a VOC header means, read from its parts rather than looked up in a list of spellings.

A header is an optional subject, an event word and a kind word: 접수(event) 일시(kind), 답변완료(event)
일자(kind), "Closed"(event) "Date"(kind). Spacing, brackets, units and case are ignored, so compound
spellings (답변완료일자, 처리 종결 일시, 최종처리일, Created Date) resolve without a new alias.
`classify(header)` gives the field and a strength: 2 when the event word stands right before the kind
word (처리완료일시, Closed Date), 1 when it stands elsewhere (Resolution Action Updated Date).
The loader still checks a date field's values (etl.mapping) before it trusts a header.
"""

from __future__ import annotations

import re
import unicodedata

RECEIVE = (
    "접수",
    "등록",
    "신청",
    "작성",
    "수신",
    "발생",
    "제기",
    "created",
    "opened",
    "received",
    "submitted",
    "reported",
    "logged",
    "open",
    "request",
    "creation",
    "요청",
)
DONE = (
    "처리",
    "답변",
    "완료",
    "종결",
    "회신",
    "종료",
    "해결",
    "조치",
    "closed",
    "resolved",
    "completed",
    "answered",
    "finished",
    "close",
    "resolution",
    "completion",
    "closure",
    "solved",
    "done",
)
DATE_KINDS = ("년월일", "일시", "일자", "날짜", "시점", "datetime", "timestamp", "date", "일", "at", "on")
TIME_KINDS = ("시각", "시간", "time")
ID_KINDS = ("번호", "number", "key", "id", "no", "num", "코드", "code")
PLANNED = (
    "예정",
    "기한",
    "목표",
    "마감",
    "희망",
    "소요",
    "기간",
    "경과",
    "요일",
    "메일",
    "휴일",
    "due",
    "target",
    "deadline",
    "expected",
    "elapsed",
    "duration",
    "sla",
    "update",
    "modified",
    "변경",
    "수정",
)
ID_SUBJECTS = (
    "접수",
    "민원",
    "voc",
    "관리",
    "고유",
    "문서",
    "신청",
    "등록",
    "ticket",
    "case",
    "request",
    "unique",
    "incident",
    "service",
    "sr",
    "complaint",
    "issue",
    "record",
    "reference",
    "ref",
)
RUNNING = ("no", "번호", "순번", "연번", "순서", "일련번호", "#", "")
TYPE_KINDS = ("유형", "구분", "분류", "종류", "type", "category", "kind", "class")
TYPE_SUBJECTS = (
    "",
    "민원",
    "voc",
    "고객요구",
    "요구",
    "접수",
    "불만",
    "complaint",
    "request",
    "case",
    "issue",
    "ticket",
    "service",
    "problem",
    "incident",
    "신고",
    "문의",
)
DEPARTMENT = (
    "부서",
    "담당팀",
    "처리팀",
    "소관팀",
    "기관",
    "부처",
    "처리과",
    "담당과",
    "소관과",
    "agency",
    "department",
    "dept",
    "division",
    "team",
    "office",
    "assignedto",
    "assignedgroup",
)
FACILITY = ("시설", "사업장", "관광지", "장소", "facility", "site", "venue", "attraction", "park")
CHANNEL = ("채널", "매체", "경로", "channel", "source", "medium", "via")
CHANNEL_HOW = ("방법", "방식", "수단", "method")
STATUS = ("상태", "현황", "진행단계", "처리단계", "status", "state", "stage")
TITLE = ("제목", "건명", "요약", "title", "subject", "summary", "descriptor", "headline")
CONTENT = (
    "내용",
    "본문",
    "요지",
    "상세",
    "description",
    "details",
    "detail",
    "content",
    "body",
    "text",
    "message",
    "comment",
    "comments",
    "note",
    "notes",
)
ANSWER = (
    "답변",
    "회신",
    "조치",
    "처리결과",
    "답변내용",
    "처리내용",
    "answer",
    "response",
    "reply",
    "resolution",
)
NAME_TAILS = ("명", "name", "이름")


def key(header: object) -> str:
    """Width-folded, lower-case, without brackets' remarks, spaces or punctuation."""
    s = unicodedata.normalize("NFKC", str(header))
    s = re.sub(r"[(\[{<（【].*?[)\]}>）】]", "", s).lower()
    return re.sub(r"[\s\W_]+", "", s)


def _split(k: str, kinds: tuple[str, ...]) -> tuple[str, str] | None:
    """(stem, kind) when k ends with one of the kinds (the longest)."""
    for kind in sorted(kinds, key=len, reverse=True):
        if k.endswith(kind) and len(k) > len(kind):
            return k[: -len(kind)], kind
    return None


def _event(stem: str, words: tuple[str, ...]) -> int:
    """2 if the stem ends with an event word, 1 if it holds one, else 0."""
    if any(stem.endswith(w) for w in words):
        return 2
    return 1 if any(w in stem for w in words) else 0


def _when(k: str) -> tuple[str, int] | None:
    if any(p in k for p in PLANNED):
        return None
    for kind in ("datetime", "date", "time"):  # English word order: Date Received, Date Closed
        if k.startswith(kind) and k[len(kind) :] in (*RECEIVE, *DONE):
            rest = k[len(kind) :]
            return ("completed" if rest in DONE else "received") + ("_time" if kind == "time" else "_at"), 2
    for kinds, suffix in ((DATE_KINDS, "_at"), (TIME_KINDS, "_time")):
        split = _split(k, kinds)
        if split is None:
            continue
        stem, kind = split
        done, recv = _event(stem, DONE), _event(stem, RECEIVE)
        if kind in ("at", "on") and max(done, recv) < 2:  # created_at, closed_on: only right after the event
            continue
        if done > recv or (
            done and done == recv and stem.rfind(_last(stem, DONE)) > stem.rfind(_last(stem, RECEIVE))
        ):
            return "completed" + suffix, done
        if recv:
            return "received" + suffix, recv
    return None


def _last(stem: str, words: tuple[str, ...]) -> str:
    found = [w for w in words if w in stem]
    return max(found, key=stem.rfind) if found else ""


def _strip_name(k: str) -> str:
    split = _split(k, NAME_TAILS)
    return split[0] if split else k


def classify(header: object) -> tuple[str, int] | None:
    """(field, strength) for a header that names a VOC field by its parts, else None."""
    k = key(header)
    if not k:
        return None
    when = _when(k)
    if when:
        return when
    split = _split(k, ID_KINDS)
    if split and not any(
        p in k
        for p in (
            "전화",
            "휴대",
            "우편",
            "주민",
            "연락",
            "사업자",
            "계좌",
            "카드",
            "차량",
            "phone",
            "zip",
            "postal",
            "fax",
        )
    ):
        stem = split[0]
        if any(s in stem for s in ID_SUBJECTS):
            return "voc_id", 2
    if k in RUNNING or k in ("id", "key"):
        return "voc_id", 0
    bare = _strip_name(k)
    if any(w in bare for w in CHANNEL) or (_split(bare, CHANNEL_HOW) and _event(bare, RECEIVE)):
        return "channel", 2
    if any(bare.endswith(w) for w in STATUS):
        return "status", 2
    split = _split(bare, TYPE_KINDS)
    if (split and split[0] in TYPE_SUBJECTS) or bare in TYPE_KINDS:
        return "voc_type", 2 if split else 1
    if any(bare.endswith(w) for w in DEPARTMENT):
        return "department", 2
    if any(bare.endswith(w) for w in FACILITY):
        return "facility", 2
    if any(bare.endswith(w) for w in TITLE):
        return "title", 2
    if any(bare.endswith(w) for w in ANSWER) or (
        _split(bare, CONTENT) and _event(_split(bare, CONTENT)[0], DONE)
    ):
        return "answer", 2
    if any(bare.endswith(w) for w in CONTENT):
        return "content", 2
    return None
