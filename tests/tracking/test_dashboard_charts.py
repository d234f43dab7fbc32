"""The dashboard's charts share one labelled scale, so a 3.8% rate is drawn as 3.8% of the way along
an axis that reaches just past the highest rate on the page, not as a full bar; a contents list leads
to each section."""

import pytest
from django.urls import reverse

from tracking.dashboards import Scale, common_scale

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rates", "top", "ticks"),
    [
        ([3.8, 1.2], 4, [0, 1, 2, 3, 4]),
        ([4.0], 4, [0, 1, 2, 3, 4]),
        ([4.01], 5, [0, 1, 2, 3, 4, 5]),
        ([5.1], 6, [0, 2, 4, 6]),
        ([12.5, None], 12.5, [0, 2.5, 5, 7.5, 10, 12.5]),
        ([12.6], 15, [0, 5, 10, 15]),
        ([100], 100, [0, 20, 40, 60, 80, 100]),
        ([0, None], 1, [0, 0.5, 1]),
        ([], 1, [0, 0.5, 1]),
    ],
)
def test_the_common_scale_reaches_just_past_the_highest_rate(rates, top, ticks):
    scale = common_scale(rates)
    assert (scale.top, scale.ticks) == (top, ticks)


def test_a_bar_is_as_long_as_its_rate_on_the_axis():
    scale = Scale(top=4, ticks=[0, 1, 2, 3, 4])
    assert [scale.width(rate) for rate in (3.8, 0, None, 4, 9)] == [95.0, 0, 0, 100.0, 100.0]
    assert scale.marks[1] == (1, 25.0)


def test_every_chart_on_the_page_uses_one_scale_and_the_page_has_contents(world, client_for):
    response = client_for(world.service_manager).get(reverse("tracking:dashboard"))
    assert response.status_code == 200
    scale = response.context["scale"]
    rates = [row["combined_rate"] for b in response.context["breakdowns"] for row in b["rows"]]
    assert scale == common_scale(rates + [row["combined_rate"] for row in response.context["trend"]])
    html = response.content.decode()
    assert html.count(f'x1="{scale.marks[-1][1]}%"') >= len(
        [r for b in response.context["breakdowns"] for r in b["rows"]]
    )
    for breakdown in response.context["breakdowns"]:
        assert f'href="#breakdown-{breakdown["dimension"]}"' in html
        for row in breakdown["rows"]:
            assert row["bar"] == scale.width(row["combined_rate"])
    assert 'font-size="12"' not in html  # the charts are drawn in the page's own font and size
