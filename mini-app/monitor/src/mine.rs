//! «Моя статистика» of an operator: the figures of their region(s) and their own for a
//! period — received, answered, overdue, median first answer, average rating — from the same
//! statistics API the leadership reads (an operator's scope is their regions) and their own
//! row of the operators' figures (`/stats/me`). The figures that count appeals link to the
//! operator's list of those appeals.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::html::{html, show};
use mini_app_client::Remote;
use shared::stats::{OperatorStats, StatsFigures};

use crate::api;
use crate::dashboard::{list_link, tile};
use crate::period::{delta, Period, PeriodPicker};
use crate::strings;

/// The region's figures of the period, compared with the period before.
fn region_tiles(f: &StatsFigures, before: Option<&StatsFigures>, period: Period) -> String {
    const KEYS: [(&str, &str); 5] = [
        ("received", strings::TILE_RECEIVED),
        ("answered", strings::COL_ANSWERED),
        ("overdue", strings::TILE_OVERDUE),
        ("median_first_answer_hours", strings::MEDIAN_HOURS),
        ("rating_avg", strings::TILE_RATING),
    ];
    let mut html = format!(
        "<section class=\"card\"><h2 class=\"card-title\">{}</h2><div class=\"tiles\" id=\"region-tiles\">",
        strings::MY_REGION
    );
    for (key, label) in KEYS {
        // «Просрочено» is live: nothing to compare it with.
        let change = match before {
            Some(b) if key != "overdue" => delta(key, f.value(key), b.value(key)),
            _ => String::new(),
        };
        html.push_str(&tile(
            key,
            label,
            f.value(key),
            &change,
            list_link(key, period),
        ));
    }
    html + "</div></section>"
}

/// The operator's own figures of the period.
#[allow(clippy::cast_precision_loss)] // counts of appeals
fn own_tiles(o: Option<&OperatorStats>, period: Period) -> String {
    let mut html = format!(
        "<section class=\"card\"><h2 class=\"card-title\">{}</h2><div class=\"tiles\" id=\"own-tiles\">",
        strings::MY_OWN
    );
    let count = |n: Option<i64>| n.map(|n| n as f64);
    let tiles = [
        (
            "answered",
            strings::MY_ANSWERED,
            count(o.map(|o| o.answered)),
            Some(format!("#/list?show=mine&{}", period.list_filter())),
        ),
        (
            "first_answers",
            strings::MY_FIRST,
            count(o.map(|o| o.first_answers)),
            None,
        ),
        (
            "overdue",
            strings::MY_OVERDUE,
            count(o.map(|o| o.overdue_held)),
            None,
        ),
        (
            "median_first_answer_hours",
            strings::MEDIAN_HOURS,
            o.and_then(|o| o.median_first_answer_hours),
            None,
        ),
        (
            "rating_avg",
            strings::TILE_RATING,
            o.and_then(|o| o.rating_avg),
            None,
        ),
    ];
    for (key, label, value, link) in tiles {
        html.push_str(&tile(key, label, value, "", link));
    }
    html + "</div></section>"
}

#[component]
pub fn MyStats(period: RwSignal<Period>) -> impl IntoView {
    let region = html();
    let own = html();
    Effect::new(move |_| {
        let p = period.get();
        spawn_local(async move {
            let now = api::stats_summary(p.query()).await;
            let before = api::stats_summary(p.previous().query()).await.ok();
            region.set(match now {
                Ok(s) => Remote::Ready(region_tiles(
                    &s.figures,
                    before.as_ref().map(|b| &b.figures),
                    p,
                )),
                Err(e) => Remote::Failed(e),
            });
        });
        api::load_into(own, async move {
            let mine = api::stats_mine(p.query()).await?;
            Ok(own_tiles(mine.as_ref(), p))
        });
    });
    view! {
        <h1>{strings::MY_STATS}</h1>
        <PeriodPicker period/>
        {show(region)}
        {show(own)}
    }
}
