//! E-mail over SMTP (lettre, rustls; no OpenSSL): to operators a message on a new appeal in
//! their region and a daily digest of overdue and due-today appeals; to new staff an
//! invitation with a first-sign-in link. Every letter has a plain-text and an HTML part, in
//! Russian. Letters never carry the name of an anonymous appeal's author; the digest carries
//! no names at all.
//!
//! Letters wait in the outbox as a [`MailTemplate`] with the facts already looked up and
//! are rendered when sent (the link base, `PUBLIC_URL`, may change meanwhile). An
//! invitation's secret token is not among those facts: the worker issues it right before
//! sending and hands it to [`MailTemplate::render`].

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use super::DeliveryError;
use crate::config::{NotifyConfig, SmtpTls};

/// One appeal in a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    /// Appeal id.
    pub appeal_id: String,
    /// Its human number, «16-000123» (empty in digests queued before numbers existed).
    #[serde(default)]
    pub number: String,
    /// Region name.
    pub region: String,
    /// The first words of the question.
    pub excerpt: String,
    /// The deadline, local time of the region.
    pub deadline: String,
}

/// A letter waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum MailTemplate {
    /// A new appeal reached the operator's region (asked there or transferred there).
    NewAppeal {
        /// Appeal id.
        appeal_id: String,
        /// Its human number, «16-000123» (empty in letters queued before numbers existed).
        #[serde(default)]
        number: String,
        /// Region name.
        region: String,
        /// The question (clipped).
        text: String,
        /// The author's name; `None` for anonymous appeals.
        author: Option<String>,
        /// The deadline, local time of the region.
        deadline: Option<String>,
        /// It came from another region.
        transferred: bool,
    },
    /// The region's leadership put an appeal «На контроль» (to the operator holding it, or
    /// to the region's operators while nobody does).
    Control {
        /// Appeal id.
        appeal_id: String,
        /// Its human number, «16-000123».
        number: String,
        /// Region name.
        region: String,
        /// The question (clipped).
        text: String,
        /// The leadership's comment.
        comment: String,
        /// Who put it under control, if their name is known.
        by: Option<String>,
    },
    /// The daily digest of one operator.
    Digest {
        /// The local date, `02.12.2026`.
        date: String,
        /// Open appeals past their deadline.
        overdue: Vec<DigestItem>,
        /// Open appeals whose deadline is today (region's date).
        due_today: Vec<DigestItem>,
        /// Teachers' verification requests of the operator's regions waiting for a decision
        /// (0 for regional heads, who do not decide them, and in digests queued before).
        #[serde(default)]
        verification_waiting: i64,
    },
    /// An invitation of a new staff member with a first-sign-in link. Only the invitation's
    /// id waits in the outbox; the link's token is issued when the letter is sent.
    Invitation {
        /// The invitation (`staff_invitations.id`).
        invitation_id: String,
        /// Who invited, by role: «Администратор», «Руководитель региона».
        inviter: String,
        /// The new staff member's role, e.g. «Оператор».
        role: String,
        /// The regions' names; empty for roles without regions.
        regions: Vec<String>,
        /// Hours the link works after sending.
        valid_hours: i64,
        /// A password reset («Забыли пароль?») rather than an invitation: the same kind of
        /// link, another letter.
        #[serde(default)]
        reset: bool,
    },
}

/// A letter ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn paragraphs(text: &str) -> String {
    escape(text).replace('\n', "<br>")
}

/// Link to an appeal in the staff screens.
#[must_use]
pub fn appeal_link(public_url: &str, appeal_id: &str) -> String {
    format!("{}/#/appeals/{appeal_id}", public_url.trim_end_matches('/'))
}

/// The first-sign-in link of an invitation (the token travels in the URL fragment, which
/// browsers never send to the server).
#[must_use]
pub fn invite_link(public_url: &str, token: &str) -> String {
    format!("{}/#/invite/{token}", public_url.trim_end_matches('/'))
}

const FOOTER_TEXT: &str =
    "Вы получили это письмо, потому что включили уведомления в профиле «Помощника». \
Отключить их можно там же.";

const INVITE_FOOTER_TEXT: &str =
    "Вы получили это письмо, потому что вас добавили в сотрудники «Помощника». \
Если вы не ждали его, просто удалите письмо: без пароля в кабинет никто не войдёт.";

fn html_page(title: &str, inner: &str, footer: &str) -> String {
    format!(
        "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#1d1d1f\">\
         {inner}<p style=\"color:#6e6e73;font-size:13px\">{}</p></body></html>",
        escape(title),
        escape(footer)
    )
}

