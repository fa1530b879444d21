"""The dashboard's charts, drawn on the server as SVG images (pygal), no script at all.

A chart is an image the page shows with ``<img alt>`` beside a table of its figures, so
a screen reader reads the table and a browser without images loses nothing. The SVG
carries its own ``<style>``: the site's Content-Security-Policy (``style-src 'self'``)
would refuse it, so an image is served with a policy of its own that allows inline styles
and nothing else (no script, no other host, no form) (:data:`SVG_CSP`). pygal is told to
add no script (``js=[]``) and no XML declaration (the image is UTF-8).

Amounts stay integers of minor units: pygal draws them as they are and writes each label
with the page's own money formatting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pygal
from pygal.style import Style

from monnaie_locale.dashboard import MonthFlows, Point

__all__ = ["SVG_CSP", "circulation_chart", "flows_chart"]

SVG_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'"
)
_SVG = "http://www.w3.org/2000/svg"
_BLUE, _GREEN, _RED, _ORANGE = "#0b5394", "#1f6f43", "#b3261e", "#a34f00"


def _style(colours: Sequence[str]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1b1b1b",
        foreground_strong="#1b1b1b",
        foreground_subtle="#d5d9d6",
        colors=tuple(colours),
        font_family="system-ui, sans-serif",
        label_font_size=18,
        major_label_font_size=18,
        legend_font_size=20,
        value_font_size=18,
        tooltip_font_size=18,
        opacity=".85",
        opacity_hover=".95",
        transition="0ms",
    )


def _options(colours: Sequence[str], write: Callable[[int], str]) -> dict[str, Any]:
    return {
        "js": [],  # no script: the image must stay a picture
        "disable_xml_declaration": True,
        "style": _style(colours),
        # Read on a phone too: a narrow picture, so that its words stay large enough.
        "width": 640,
        "height": 400,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "show_minor_x_labels": False,
        "x_label_rotation": 0,
        "truncate_label": -1,
        # The axis's labels and the values alike, written as the page writes amounts.
        "value_formatter": lambda value: write(round(value)),
        "min_scale": 3,
        "max_scale": 6,
        "print_values": False,
        "margin": 16,
    }


def _picture_only(root: Any) -> Any:
    """The chart without pygal's script (its tooltips' settings) and its comments: an
    image runs no script, and says nothing about how it was made."""
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == f"{{{_SVG}}}script" or child.tag == "script" or callable(child.tag):
                parent.remove(child)
    return root


def _labelled(chart: Any, labels: Sequence[str], every: int) -> str:
    chart.x_labels = list(labels)
    chart.x_labels_major = list(labels)[::-every][::-1]
    chart.add_xml_filter(_picture_only)
    svg: str = chart.render(is_unicode=True)
    return svg


def circulation_chart(
    points: Sequence[Point],
    *,
    labels: Sequence[str],
    names: tuple[str, str],
    covered: bool,
    write: Callable[[int], str],
) -> str:
    """Circulation and reserve, one line each; the reserve green when it covers today's
    circulation, red when it does not."""
    chart = pygal.Line(**_options((_BLUE, _GREEN if covered else _RED), write), show_dots=False)
    circulation, reserve = names
    # Equal when the reserve covers the circulation exactly: the reserve is drawn dashed
    # over a thicker circulation, so that both lines show.
    chart.add(circulation, [point.circulation for point in points], stroke_style={"width": 6})
    chart.add(
        reserve,
        [point.reserve for point in points],
        stroke_style={"width": 3, "dasharray": "10, 6"},
    )
    # About four dates on the axis, the last always today.
    return _labelled(chart, labels, max(1, len(points) // 4))


def flows_chart(
    months: Sequence[MonthFlows],
    *,
    labels: Sequence[str],
    names: tuple[str, str],
    write: Callable[[int], str],
) -> str:
    """Conversions and reconversions month by month, as bars side by side."""
    chart = pygal.Bar(**_options((_GREEN, _ORANGE), write))
    converted, reconverted = names
    chart.add(converted, [month.converted for month in months])
    chart.add(reconverted, [month.reconverted for month in months])
    return _labelled(chart, labels, max(1, len(months) // 4))
