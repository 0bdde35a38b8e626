"""VOC validation: which normalised rows may be stored, and why the others may not.

`rejects` judges every row (one line per problem: 파일, 행, 열, 값 (masked), 사유 in Korean); `keep` picks the
rows to store: the valid ones, one per 접수번호 (the most advanced row of a number the file repeats).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccm import privacy
from etl import mapping as mp
from etl.normalise import Fields, col
from etl.prepared import Prepared

STATUS_RANK = {"접수": 0, "처리중": 1, "완료": 2}
REJECT_COLUMNS = ["파일", "행", "열", "값", "사유"]


def rejects(prep: Prepared, f: Fields, settings, strict: bool) -> pd.DataFrame:
    """Every problem of every row, sorted by row and column. With strict, a row closed without a
    completion time is a problem too."""
    out, rej = f.rows, _Rejects(prep)
    rej.add(out["voc_id"].isna(), "voc_id", "접수번호가 비어 있습니다")

    raw_recv = col(prep, "received_at")
    rej.add(raw_recv.isna(), "received_at", "접수일시가 비어 있습니다")
    rej.add(raw_recv.notna() & out["received_at"].isna(), "received_at", "접수일시를 날짜로 읽을 수 없습니다")
    rej.add(f.bad_time["received_time"], "received_time", "접수시간을 시각으로 읽을 수 없습니다")

    raw_done = col(prep, "completed_at")
    if raw_done is not None:
        rej.add(
            raw_done.notna() & out["completed_at"].isna(),
            "completed_at",
            "처리일시를 날짜로 읽을 수 없습니다",
        )
        rej.add(
            out["completed_at"] < out["received_at"],
            "completed_at",
            "처리일시가 접수일시보다 빠릅니다(데이터 오류)",
        )
    rej.add(f.bad_time["completed_time"], "completed_time", "처리시각을 시각으로 읽을 수 없습니다")

    raw_type = col(prep, "voc_type")
    if raw_type is not None:
        if not prep.plan.defaults.get("voc_type"):
            rej.add(raw_type.isna(), "voc_type", "유형이 비어 있습니다")
        types = ", ".join(settings.voc.types)
        rej.add(
            raw_type.notna() & out["voc_type"].isna(),
            "voc_type",
            f"알 수 없는 유형입니다(표준: {types}; 매핑 파일 [values.voc_type]으로 지정)",
        )
    if strict:
        rej.add(f.closed_without_time, "status", "처리상태가 완료인데 처리일시가 없습니다(--strict)")
    return rej.frame()


def keep(prep: Prepared, out: pd.DataFrame, rejected: pd.DataFrame) -> np.ndarray:
    """The rows to store: the valid ones, where a 접수번호 that appears twice in the file keeps only its
    most advanced row (status, completion, last row); the rows folded so are counted in prep.merged."""
    ok = ~np.isin(prep.table.rows, rejected["행"].to_numpy())
    kept = _one_per_id(prep, out, ok)
    prep.merged = int(ok.sum() - kept.sum())
    return kept


def _one_per_id(prep: Prepared, out: pd.DataFrame, ok: np.ndarray) -> np.ndarray:
    ids = out["voc_id"].where(ok)
    dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
    if not dup.any():
        return ok
    d = out.loc[dup, ["voc_id", "status", "completed_at", "source_row"]]
    d = d.assign(_rank=d["status"].map(STATUS_RANK).astype("int8"))
    order = d.sort_values(
        ["voc_id", "_rank", "completed_at", "source_row"], na_position="first", kind="stable"
    )
    drop = order.index[order["voc_id"].duplicated(keep="last").to_numpy()]
    ids = pd.unique(d["voc_id"])
    prep.warnings.append(
        f"같은 접수번호가 파일에 두 번 이상 있습니다({len(ids)}건: {', '.join(map(str, ids[:5]))}"
        f"{' 외' if len(ids) > 5 else ''}); 가장 진행된 행을 적재했습니다"
    )
    return ok & ~out.index.isin(drop)


class _Rejects:
    """Row-level problems collected field by field; values masked as they would be stored."""

    def __init__(self, prep: Prepared):
        self.prep, self.parts = prep, []

    def add(self, mask: pd.Series, fld: str, reason: str) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        src = self.prep.plan.fields.get(fld, mp.FIELD_LABELS.get(fld, fld))
        vals = self.prep.table.df[src][mask]
        self.parts.append(
            pd.DataFrame(
                {
                    "파일": self.prep.file_name,
                    "행": self.prep.table.rows[mask.to_numpy()],
                    "열": src,
                    "값": privacy.mask_series(vals.astype("string")).fillna("").to_numpy(),
                    "사유": reason,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=REJECT_COLUMNS)
        return pd.concat(self.parts, ignore_index=True).sort_values(
            ["행", "열"], kind="stable", ignore_index=True
        )