/// «1 час», «72 часа», «48 часов».
fn hours(n: i64) -> String {
    let word = match (n % 10, n % 100) {
        (1, m) if m != 11 => "час",
        (2..=4, m) if !(12..=14).contains(&m) => "часа",
        _ => "часов",
    };
    format!("{n} {word}")
}

fn digest_lines(items: &[DigestItem], public_url: &str) -> (String, String) {
    let mut text = String::new();
    let mut html = String::from("<ul>");
    for item in items {
        let link = appeal_link(public_url, &item.appeal_id);
        text.push_str(&format!(
            "• № {} — {} — срок {} — «{}»\n  {link}\n",
            item.number, item.region, item.deadline, item.excerpt
        ));
        html.push_str(&format!(
            "<li>№ {} — {} — срок {} — <a href=\"{}\">«{}»</a></li>",
            escape(&item.number),
            escape(&item.region),
            escape(&item.deadline),
            escape(&link),
            escape(&item.excerpt)
        ));
    }
    html.push_str("</ul>");
    (text, html)
}

impl MailTemplate {
    /// Subject, plain text and HTML. `invite_token` is an invitation's secret, issued by the
    /// worker right before sending (other letters ignore it); without one the invitation
    /// points to the ordinary sign-in with the one-time password.
    #[must_use]
    pub fn render(&self, public_url: &str, invite_token: Option<&str>) -> Rendered {
        match self {
            Self::NewAppeal {
                appeal_id,
                number,
                region,
                text,
                author,
                deadline,
                transferred,
            } => {
                let link = appeal_link(public_url, appeal_id);
                let no = if number.is_empty() {
                    String::new()
                } else {
                    format!(" № {number}")
                };
                let subject = if *transferred {
                    format!("Обращение{no} передано в регион «{region}»")
                } else {
                    format!("Новое обращение{no} в регионе «{region}»")
                };
                let who = author.as_deref().unwrap_or("анонимно");
                let deadline_line = deadline
                    .as_deref()
                    .map(|d| format!("Срок ответа: {d}.\n"))
                    .unwrap_or_default();
                let plain = format!(
                    "{subject}.\n\nАвтор: {who}.\n{deadline_line}\nВопрос:\n{text}\n\nОткрыть обращение: {link}\n\n{FOOTER_TEXT}\n"
                );
                let inner = format!(
                    "<h2 style=\"font-size:18px\">{}</h2><p>Автор: {}.<br>{}</p>\
                     <blockquote style=\"border-left:3px solid #c7c7cc;margin:0;padding-left:12px\">{}</blockquote>\
                     <p><a href=\"{}\">Открыть обращение</a></p>",
                    escape(&subject),
                    escape(who),
                    deadline
                        .as_deref()
                        .map(|d| format!("Срок ответа: {}.", escape(d)))
                        .unwrap_or_default(),
                    paragraphs(text),
                    escape(&link)
                );
                Rendered {
                    html: html_page(&subject, &inner, FOOTER_TEXT),
                    subject,
                    text: plain,
                }
            }
            Self::Digest {
                date,
                overdue,
                due_today,
                verification_waiting,
            } => {
                let mut subject = format!(
                    "Сводка на {date}: просрочено {}, срок сегодня {}",
                    overdue.len(),
                    due_today.len()
                );
                let waiting = *verification_waiting;
                if waiting > 0 {
                    subject.push_str(&format!(", заявок на подтверждение {waiting}"));
                }
                let (overdue_text, overdue_html) = digest_lines(overdue, public_url);
                let (today_text, today_html) = digest_lines(due_today, public_url);
                let mut plain = format!("Сводка по обращениям вашего региона на {date}.\n\n");
                let mut inner = format!(
                    "<h2 style=\"font-size:18px\">Сводка по обращениям на {}</h2>",
                    escape(date)
                );
                if !overdue.is_empty() {
                    plain.push_str(&format!(
                        "Просрочено ({}):\n{overdue_text}\n",
                        overdue.len()
                    ));
                    inner.push_str(&format!(
                        "<h3>Просрочено ({})</h3>{overdue_html}",
                        overdue.len()
                    ));
                }
                if !due_today.is_empty() {
                    plain.push_str(&format!(
                        "Срок сегодня ({}):\n{today_text}\n",
                        due_today.len()
                    ));
                    inner.push_str(&format!(
                        "<h3>Срок сегодня ({})</h3>{today_html}",
                        due_today.len()
                    ));
                }
                if waiting > 0 {
                    let link = format!("{}/#/verification", public_url.trim_end_matches('/'));
                    plain.push_str(&format!(
                        "Ждут решения заявки на подтверждение статуса учителя ({waiting}):\n  {link}\n\n"
                    ));
                    inner.push_str(&format!(
                        "<h3>Заявки на подтверждение статуса ({waiting})</h3><p><a href=\"{}\">Открыть заявки</a></p>",
                        escape(&link)
                    ));
                }
                plain.push_str(FOOTER_TEXT);
                plain.push('\n');
                Rendered {
                    html: html_page(&subject, &inner, FOOTER_TEXT),
                    subject,
                    text: plain,
                }
            }
            Self::Control {
                appeal_id,
                number,
                region,
                text,
                comment,
                by,
            } => render_control(
                &appeal_link(public_url, appeal_id),
                number,
                region,
                text,
                comment,
                by.as_deref(),
            ),
            Self::Invitation {
                valid_hours,
                reset: true,
                ..
            } => render_reset(public_url, invite_token, *valid_hours),
            Self::Invitation {
                inviter,
                role,
                regions,
                valid_hours,
                ..
            } => render_invitation(
                public_url,
                invite_token,
                inviter,
                role,
                regions,
                *valid_hours,
            ),
        }
    }
}

