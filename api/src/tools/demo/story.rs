//! One appeal's story, told in the order of its events: the question, then either the
//! bot's answer (rated, graded, escalated or expired) or the suggestions (self-served,
//! withdrawn, closed by an operator), then — when it reaches the operators' queue — the
//! operator's answer, on time or late, or the appeal still waiting. Every random draw
//! happens in the same order as before the split, so a seed still gives the same data.

use chrono::{Duration, NaiveDateTime};
use rand::rngs::StdRng;
use rand::Rng;

use super::data::{OPERATOR_ANSWERS, QUESTIONS, RATING_COMMENTS};
use super::draw::{hours, id_at, pick, score};
use super::rows::{
    Article, Batch, NewAnswer, NewAppeal, NewGrade, NewMessage, NewRating, RegionInfo,
};
use crate::domain::calendar::Calendars;

/// What every story shares: the knowledge base, the calendars and the end of history.
pub(super) struct Setting<'a> {
    /// Published articles (bot answers and suggestions).
    pub(super) articles: &'a [Article],
    /// Deadlines in working hours.
    pub(super) calendars: &'a Calendars,
    /// The end of the history (the start of the current hour).
    pub(super) now: NaiveDateTime,
}

/// The appeal whose story is told.
struct Appeal<'a> {
    id: String,
    teacher_id: String,
    code: String,
    created: NaiveDateTime,
    region: &'a RegionInfo,
}

impl Appeal<'_> {
    /// A message of this appeal.
    fn message(
        &self,
        rng: &mut StdRng,
        author: Option<&str>,
        role: &str,
        kind: &str,
        text: &str,
        at: NaiveDateTime,
    ) -> NewMessage {
        NewMessage {
            id: id_at(rng, at),
            appeal_id: self.id.clone(),
            author_id: author.map(str::to_owned),
            author_role: role.to_owned(),
            kind: kind.to_owned(),
            text: text.to_owned(),
            created_at: at,
        }
    }
}

/// Closes the appeal for `reason` at `at`.
fn close(row: &mut NewAppeal, reason: &str, at: NaiveDateTime) {
    row.status = "closed".to_owned();
    row.close_reason = Some(reason.to_owned());
    row.closed_at = Some(at);
    row.updated_at = row.updated_at.max(at);
}

/// Tells the story of an appeal asked at `created` in `region` and adds its rows to `batch`.
pub(super) fn tell(
    rng: &mut StdRng,
    setting: &Setting<'_>,
    region: &RegionInfo,
    created: NaiveDateTime,
    batch: &mut Batch,
) {
    let articles = setting.articles;
    let code = region.code.clone();
    let (teacher_id, teacher_name) = pick(rng, &region.teachers).clone();
    let id = id_at(rng, created);
    let anonymous = rng.gen_bool(0.08);
    let channel = match rng.gen_range(0..100) {
        0..=87 => "mini_app",
        88..=96 => "bot",
        _ => "api",
    };
    let confident = !articles.is_empty() && rng.gen_bool(0.55);
    let article = (!articles.is_empty()).then(|| pick(rng, articles));
    let text = match (confident, article) {
        (true, Some(a)) => a.question.clone(),
        _ => (*pick(rng, &QUESTIONS)).to_owned(),
    };
    let mut row = NewAppeal {
        id: id.clone(),
        teacher_id: teacher_id.clone(),
        region_code: code.clone(),
        author_name: Some(teacher_name),
        anonymous,
        text: text.clone(),
        channel: channel.to_owned(),
        status: "new".to_owned(),
        close_reason: None,
        close_note: None,
        duplicate_of: None,
        assignee_id: None,
        engine_name: Some("bm25f".to_owned()),
        engine_version: Some("demo".to_owned()),
        engine_article_id: article.map(|a| a.id.clone()),
        engine_score: Some(if confident {
            rng.gen_range(9.0..20.0)
        } else {
            rng.gen_range(1.0..7.0)
        }),
        engine_confident: confident,
        abstain_reason: (!confident).then(|| "low_score".to_owned()),
        suggestions: "[]".to_owned(),
        deadline_at: None,
        first_answered_at: None,
        answered_late: false,
        escalated_at: None,
        opened_by_staff_at: None,
        teacher_activity_at: created,
        staff_activity_at: None,
        created_at: created,
        updated_at: created,
        closed_at: None,
    };
    let appeal = Appeal {
        id,
        teacher_id,
        code,
        created,
        region,
    };
    batch.messages.push(appeal.message(
        rng,
        Some(&appeal.teacher_id),
        "teacher",
        "question",
        &text,
        created,
    ));
    // Some(arrival) when the appeal reaches the operators' queue.
    let queued = match (confident, article) {
        (true, Some(article)) => bot_answers(rng, setting, &appeal, article, &mut row, batch),
        _ => suggestions(rng, setting, &appeal, &mut row, batch),
    };
    if let Some(arrival) = queued {
        operator_answers(rng, setting, &appeal, arrival, &mut row, batch);
    }
    batch.appeals.push(row);
}

