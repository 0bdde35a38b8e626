"""One VOC export as the loader's stages pass it on: read (table, plan), normalised rows, rejects and
the rows to keep, with what each stage said (warnings, counts). Built by etl.voc.prepare."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ccm import privacy
from ccm.safe_text import inert_frame
from etl import mapping as mp
from etl.readers import Table, filter_rows

REJECT_COLUMN = "오류"
TEXTS = ("title", "content", "answer")  # free text: personal data masked before storage


@dataclass
class Prepared:
    """One export, normalised and validated, not yet stored."""

    file_name: str
    sha256: str
    table: Table
    plan: mp.ColumnPlan
    normalised: pd.DataFrame  # STORED columns, every row read
    rejects: pd.DataFrame  # 파일, 행, 열, 값, 사유 — one line per problem
    keep: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # rows to store: one per voc_id
    warnings: list[str] = field(default_factory=list)
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    merged: int = 0  # valid rows folded into another row of the same 접수번호
    closed_without_time: int = 0  # stored as 완료 with no completion time (kept rows)

    @property
    def rows_read(self) -> int:
        return len(self.table.rows)

    @property
    def items(self) -> pd.DataFrame:
        """The rows to store (a copy; the store itself filters inside DuckDB)."""
        return filter_rows(self.normalised, self.keep).reset_index(drop=True)

    @property
    def rows_kept(self) -> int:
        return int(self.keep.sum())

    @property
    def rows_rejected(self) -> int:
        return int(self.rejects["행"].nunique()) if len(self.rejects) else 0

    def release_rows(self) -> None:
        """Drop the rows themselves (counts, warnings and rejects stay) once stored and written out, so
        the long keyword analysis that follows does not hold a large file's rows in memory."""
        self.table.df = self.table.df.iloc[:0]
        self.normalised = self.normalised.iloc[:0]

    def rejected_rows(self) -> pd.DataFrame:
        """The rejected rows with the source's columns plus an 오류 column: fix and load again. Nothing in
        clear: identity columns are blank and their keyed hash is in a 고객키 column (so the fixed row
        stores the same customer key), texts are as they would be stored (masked), other cells masked,
        and no cell starts like a formula (the loader drops that quote again)."""
        if len(self.table.df) != len(self.table.rows):
            raise RuntimeError("release_rows() 뒤에는 오류 행을 다시 만들 수 없습니다.")
        if not len(self.rejects):
            return self.table.df.iloc[:0].assign(**{REJECT_COLUMN: pd.Series(dtype="string")})
        reasons = self.rejects.assign(msg=self.rejects["열"] + ": " + self.rejects["사유"])
        by_row = reasons.groupby("행", sort=True)["msg"].agg(" / ".join)
        picked = np.isin(self.table.rows, by_row.index.to_numpy())  # filtered chunk by chunk: no 1M-row take
        out = filter_rows(self.table.df, picked).reset_index(drop=True)
        stored = filter_rows(self.normalised, picked).reset_index(drop=True)
        by_row = by_row.reindex(self.table.rows[picked])
        texts = {self.plan.fields[f]: f for f in TEXTS if f in self.plan.fields}
        for c in out.columns:
            if c in self.plan.drop or c in self.plan.hash:
                out[c] = pd.Series(pd.NA, index=out.index, dtype="string")
            else:
                out[c] = stored[texts[c]] if c in texts else privacy.mask_series(out[c].astype("string"))
        if self.plan.hash:
            out[mp.FIELD_LABELS["customer_key"]] = stored["customer_key"]
        return inert_frame(out.assign(**{REJECT_COLUMN: by_row.to_numpy()}))

    def detail(self) -> dict:
        t = self.table
        return {
            "mapping": self.plan.as_dict(),
            "encoding": t.encoding,
            "sheet": t.sheet,
            "header_row": t.header_row,
            "warnings": self.warnings,
            "unknown_values": self.unknown_values,
            "merged": self.merged,
            "closed_without_time": self.closed_without_time,
            "rejects_by_reason": self.rejects["사유"].value_counts().to_dict() if len(self.rejects) else {},
        }