/// The letter of [`MailTemplate::Control`].
const CONTROL_FOOTER_TEXT: &str =
    "Вы получили это письмо, потому что отвечаете на обращения этого региона в «Помощнике».";

fn render_control(
    link: &str,
    number: &str,
    region: &str,
    text: &str,
    comment: &str,
    by: Option<&str>,
) -> Rendered {
    let subject = format!("Обращение № {number} на контроле руководства («{region}»)");
    let who = by.unwrap_or("Руководство");
    let plain = format!(
        "{subject}.\n\n{who} поставил(а) обращение на контроль с комментарием:\n{comment}\n\n\
         Вопрос:\n{text}\n\nОткрыть обращение: {link}\n\n{CONTROL_FOOTER_TEXT}\n"
    );
    let inner = format!(
        "<h2 style=\"font-size:18px\">{}</h2><p>{} поставил(а) обращение на контроль с комментарием:</p>\
         <p><b>{}</b></p>\
         <blockquote style=\"border-left:3px solid #c7c7cc;margin:0;padding-left:12px\">{}</blockquote>\
         <p><a href=\"{}\">Открыть обращение</a></p>",
        escape(&subject),
        escape(who),
        paragraphs(comment),
        paragraphs(text),
        escape(link)
    );
    Rendered {
        html: html_page(&subject, &inner, CONTROL_FOOTER_TEXT),
        subject,
        text: plain,
    }
}

fn render_invitation(
    public_url: &str,
    token: Option<&str>,
    inviter: &str,
    role: &str,
    regions: &[String],
    valid_hours: i64,
) -> Rendered {
    let subject = "Приглашение в «Помощник»".to_owned();
    let lead = format!(
        "{inviter} приглашает вас в «Помощник» — сервис ответов учителям о документационной нагрузке."
    );
    let mut facts = format!("Ваша роль: {role}.");
    if !regions.is_empty() {
        facts.push_str(&format!(
            "\n{}: {}.",
            if regions.len() == 1 {
                "Регион"
            } else {
                "Регионы"
            },
            regions.join(", ")
        ));
    }
    let factor = "Затем подключите второй фактор — приложение с одноразовыми кодами \
                  (Яндекс Ключ, Google Authenticator или другое).";
    let (plain_step, html_step) = match token {
        Some(token) => {
            let link = invite_link(public_url, token);
            let valid = format!(
                "Ссылка действует {} и только один раз. Если она перестала действовать, \
                 попросите пригласившего выслать приглашение ещё раз.",
                hours(valid_hours)
            );
            (
                format!(
                    "Чтобы войти в первый раз, откройте ссылку и задайте свой пароль:\n{link}\n\n{valid}\n{factor}"
                ),
                format!(
                    "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 18px;background:#0a66c2;\
                     color:#fff;border-radius:8px;text-decoration:none\">Задать пароль и войти</a></p>\
                     <p>Или скопируйте ссылку в браузер:<br>{}</p><p>{}<br>{}</p>",
                    escape(&link),
                    escape(&link),
                    escape(&valid),
                    escape(factor)
                ),
            )
        }
        None => {
            let page = format!("{}/", public_url.trim_end_matches('/'));
            let text = format!(
                "Войдите на {page} с этим e-mail и одноразовым паролем, который передаст пригласивший, \
                 и задайте свой пароль."
            );
            (
                format!("{text}\n{factor}"),
                format!("<p>{}<br>{}</p>", escape(&text), escape(factor)),
            )
        }
    };
    let plain =
        format!("Здравствуйте!\n\n{lead}\n{facts}\n\n{plain_step}\n\n{INVITE_FOOTER_TEXT}\n");
    let inner = format!(
        "<h2 style=\"font-size:18px\">{}</h2><p>Здравствуйте!</p><p>{}</p><p>{}</p>{html_step}",
        escape(&subject),
        escape(&lead),
        paragraphs(&facts),
    );
    Rendered {
        html: html_page(&subject, &inner, INVITE_FOOTER_TEXT),
        subject,
        text: plain,
    }
}