/// The bot answered at once: rated or not, graded by an operator, escalated or expired.
/// Returns the time of the escalation when the appeal goes to the operators.
fn bot_answers(
    rng: &mut StdRng,
    setting: &Setting<'_>,
    appeal: &Appeal<'_>,
    article: &Article,
    row: &mut NewAppeal,
    batch: &mut Batch,
) -> Option<NaiveDateTime> {
    let (now, created, id, teacher_id) =
        (setting.now, appeal.created, &appeal.id, &appeal.teacher_id);
    let operator = |rng: &mut StdRng| pick(rng, &appeal.region.operators).clone();
    let mut queued = None;
    let answer_id = id_at(rng, created);
    row.status = "answered_by_bot".to_owned();
    row.first_answered_at = Some(created);
    batch
        .messages
        .push(appeal.message(rng, None, "bot", "answer", &article.answer, created));
    let rated = rng.gen_bool(0.55).then(|| {
        let at = created + hours(rng.gen::<f64>().powi(2) * 30.0 + 0.05);
        (at, score(rng, &[0.04, 0.06, 0.12, 0.30, 0.48]))
    });
    let rated = rated.filter(|(at, _)| *at < now);
    if rng.gen_bool(0.25) {
        let at = created + hours(rng.gen_range(0.5..72.0));
        if at < now {
            let grade = match rng.gen_range(0..100) {
                0..=77 => "correct",
                78..=92 => "partly",
                _ => "wrong",
            };
            batch.grades.push(NewGrade {
                answer_id: answer_id.clone(),
                appeal_id: id.clone(),
                grade: grade.to_owned(),
                comment: None,
                graded_by: operator(rng),
                graded_at: at,
            });
        }
    }
    let unrated_reminder = created + Duration::hours(96);
    batch.answers.push(NewAnswer {
        id: answer_id.clone(),
        appeal_id: id.clone(),
        source: "bot".to_owned(),
        text: article.answer.clone(),
        article_id: Some(article.id.clone()),
        answered_by: None,
        answered_at: created,
        is_late: false,
        reminder_sent_at: (rated.is_none() && unrated_reminder < now).then_some(unrated_reminder),
    });
    if let Some((at, score)) = rated {
        batch.ratings.push(NewRating {
            answer_id,
            appeal_id: id.clone(),
            score,
            comment: rng
                .gen_bool(0.1)
                .then(|| (*pick(rng, &RATING_COMMENTS)).to_owned()),
            rated_at: at,
        });
        close(row, "rated", at);
    }
    let escalate = match rated {
        Some((_, s)) if s <= 3 => rng.gen_bool(0.35),
        _ => rng.gen_bool(0.05),
    };
    let escalated_at = rated.map_or(created, |(at, _)| at) + hours(rng.gen_range(0.1..24.0));
    if escalate && escalated_at < now {
        row.escalated_at = Some(escalated_at);
        row.status = "new".to_owned();
        row.close_reason = None;
        row.closed_at = None;
        row.teacher_activity_at = escalated_at;
        row.updated_at = escalated_at;
        batch.messages.push(appeal.message(
            rng,
            Some(teacher_id),
            "teacher",
            "system",
            "Ответ из базы не помог — вопрос передан специалистам.",
            escalated_at,
        ));
        queued = Some(escalated_at);
    } else if rated.is_none() && created + Duration::days(14) < now {
        close(row, "expired", created + Duration::days(14));
    }
    queued
}

