"""Finishing a plotly figure: margins, the Korean font, bidi controls shown visibly in its labels.

Below ui.components and ui.data (both finish figures), so neither imports the other for it."""

from __future__ import annotations

import plotly.graph_objects as go

from ccm.safe_text import BIDI_RE, show_bidi


def finish_figure(fig):
    """Margins, Korean font, bidi controls visible in labels. A figure already finished (e.g. shared
    from `ui.data.figure`) is left as it is: sessions may be drawing it at the same time."""
    if getattr(fig, "_ccm_finished", False):
        return fig
    fig.update_layout(
        margin=dict(l=10, r=10, t=40, b=10), font=dict(family="Noto Sans KR, Malgun Gothic, sans-serif")
    )
    fig = _visible_labels(fig)
    fig._ccm_finished = True
    return fig


def _visible_labels(fig):
    """Category labels and hover texts of every trace with bidi controls shown visibly."""
    for trace in fig.data:
        for attr in ("x", "y", "labels", "text", "ids"):
            values = getattr(trace, attr, None)
            if (
                values is None
                or isinstance(values, str)
                or not any(isinstance(v, str) and BIDI_RE.search(v) for v in values)
            ):
                continue
            setattr(trace, attr, [show_bidi(v) if isinstance(v, str) else v for v in values])
    return fig


class SharedFigure(go.Figure):
    """A finished figure shared by every session (`ui.data.figure`). Streamlit asks a figure for its
    dict form on every draw, a deep copy that cost more than the rest of the chart; a shared figure is
    never changed, so that form is computed once."""

    def __init__(self, fig: go.Figure) -> None:
        super().__init__(fig)
        self._ccm_finished = True
        self._ccm_dict = super().to_dict()

    def to_dict(self) -> dict:
        frozen = self.__dict__.get("_ccm_dict")
        return frozen if frozen is not None else super().to_dict()


def shared_figure(fig):
    """`finish_figure`, then frozen for sharing (a plotly Figure; anything else as it is)."""
    fig = finish_figure(fig)
    return SharedFigure(fig) if isinstance(fig, go.Figure) else fig