const RESET_FOOTER_TEXT: &str =
    "Если вы не просили сменить пароль, просто удалите письмо: пароль останется прежним.";

/// The letter of a password reset: the link sets a new password; the second factor stays.
fn render_reset(public_url: &str, token: Option<&str>, valid_hours: i64) -> Rendered {
    let subject = "Смена пароля в «Помощнике»".to_owned();
    let lead = "Кто-то (возможно, вы) попросил сменить пароль для входа в «Помощник».";
    // `?reset`: the page of the link says «Новый пароль» instead of «Приглашение».
    let link = token
        .map(|t| format!("{}?reset", invite_link(public_url, t)))
        .unwrap_or_default();
    let valid = format!(
        "Ссылка действует {} и только один раз. После смены пароля все входы на других \
         устройствах завершатся; код из приложения-аутентификатора по-прежнему нужен.",
        hours(valid_hours)
    );
    let plain = format!(
        "Здравствуйте!\n\n{lead}\nЧтобы задать новый пароль, откройте ссылку:\n{link}\n\n{valid}\n\n{RESET_FOOTER_TEXT}\n"
    );
    let inner = format!(
        "<h2 style=\"font-size:18px\">{}</h2><p>Здравствуйте!</p><p>{}</p>\
         <p><a href=\"{}\">Задать новый пароль</a></p><p>Или скопируйте ссылку в браузер:<br>{}</p><p>{}</p>",
        escape(&subject),
        escape(lead),
        escape(&link),
        escape(&link),
        escape(&valid)
    );
    Rendered {
        html: html_page(&subject, &inner, RESET_FOOTER_TEXT),
        subject,
        text: plain,
    }
}

/// An SMTP sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer({})", self.from)
    }
}