/// The engine abstained: suggestions, then the teacher's own way out or the queue.
/// Returns the arrival in the operators' queue, if it gets there.
fn suggestions(
    rng: &mut StdRng,
    setting: &Setting<'_>,
    appeal: &Appeal<'_>,
    row: &mut NewAppeal,
    batch: &mut Batch,
) -> Option<NaiveDateTime> {
    let (now, created, id, teacher_id, code) = (
        setting.now,
        appeal.created,
        &appeal.id,
        &appeal.teacher_id,
        &appeal.code,
    );
    let (articles, calendars) = (setting.articles, setting.calendars);
    let operator = |rng: &mut StdRng| pick(rng, &appeal.region.operators).clone();
    let mut queued = None;
    let suggested: Vec<&Article> = if articles.is_empty() || rng.gen_bool(0.4) {
        Vec::new()
    } else {
        (0..rng.gen_range(1..=3))
            .map(|_| pick(rng, articles))
            .collect()
    };
    row.suggestions = serde_json::to_string(
        &suggested
            .iter()
            .map(|a| serde_json::json!({ "article_id": a.id, "title": a.title, "score": 4.2 }))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".to_owned());
    row.deadline_at = Some(calendars.deadline(code, created.and_utc()).naive_utc());
    let fate = rng.gen_range(0..1000);
    let soon = created + hours(rng.gen_range(0.02..2.0));
    match (fate, suggested.first()) {
        (0..=179, Some(article)) if soon < now => {
            batch.answers.push(NewAnswer {
                id: id_at(rng, soon),
                appeal_id: id.clone(),
                source: "self_served".to_owned(),
                text: article.answer.clone(),
                article_id: Some(article.id.clone()),
                answered_by: None,
                answered_at: soon,
                is_late: false,
                reminder_sent_at: None,
            });
            batch.messages.push(appeal.message(
                rng,
                Some(teacher_id),
                "teacher",
                "system",
                "Учитель нашёл ответ в предложенной статье.",
                soon,
            ));
            close(row, "self_served", soon);
        }
        (180..=209, _) if soon < now => {
            batch.messages.push(appeal.message(
                rng,
                Some(teacher_id),
                "teacher",
                "system",
                "Учитель отозвал вопрос.",
                soon,
            ));
            close(row, "withdrawn", soon);
        }
        (210..=229, _) => {
            let at = created + hours(rng.gen_range(1.0..48.0));
            if at < now {
                let who = operator(rng);
                row.assignee_id = Some(who);
                row.opened_by_staff_at = Some(at);
                row.staff_activity_at = Some(at);
                let reason = *pick(rng, &["off_topic", "spam", "duplicate"]);
                row.close_note =
                    Some("Вопрос не относится к документационной нагрузке.".to_owned());
                close(row, reason, at);
            } else {
                queued = Some(created);
            }
        }
        _ => queued = Some(created),
    }
    queued
}

/// In the operators' queue since `arrival`: answered (on time or late, then rated or
/// expired) or still waiting past the end of history.
fn operator_answers(
    rng: &mut StdRng,
    setting: &Setting<'_>,
    appeal: &Appeal<'_>,
    arrival: NaiveDateTime,
    row: &mut NewAppeal,
    batch: &mut Batch,
) {
    let (now, id, code, calendars) = (setting.now, &appeal.id, &appeal.code, setting.calendars);
    let operator = |rng: &mut StdRng| pick(rng, &appeal.region.operators).clone();
    let deadline = calendars.deadline(code, arrival.and_utc()).naive_utc();
    row.deadline_at = Some(deadline);
    let stuck = rng.gen_bool(0.004);
    let answer_at = if rng.gen_bool(0.07) {
        deadline + hours(rng.gen_range(1.0..120.0))
    } else {
        let budget = (deadline - arrival).num_seconds().max(3600);
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let offset = (rng.gen::<f64>().powf(2.2) * budget as f64) as i64;
        arrival + Duration::seconds(offset.max(600))
    };
    let who = operator(rng);
    if stuck || answer_at >= now {
        if rng.gen_bool(0.6) {
            row.status = "in_progress".to_owned();
            row.assignee_id = Some(who);
            row.opened_by_staff_at =
                Some(arrival + hours(rng.gen_range(0.1..4.0)).min(now - arrival));
        } else {
            row.status = "new".to_owned();
            if rng.gen_bool(0.5) {
                row.opened_by_staff_at = Some(arrival + (now - arrival) / 2);
            }
        }
    } else {
        let late = answer_at > deadline;
        let answer_text = *pick(rng, &OPERATOR_ANSWERS);
        let answer_id = id_at(rng, answer_at);
        let rated = rng.gen_bool(0.6).then(|| {
            let at = answer_at + hours(rng.gen::<f64>().powi(2) * 60.0 + 0.1);
            (at, score(rng, &[0.03, 0.05, 0.10, 0.32, 0.50]))
        });
        let rated = rated.filter(|(at, _)| *at < now);
        let reminder = answer_at + Duration::hours(96);
        batch.answers.push(NewAnswer {
            id: answer_id.clone(),
            appeal_id: id.clone(),
            source: "operator".to_owned(),
            text: answer_text.to_owned(),
            article_id: None,
            answered_by: Some(who.clone()),
            answered_at: answer_at,
            is_late: late,
            reminder_sent_at: (rated.is_none() && reminder < now).then_some(reminder),
        });
        batch.messages.push(appeal.message(
            rng,
            Some(&who),
            "operator",
            "answer",
            answer_text,
            answer_at,
        ));
        row.status = "answered".to_owned();
        row.assignee_id = Some(who);
        row.opened_by_staff_at = Some(arrival + (answer_at - arrival) / 3);
        row.staff_activity_at = Some(answer_at);
        row.updated_at = answer_at;
        if row.first_answered_at.is_none() {
            row.first_answered_at = Some(answer_at);
            row.answered_late = late;
        }
        if let Some((at, score)) = rated {
            batch.ratings.push(NewRating {
                answer_id,
                appeal_id: id.clone(),
                score,
                comment: rng
                    .gen_bool(0.1)
                    .then(|| (*pick(rng, &RATING_COMMENTS)).to_owned()),
                rated_at: at,
            });
            close(row, "rated", at);
        } else if answer_at + Duration::days(14) < now {
            close(row, "expired", answer_at + Duration::days(14));
        }
    }
}
