"""Demo VOC: three years of realistic items ending at ccm.period.now(), written as the exports a real
system would give (CP949 CSV with title rows, UTF-8 BOM CSV with split date/time, .xlsx) and loaded
through the real loader. Deterministic (fixed seed) for a given `now`.

Realism: tourism seasonality (spring/autumn peaks, summer for camping/휴양림), facility-specific
topics, a planted recent spike (모노레일 고장), department-specific handling speed, some late items,
open and overdue items, successive overlapping exports that close earlier open items, a few bad rows,
and personal data planted in identity columns and in text (which the loader must mask/hash).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ccm.calendar import BusinessCalendar
from ccm.period import now as current_time
from etl import voc

SEED = 20240305
PER_DAY = 24.0
MONTH_FACTOR = np.array([0.55, 0.6, 0.85, 1.45, 1.55, 1.05, 1.25, 1.35, 1.3, 1.6, 1.35, 0.65])
TYPES = {
    "불만": 0.38,
    "문의": 0.29,
    "칭찬": 0.10,
    "건의": 0.12,
    "유실물신고": 0.05,
    "긴급요청": 0.02,
    "고충": 0.04,
}
CHANNELS = {
    "홈페이지": 0.31,
    "대표전화": 0.25,
    "부서전화": 0.09,
    "방문": 0.10,
    "SNS": 0.08,
    "서신": 0.02,
    "고객의소리 접수대장": 0.08,
    "외부기관 이관": 0.065,
    "카카오톡 채널": 0.005,
}
FACILITY_WEIGHT = {
    "단산모노레일": 0.18,
    "철로자전거": 0.16,
    "관광사격장": 0.07,
    "어드벤처파크": 0.09,
    "문경새재미로공원": 0.10,
    "국민여가캠핑장": 0.12,
    "불정자연휴양림": 0.10,
    "농특산물직판장": 0.07,
    "문경사랑새재장터": 0.06,
    "종량제봉투": 0.05,
}
SUMMER = {"국민여가캠핑장": 2.3, "불정자연휴양림": 2.0, "어드벤처파크": 1.3}
DEPT_SPEED = {
    "혁신안전팀": 0.8,
    "문화사업팀": 1.0,
    "관광사업팀": 1.25,
    "농특산물홍보팀": 0.9,
    "단산시설팀": 1.4,
}

# topic → (titles, contents, answers); {f} = facility
TEXTS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "주차": (
        ["주차장이 너무 부족합니다", "{f} 주차 문제", "주차 안내가 없어요", "주차요금 관련 불편"],
        [
            "주말에 {f}에 갔는데 주차장이 꽉 차서 30분 넘게 주차할 곳을 찾았습니다. 주차장 확충이 필요합니다.",
            "주차 안내요원이 없어 차량이 뒤엉켰습니다. 주차장 입구 안내 표지판도 잘 안 보입니다.",
            "{f} 주차장 바닥 선이 지워져서 주차하기 어렵습니다. 정비 부탁드립니다.",
            "주차요금을 냈는데 영수증을 받지 못했습니다. 주차 정산 방식이 불편합니다.",
        ],
        [
            "주말 임시주차장을 운영하고 주차 안내요원을 배치하겠습니다.",
            "주차장 안내 표지판을 정비하였습니다.",
        ],
    ),
    "요금·환불": (
        ["환불 요청드립니다", "요금이 너무 비쌉니다", "이중 결제 확인 부탁드립니다", "할인 적용이 안 됐어요"],
        [
            "{f} 이용권을 예매했는데 우천으로 이용하지 못했습니다. 환불 절차를 알려주세요.",
            "카드 결제가 두 번 되었습니다. 확인 후 환불 부탁드립니다.",
            "경로 할인을 받을 수 있다고 들었는데 현장에서 할인 적용이 안 됐습니다.",
            "{f} 이용료가 다른 곳에 비해 비싼 것 같습니다. 가격 조정 검토 바랍니다.",
        ],
        ["확인 결과 이중 결제가 맞아 환불 처리하였습니다.", "요금 감면 기준을 안내드렸습니다."],
    ),
    "친절": (
        ["직원 태도가 불친절합니다", "매표소 직원 응대 불만", "안내원이 퉁명스러워요"],
        [
            "{f} 매표소 직원이 질문에 퉁명스럽게 대답해서 기분이 상했습니다. 친절 교육이 필요합니다.",
            "아이와 함께 갔는데 안내원이 응대를 제대로 하지 않았습니다.",
            "전화 문의를 했는데 직원이 불친절하게 끊었습니다.",
        ],
        [
            "해당 직원에게 친절 교육을 실시하였습니다.",
            "불편을 드려 죄송합니다. 응대 매뉴얼을 재교육했습니다.",
        ],
    ),
    "청결": (
        ["화장실 청결 상태 불량", "쓰레기가 방치되어 있어요", "{f} 위생 문제"],
        [
            "{f} 화장실이 너무 더럽고 냄새가 심했습니다. 청소 주기를 늘려 주세요.",
            "개수대 주변에 쓰레기가 쌓여 있고 벌레가 많았습니다.",
            "샤워실 청결 상태가 좋지 않고 배수구가 막혀 있었습니다.",
        ],
        ["청소 주기를 하루 2회에서 4회로 늘렸습니다.", "쓰레기 수거를 추가 실시하였습니다."],
    ),
    "안전": (
        ["안전 관리가 부실합니다", "아이가 다칠 뻔했어요", "안전요원이 없습니다"],
        [
            "{f}에서 안전요원이 자리를 비워 위험한 상황이 있었습니다.",
            "난간이 흔들려서 아이가 다칠 뻔했습니다. 안전 점검 부탁드립니다.",
            "안전 장비 착용 안내 없이 이용하게 해서 사고가 날까 걱정됐습니다.",
        ],
        ["안전 점검을 실시하고 난간을 보수하였습니다.", "안전요원 근무 배치를 강화했습니다."],
    ),
    "대기시간": (
        ["대기시간이 너무 깁니다", "{f} 줄이 너무 길어요", "예약했는데도 오래 기다렸습니다"],
        [
            "{f} 탑승까지 2시간 넘게 기다렸습니다. 대기 안내가 전혀 없었습니다.",
            "줄이 너무 길어서 아이들이 지쳤습니다. 대기번호 시스템 도입을 건의합니다.",
            "예약 시간에 맞춰 갔는데도 40분을 기다렸습니다.",
        ],
        ["성수기 운영 회차를 늘리고 대기 안내 방송을 하겠습니다.", "대기시간 안내판을 설치하였습니다."],
    ),
    "예약": (
        ["예약 변경 문의", "예약 취소가 안 됩니다", "홈페이지 예약 오류"],
        [
            "{f} 예약을 변경하려는데 홈페이지에서 변경 버튼이 작동하지 않습니다.",
            "예약 취소를 했는데 취소 확인 문자가 오지 않았습니다.",
            "주말 예약이 열리자마자 마감되어 예약이 너무 어렵습니다.",
        ],
        ["예약 시스템 오류를 수정하였습니다.", "예약 취소 처리 완료 후 안내드렸습니다."],
    ),
    "시설고장": (
        ["시설 고장 신고", "{f} 운행 중 멈춤", "전기 시설 고장"],
        [
            "{f}가 운행 중에 10분 정도 멈춰서 불안했습니다. 정비 상태 확인 부탁드립니다.",
            "사이트 전기 콘센트가 작동하지 않습니다. 수리 부탁드립니다.",
            "자판기와 키오스크가 고장나서 사용할 수 없었습니다.",
        ],
        ["정비 업체 점검 후 부품을 교체하였습니다.", "고장 설비를 수리하였습니다."],
    ),
    "유실물": (
        ["분실물 찾습니다", "휴대폰을 잃어버렸어요", "지갑 분실 신고"],
        [
            "{f} 이용 중 검은색 지갑을 분실했습니다. 습득하신 분이 있으면 연락 부탁드립니다.",
            "차량에 휴대폰을 두고 내린 것 같습니다. 확인 부탁드립니다.",
            "아이 가방을 잃어버렸습니다. 분홍색 배낭입니다.",
        ],
        ["습득물 보관함에서 확인되어 전달하였습니다.", "유실물 접수 후 보관 중이며 연락드렸습니다."],
    ),
    "칭찬": (
        ["직원분 칭찬합니다", "친절한 안내 감사합니다", "{f} 직원 칭찬"],
        [
            "{f} 안내 직원분이 정말 친절하게 설명해 주셔서 즐거운 시간을 보냈습니다.",
            "아이가 넘어졌을 때 직원분이 바로 응급처치를 해 주셨습니다. 감사합니다.",
            "매표소 직원분의 밝은 응대 덕분에 기분 좋게 이용했습니다.",
        ],
        ["칭찬해 주셔서 감사합니다. 해당 직원에게 전달하였습니다."],
    ),
    "운영문의": (
        ["운영시간 문의", "{f} 이용 문의", "단체 이용 문의"],
        [
            "{f} 평일 운영시간과 마지막 입장 시간이 궁금합니다.",
            "반려동물 동반 입장이 가능한지 문의드립니다.",
            "단체 30명 이용 시 할인이나 사전 예약이 필요한가요?",
        ],
        ["운영시간과 이용 방법을 안내드렸습니다."],
    ),
    "개선건의": (
        ["편의시설 확충 건의", "{f} 개선 제안", "그늘막 설치 건의"],
        [
            "{f}에 쉴 수 있는 벤치와 그늘막을 더 설치해 주세요.",
            "유모차 대여 서비스가 있으면 좋겠습니다.",
            "외국어 안내판을 설치하면 외국인 관광객이 편할 것 같습니다.",
        ],
        ["검토 후 내년 사업계획에 반영하겠습니다."],
    ),
}
COMPLAINT_TOPICS = ["주차", "요금·환불", "친절", "청결", "안전", "대기시간", "예약", "시설고장"]
TYPE_TOPICS = {
    "칭찬": ["칭찬"],
    "유실물신고": ["유실물"],
    "문의": ["운영문의", "요금·환불", "예약", "주차"],
    "건의": ["개선건의", "주차", "대기시간"],
    "긴급요청": ["안전", "시설고장"],
    "고충": ["요금·환불", "친절", "예약"],
    "불만": COMPLAINT_TOPICS,
}
AFFINITY = {
    "단산모노레일": {"대기시간": 3, "시설고장": 1.5, "예약": 1.5},
    "철로자전거": {"대기시간": 2, "예약": 2},
    "관광사격장": {"안전": 3},
    "어드벤처파크": {"안전": 2.5},
    "문경새재미로공원": {"청결": 2, "주차": 2},
    "국민여가캠핑장": {"청결": 2.5, "예약": 2.5},
    "불정자연휴양림": {"예약": 2, "청결": 2},
    "농특산물직판장": {"요금·환불": 2.5, "친절": 1.5},
    "문경사랑새재장터": {"주차": 2, "요금·환불": 1.5},
    "종량제봉투": {"요금·환불": 3},
}
SURNAMES = list("김이박최정강조윤장임한오서신권황안송류홍")
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "지우",
    "하준",
    "서윤",
    "은우",
    "지민",
    "현우",
    "수빈",
    "영희",
    "철수",
    "정숙",
    "상훈",
]


def build(db_path: Path, settings, workdir: Path) -> voc.LoadReport:
    """Write the demo exports into workdir and load them (in order) through etl.voc.load."""
    t0 = time.perf_counter()
    items = generate(settings, current_time().replace(second=0, microsecond=0))
    paths = write_exports(items, Path(workdir))
    print(
        f"  VOC {len(items):,}건, 내보내기 파일 {len(paths)}개 생성 ({time.perf_counter() - t0:.1f}초)",
        flush=True,
    )
    report = voc.load(db_path, paths, settings, rejects_dir=workdir, loaded_by="demo")
    for b in report.batches:
        print(
            f"  {b.file_name}: 추가 {b.inserted:,} · 갱신 {b.updated:,} · 변화 없음 {b.unchanged:,} · 오류 {b.rejected:,}"
        )
    print("  " + " · ".join(f"{k} {v:.1f}초" for k, v in report.timings.items()), flush=True)
    return report


def generate(settings, now: datetime, seed: int = SEED) -> pd.DataFrame:
    """The true history of every item (received, completed or open at `now`)."""
    rng = np.random.default_rng(seed)
    start = datetime(now.year - 3, now.month, 1)
    days = pd.date_range(start, now.date(), freq="D")
    lam = PER_DAY * MONTH_FACTOR[days.month - 1] * np.where(days.day_of_week >= 5, 1.35, 1.0)
    counts = rng.poisson(lam)
    day = np.repeat(days.to_numpy(), counts)
    n = len(day)
    month = pd.DatetimeIndex(day).month.to_numpy()

    channel = _choice(rng, CHANNELS, n)
    online = np.isin(channel, ["홈페이지", "SNS", "카카오톡 채널"])
    hour = np.where(online, rng.integers(6, 24, n), rng.integers(9, 18, n))
    received = day + (hour * 3600 + rng.integers(0, 3600, n)).astype("timedelta64[s]")

    facilities = list(FACILITY_WEIGHT)
    w = np.array([FACILITY_WEIGHT[f] for f in facilities])
    summer = np.array([SUMMER.get(f, 1.0) for f in facilities])
    probs = np.where(np.isin(month, [7, 8])[:, None], w * summer, w)
    probs /= probs.sum(axis=1, keepdims=True)
    facility = np.array(facilities)[(probs.cumsum(axis=1) > rng.random(n)[:, None]).argmax(axis=1)]

    voc_type = _choice(rng, TYPES, n)
    topic = _topics(rng, voc_type, facility)
    spike = (
        (facility == "단산모노레일")
        & (received >= np.datetime64(now - timedelta(days=60)))
        & (rng.random(n) < 0.35)
    )
    voc_type[spike], topic[spike] = "불만", "시설고장"

    dept_of = settings.facilities
    department = np.array([dept_of.get(f, settings.organisation.ccm_department) for f in facility])
    completed = _completion(rng, settings, received, voc_type, department)
    still_open = (rng.random(n) < 0.004) & (received >= np.datetime64(now - timedelta(days=90)))
    completed[still_open] = np.datetime64("NaT")
    completed[completed > np.datetime64(now)] = np.datetime64("NaT")

    title, content, answer = _texts(rng, topic, facility)
    pool = int(n * 0.75)  # customers: some write more than once (counted via customer_key)
    cust = rng.integers(0, pool, n)
    names = np.array([s + g for s, g in zip(rng.choice(SURNAMES, pool), rng.choice(GIVEN, pool))])
    phones = np.char.add(
        np.char.add("010-", rng.integers(2000, 9999, pool).astype(str)),
        np.char.add("-", rng.integers(1000, 9999, pool).astype(str)),
    )
    name, phone = names[cust], phones[cust]
    own = (
        np.arange(n) % 61 == 7
    )  # some customers sign their text with their name (no rng draw: data unchanged)
    content = [f"저는 {nm}입니다. {c}" if o else c for c, nm, o in zip(content, name, own)]
    items = pd.DataFrame(
        {
            "voc_id": [f"VOC-{d:%Y%m}-{i:05d}" for d, i in zip(pd.DatetimeIndex(day), np.arange(n))],
            "received_at": received.astype("datetime64[s]"),
            "completed_at": completed.astype("datetime64[s]"),
            "voc_type": voc_type,
            "channel": channel,
            "facility": facility,
            "department": department,
            "title": title,
            "content": content,
            "answer": answer,
            "name": name,
            "phone": phone,
            "email": [f"user{i}@example.com" for i in rng.integers(100, 99999, n)],
        }
    )
    items = items[items["received_at"] < np.datetime64(now)]  # today: only what has arrived by now
    return items.sort_values("received_at", ignore_index=True)


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return np.array(keys, dtype=object)[rng.choice(len(keys), n, p=p / p.sum())].astype(str)


def _topics(rng: np.random.Generator, voc_type: np.ndarray, facility: np.ndarray) -> np.ndarray:
    topic = np.empty(len(voc_type), dtype=object)
    for t, options in TYPE_TOPICS.items():
        for fac in FACILITY_WEIGHT:
            sel = np.flatnonzero((voc_type == t) & (facility == fac))
            if sel.size:
                w = np.array([AFFINITY.get(fac, {}).get(o, 1.0) for o in options])
                topic[sel] = np.array(options, dtype=object)[
                    rng.choice(len(options), sel.size, p=w / w.sum())
                ]
    return topic


def _completion(
    rng, settings, received: np.ndarray, voc_type: np.ndarray, department: np.ndarray
) -> np.ndarray:
    """Working time used = a lognormal share of the deadline (department-specific), ~10% late."""
    cal = BusinessCalendar.from_settings(settings)
    days = settings.sla.rules[-1].days
    deadline_s = np.array([days[t] for t in voc_type]) * cal.day_seconds
    speed = np.array([DEPT_SPEED.get(d, 1.0) for d in department])
    share = rng.lognormal(np.log(0.33 * speed), 0.75)
    work = np.maximum(share * deadline_s, 300).round()
    start = cal.clock_start(pd.Series(received))
    return cal.add_business_seconds(start, work).astype("datetime64[s]")


def _texts(rng, topic: np.ndarray, facility: np.ndarray) -> tuple[list[str], list[str], list[str]]:
    n = len(topic)
    pick = rng.integers(0, 1000, (n, 3))
    plant = rng.random(n)
    phones = rng.integers(10_000_000, 99_999_999, n)
    titles, contents, answers = [], [], []
    for i in range(n):
        t, c, a = TEXTS[topic[i]]
        f = facility[i]
        body = c[pick[i, 1] % len(c)].format(f=f)
        if plant[i] < 0.02:
            p = str(phones[i])
            body += f" 연락처 010-{p[:4]}-{p[4:]} 로 연락 바랍니다."
        elif plant[i] < 0.025:
            body += f" 답변은 visitor{phones[i] % 9973}@example.com 으로 부탁드립니다."
        elif plant[i] < 0.026:
            body += f" 제 주민번호는 85{pick[i, 0] % 12 + 1:02d}15-1{phones[i] % 1000000:06d} 입니다."
        titles.append(t[pick[i, 0] % len(t)].format(f=f))
        contents.append(body)
        answers.append(a[pick[i, 2] % len(a)])
    return titles, contents, answers


# --- exports ------------------------------------------------------------------------------------------


def snapshot(items: pd.DataFrame, received_from: datetime, at: datetime) -> pd.DataFrame:
    """What an export taken at `at` shows: items received in [received_from, at), plus every item
    that was open at the previous export (so it can close them); completions after `at` are open."""
    rec = items["received_at"]
    rows = items[(rec >= received_from) & (rec < at)].copy()
    done = rows["completed_at"].notna() & (rows["completed_at"] <= at)
    rows.loc[~done, "completed_at"] = pd.NaT
    rows["status"] = np.where(
        done, "완료", np.where(rows["received_at"] < at - timedelta(hours=3), "처리중", "접수")
    )
    rows.loc[~done, "answer"] = None
    return rows


def write_exports(items: pd.DataFrame, workdir: Path) -> list[Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    first = items["received_at"].min().to_pydatetime()
    now = items["received_at"].max().to_pydatetime() + timedelta(minutes=1)
    cut1 = datetime(first.year + 1, first.month, 1) + timedelta(days=60)
    cut2 = cut1 + timedelta(days=365)
    e1 = snapshot(items, first, cut1)
    open1 = e1.loc[e1["completed_at"].isna(), "received_at"].min()
    e2 = snapshot(items, min(open1, cut1 - timedelta(days=30)), cut2)
    open2 = e2.loc[e2["completed_at"].isna(), "received_at"].min()
    e3 = snapshot(items, min(open2, cut2 - timedelta(days=30)), now)
    return [
        _export_cp949(e1, workdir / "voc_export_1_cp949.csv", first, cut1),
        _export_utf8(e2, workdir / "voc_export_2_utf8bom.csv"),
        _export_xlsx(e3, workdir / "voc_export_3.xlsx"),
    ]


def _export_cp949(rows: pd.DataFrame, path: Path, first: datetime, cut: datetime) -> Path:
    """Old system: title rows, '번호/접수번호/등록일…', dotted dates, old names and aliases, a few bad rows."""
    df = pd.DataFrame(
        {
            "번호": np.arange(1, len(rows) + 1),
            "접수번호": rows["voc_id"],
            "등록일": rows["received_at"].dt.strftime("%Y.%m.%d %H:%M:%S"),
            "접수채널": rows["channel"].replace(
                {"대표전화": "전화", "홈페이지": "고객의 소리", "방문": "내방"}
            ),
            "유형": rows["voc_type"].replace({"불만": "불편사항", "문의": "질의", "건의": "제안"}),
            "시설명": rows["facility"].replace({"단산모노레일": "모노레일", "국민여가캠핑장": "캠핑장"}),
            "담당부서": rows["department"].replace({"혁신안전팀": "고객홍보팀"}),
            "민원인": rows["name"],
            "연락처": rows["phone"],
            "제목": rows["title"] + " ",
            "내용": rows["content"],
            "진행상태": rows["status"].replace({"완료": "처리완료", "처리중": "진행중", "접수": "접수완료"}),
            "답변일시": rows["completed_at"].dt.strftime("%Y.%m.%d %H:%M:%S"),
            "처리내용": rows["answer"],
        }
    )
    bad = df.index[5:8]
    df.loc[bad, "답변일시"] = "2000.01.01 09:00:00"  # completion before receipt: rejected
    df.loc[df.index[10:12], "유형"] = "기타"  # unknown type: rejected
    df.loc[df.index[20], "내용"] = df.loc[df.index[20], "내용"] + "\n(추가) 다시 연락 주세요."
    with open(path, "w", encoding="cp949", errors="replace", newline="") as fh:
        fh.write(f"고객의 소리 접수 현황 (문경관광진흥공단)\n조회기간: {first:%Y-%m-%d} ~ {cut:%Y-%m-%d}\n\n")
        df.to_csv(fh, index=False)
    return path


def _export_utf8(rows: pd.DataFrame, path: Path) -> Path:
    """Newer system: UTF-8 with BOM, date and time in two columns, Korean AM/PM completion times."""
    done = rows["completed_at"]
    ampm = np.where(done.dt.hour < 12, "오전", "오후")
    h12 = ((done.dt.hour + 11) % 12 + 1).astype("Int64").astype("string")
    completion = (
        done.dt.strftime("%Y/")
        + done.dt.month.astype("Int64").astype("string")
        + "/"
        + done.dt.day.astype("Int64").astype("string")
        + " "
        + pd.Series(ampm, index=rows.index)
        + " "
        + h12
        + done.dt.strftime(":%M:%S")
    )
    df = pd.DataFrame(
        {
            "민원번호": rows["voc_id"],
            "신청일자": rows["received_at"].dt.strftime("%Y-%m-%d"),
            "신청시간": rows["received_at"].dt.strftime("%H:%M"),
            "접수경로": rows["channel"],
            "민원유형": rows["voc_type"],
            "사업장": rows["facility"],
            "처리부서": rows["department"],
            "성명": rows["name"],
            "휴대폰": rows["phone"],
            "이메일": rows["email"],
            "민원제목": rows["title"],
            "민원내용": rows["content"],
            "처리상태": rows["status"],
            "완료일시": completion,
            "답변내용": rows["answer"],
        }
    )
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _export_xlsx(rows: pd.DataFrame, path: Path) -> Path:
    """Current system: .xlsx with real datetime cells and a title row."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("VOC")
    ws.append(["VOC 처리 현황"])
    cols = [
        "접수번호",
        "접수일시",
        "접수채널",
        "유형",
        "시설",
        "처리부서",
        "고객명",
        "연락처",
        "제목",
        "내용",
        "처리상태",
        "처리일시",
        "처리내용",
    ]
    ws.append(cols)
    src = rows[
        [
            "voc_id",
            "received_at",
            "channel",
            "voc_type",
            "facility",
            "department",
            "name",
            "phone",
            "title",
            "content",
            "status",
            "completed_at",
            "answer",
        ]
    ].astype(object)
    src = src.where(src.notna(), None)
    for rec in src.itertuples(index=False):
        ws.append([v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in rec])
    wb.save(path)
    return path
