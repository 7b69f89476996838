"""The monthly report (月报): the month's figures as a few Chinese sentences, as in the work reports."""
from decimal import ROUND_HALF_UP, Decimal

from app import clock
from app.stats import service
from app.stats.service import Period, Scope

TOP = 3
NONE_YET = "—"


def percent(numerator: int, denominator: int) -> str:
    """66.7% from 2/3, with one decimal rounded half up; — when the denominator is 0."""
    if not denominator:
        return NONE_YET
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def rate_percent(rate: float | None) -> str:
    """A rate from the API (0–1) as people read it: 66.7%, or — when there is none."""
    if rate is None:
        return NONE_YET
    value = (Decimal(repr(rate)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def _minutes(value: float) -> str:
    if value >= 120:
        hours = (Decimal(repr(value)) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{hours}小时"
    minutes = Decimal(repr(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{minutes}分钟"


def _stars(value: float) -> str:
    return f"{Decimal(repr(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}星"


def _month_label(period: Period) -> str:
    start = period.local_start
    label = f"{start.year}年{start.month}月"
    now = clock.now()
    if period.start <= now < period.end:
        today = now.astimezone(service.TZ)
        label += f"（截至{today.month}月{today.day}日）"
    return label


def monthly_report(scope: Scope, period: Period) -> dict:
    """{text, figures} for one Asia/Shanghai month of an area subtree."""
    figures = service.summary(scope, period)
    categories = [item for item in service.breakdown(scope, period, "category")["items"] if item["received"]]
    teams = [item for item in service.breakdown(scope, period, "team")["items"]
             if item["key"] is not None and item["volunteer_services"]]
    teams.sort(key=lambda item: (-item["volunteer_services"], -item["points_awarded"], item["label"]))
    top_categories = [{"key": c["key"], "label": c["label"], "received": c["received"],
                       "completed": c["completed"]} for c in categories[:TOP]]
    top_teams = [{"key": t["key"], "label": t["label"], "volunteer_services": t["volunteer_services"],
                  "satisfaction_rate": t["satisfaction_rate"]} for t in teams[:TOP]]
    text = compose(scope.name, _month_label(period), figures, top_categories, top_teams)
    data = {**figures, "from": figures["from"].isoformat(), "to": figures["to"].isoformat(),
            "month": f"{period.local_start:%Y-%m}", "top_categories": top_categories, "top_teams": top_teams}
    return {"text": text, "figures": data}


def compose(area: str, month: str, f: dict, top_categories: list[dict], top_teams: list[dict]) -> str:
    """The report's sentences; a rate without a denominator is told in words, never as 0%."""
    if not f["received"]:
        text = f"{month}，{area}暂未受理群众点单。"
        if f["points_awarded"]:
            text += f"本月发放志愿服务积分{f['points_awarded']}分。"
        if f.get("points_redeemed"):
            text += f"志愿者在积分超市兑换积分{f['points_redeemed']}分。"
        if f.get("party_members"):
            text += party_sentence(f)
        return text
    sentence = f"{month}，{area}按照“亮单、点单、派单、接单、评单”五单工作法，共受理群众点单{f['received']}件"
    if not f["valid"]:
        sentence += "，均已由群众取消，暂无有效工单，办结率暂不统计。"
    else:
        if f["cancelled"]:
            sentence += f"（群众取消{f['cancelled']}件，有效工单{f['valid']}件）"
        if f["completed"]:
            sentence += (f"，办结{f['completed']}件，办结率{percent(f['completed'], f['valid'])}，其中按时办结"
                         f"{f['on_time_completed']}件，按时办结率{percent(f['on_time_completed'], f['completed'])}。")
        else:
            sentence += f"，目前尚无办结工单，办结率{percent(0, f['valid'])}。"
    service_line = f"志愿服务队为群众提供“微服务”{f['volunteer_services']}人次"
    if f["response_minutes"] is not None:
        service_line += f"，接单响应时长中位数{_minutes(f['response_minutes'])}"
    if f["points_awarded"]:
        service_line += f"，发放志愿服务积分{f['points_awarded']}分"
    if f.get("points_redeemed"):
        service_line += f"，志愿者在积分超市兑换积分{f['points_redeemed']}分"
    sentences = [sentence, service_line + "。"]
    if f["rated"]:
        sentences.append(f"群众评单{f['rated']}件，满意率{percent(f['satisfied'], f['rated'])}，"
                         f"平均评分{_stars(f['avg_stars'])}。")
    else:
        sentences.append("本期暂无群众评单，满意率暂不统计。")
    if top_categories:
        listed = "、".join(f"{c['label']}（{c['received']}件）" for c in top_categories)
        sentences.append(f"从服务类别看，群众需求较多的是{listed}。")
    if top_teams:
        listed = "、".join(f"{t['label']}（{t['volunteer_services']}人次）" for t in top_teams)
        sentences.append(f"从服务队看，服务量居前的是{listed}。")
    if f.get("party_members"):
        sentences.append(party_sentence(f))
    if f["overdue_open"]:
        sentences.append(f"截至目前，仍有{f['overdue_open']}件工单超期未办结，需加强跟踪督办。")
    else:
        sentences.append("本期受理的工单中暂无超期未办结的情况。")
    return "".join(sentences)



def party_sentence(f: dict) -> str:
    """双报到: how many in-service Party members registered, from how many units, and what they did."""
    text = f"在职党员到社区“双报到”{f['party_members']}名"
    if f["party_units"]:
        text += f"，涉及驻区单位{f['party_units']}个"
    deeds = []
    if f["party_services"]:
        deeds.append(f"提供志愿服务{f['party_services']}人次")
    if f["party_call_checkins"]:
        deeds.append(f"响应吹哨和参加志愿活动{f['party_call_checkins']}人次")
    if deeds:
        text += "，本期" + "、".join(deeds)
    return text + "。"