impl Mailer {
    /// A sender for the configured relay.
    ///
    /// # Errors
    /// An unusable `SMTP_FROM` or relay name (a Russian explanation).
    pub fn new(config: &NotifyConfig) -> Result<Self, String> {
        let from: Mailbox = config
            .smtp_from
            .parse()
            .map_err(|e| format!("SMTP_FROM не похож на адрес: {e}"))?;
        let builder = match config.smtp_tls {
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.smtp_host)
            }
            SmtpTls::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.smtp_host)
                    .map_err(|e| format!("SMTP_HOST: {e}"))?
            }
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.smtp_host)
                .map_err(|e| format!("SMTP_HOST: {e}"))?,
        };
        let mut builder = builder
            .port(config.smtp_port)
            .timeout(Some(Duration::from_secs(15)));
        if let Some(user) = &config.smtp_user {
            let password = config
                .smtp_password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one letter to one address.
    ///
    /// # Errors
    /// The address is not valid (permanent), the relay refused (permanent for 5xx) or
    /// could not be reached (transient).
    pub async fn send(&self, to: &str, letter: &Rendered) -> Result<(), DeliveryError> {
        let to: Mailbox = to.parse().map_err(|e| {
            DeliveryError::permanent(format!("неверный адрес получателя: {e}"), None)
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(letter.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                letter.text.clone(),
                letter.html.clone(),
            ))
            .map_err(|e| DeliveryError::permanent(format!("письмо не собралось: {e}"), None))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let code = e.status().map(u16::from);
                let reason = format!("SMTP: {e}");
                if e.is_permanent() {
                    Err(DeliveryError::permanent(reason, code))
                } else {
                    Err(DeliveryError::transient(reason, code))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_new_appeal_has_no_name_and_html_is_escaped() {
        let letter = MailTemplate::NewAppeal {
            appeal_id: "ap1".into(),
            number: "16-000001".into(),
            region: "Москва".into(),
            text: "Нужно ли <b>писать</b> КТП?".into(),
            author: None,
            deadline: Some("2 дек., 23:59 (МСК)".into()),
            transferred: false,
        }
        .render("https://pomoshnik.example.ru/", None);
        assert_eq!(
            letter.subject,
            "Новое обращение № 16-000001 в регионе «Москва»"
        );
        assert!(letter.text.contains("Автор: анонимно"));
        assert!(letter
            .text
            .contains("https://pomoshnik.example.ru/#/appeals/ap1"));
        assert!(letter.html.contains("&lt;b&gt;писать&lt;/b&gt;"));
        assert!(!letter.html.contains("<b>писать"));
    }

    #[test]
    fn invitation_carries_the_link_role_and_regions() {
        let mail = MailTemplate::Invitation {
            invitation_id: "inv1".into(),
            inviter: "Руководитель региона".into(),
            role: "Оператор".into(),
            regions: vec!["Республика Татарстан (16)".into()],
            valid_hours: 72,
            reset: false,
        };
        let letter = mail.render("https://pomoshnik.example.ru/", Some("tok<en>"));
        assert_eq!(letter.subject, "Приглашение в «Помощник»");
        assert!(letter
            .text
            .contains("https://pomoshnik.example.ru/#/invite/tok<en>"));
        assert!(letter.text.contains("Руководитель региона приглашает"));
        assert!(letter.text.contains("Ваша роль: Оператор."));
        assert!(letter.text.contains("Регион: Республика Татарстан (16)."));
        assert!(letter.text.contains("72 часа"));
        assert!(letter.html.contains("#/invite/tok&lt;en&gt;"));
        assert!(!letter.html.contains("tok<en>"));
        // The outbox payload never holds a token: it has no field for one.
        let payload = serde_json::to_string(&mail).unwrap();
        assert!(!payload.contains("tok"), "{payload}");
        // Without a token the letter sends to the ordinary sign-in.
        let fallback = mail.render("https://pomoshnik.example.ru", None);
        assert!(fallback.text.contains("одноразовым паролем"));
        assert!(!fallback.text.contains("#/invite/"));
    }

    #[test]
    fn hours_agree_with_the_number() {
        assert_eq!(hours(1), "1 час");
        assert_eq!(hours(72), "72 часа");
        assert_eq!(hours(48), "48 часов");
        assert_eq!(hours(11), "11 часов");
        assert_eq!(hours(24), "24 часа");
    }

    #[test]
    fn default_settings_make_a_mailer() {
        let config = crate::config::Config::from_lookup(|_| None).unwrap();
        assert!(Mailer::new(&config.notify).is_ok());
    }

    #[test]
    fn digest_counts_in_subject() {
        let item = DigestItem {
            appeal_id: "a".into(),
            number: "77-000001".into(),
            region: "Москва".into(),
            excerpt: "Вопрос".into(),
            deadline: "1 дек., 23:59 (МСК)".into(),
        };
        let letter = MailTemplate::Digest {
            date: "02.12.2026".into(),
            overdue: vec![item.clone(), item.clone()],
            due_today: vec![item],
            verification_waiting: 0,
        }
        .render("http://x", None);
        assert_eq!(
            letter.subject,
            "Сводка на 02.12.2026: просрочено 2, срок сегодня 1"
        );
        assert!(letter.text.contains("Просрочено (2)"));
        assert!(letter.text.contains("№ 77-000001"));
    }

    #[test]
    fn digest_counts_waiting_verification_requests() {
        let letter = MailTemplate::Digest {
            date: "02.12.2026".into(),
            overdue: vec![],
            due_today: vec![],
            verification_waiting: 3,
        }
        .render("https://pomoshnik.example.ru/", None);
        assert_eq!(
            letter.subject,
            "Сводка на 02.12.2026: просрочено 0, срок сегодня 0, заявок на подтверждение 3"
        );
        assert!(letter.text.contains("подтверждение статуса учителя (3)"));
        assert!(letter
            .text
            .contains("https://pomoshnik.example.ru/#/verification"));
        // A digest queued before the count existed still reads.
        let old: MailTemplate = serde_json::from_str(
            r#"{"template":"digest","date":"01.12.2026","overdue":[],"due_today":[]}"#,
        )
        .unwrap();
        assert!(!old
            .render("http://x", None)
            .subject
            .contains("подтверждение"));
    }

    #[test]
    fn control_letter_names_the_number_and_the_comment() {
        let letter = MailTemplate::Control {
            appeal_id: "ap1".into(),
            number: "16-000123".into(),
            region: "Республика Татарстан".into(),
            text: "Вопрос".into(),
            comment: "Проверьте <срок>".into(),
            by: Some("Руководитель Татарстана".into()),
        }
        .render("https://pomoshnik.example.ru", None);
        assert!(letter.subject.contains("№ 16-000123"));
        assert!(letter.text.contains("Проверьте <срок>"));
        assert!(letter.html.contains("Проверьте &lt;срок&gt;"));
        assert!(letter.text.contains("#/appeals/ap1"));
    }
}
