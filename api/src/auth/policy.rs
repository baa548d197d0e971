//! Who may do what: one [`Action`] per API operation and one table, [`Action::access`],
//! that names the roles allowed to perform it. Handlers ask `caller.may(Action::…)?` and
//! never compare roles themselves; the authorization matrix test reads this table and the
//! OpenAPI document, so an operation added without an entry here fails a test.
//!
//! Row scope (which appeals, which users) is a second, separate rule applied by the domain
//! queries ([`super::Scope`]); this table only says whether a role may attempt the action.

use shared::integrations::ApiPermission;
use shared::users::Role;

/// Who may perform an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed: the operation checks its own credentials (launch data, a password,
    /// a webhook secret) or serves public data.
    Public,
    /// Signed-in callers of these roles; any other signed-in caller gets 403.
    Roles(&'static [Role]),
}

use Role::{Admin, Federal, Integrator, Operator, RegionalHead, Teacher};

const SIGNED_IN: &[Role] = &Role::ALL;
const PEOPLE: &[Role] = &[Teacher, Operator, RegionalHead, Federal, Admin];
const STAFF: &[Role] = &[Operator, RegionalHead, Federal, Admin];
const APPEAL_READERS: &[Role] = &[Teacher, Operator, RegionalHead, Federal, Integrator];
const LEADERSHIP: &[Role] = &[RegionalHead, Federal];
const SUPERVISION: &[Role] = &[Operator, RegionalHead, Federal];
const STATS_READERS: &[Role] = &[Operator, RegionalHead, Federal, Integrator];

macro_rules! actions {
    ($( $(#[$doc:meta])* $variant:ident = $op:literal => $access:expr ),* $(,)?) => {
        /// One operation of the API (its OpenAPI `operationId` in `snake_case`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $( $(#[$doc])* $variant, )*
        }

        impl Action {
            /// Every action, in table order.
            pub const ALL: &'static [Action] = &[ $( Action::$variant, )* ];

            /// The OpenAPI `operationId` of the action.
            #[must_use]
            pub fn operation_id(self) -> &'static str {
                match self { $( Action::$variant => $op, )* }
            }

            /// The table: who may perform the action.
            #[must_use]
            pub fn access(self) -> Access {
                match self { $( Action::$variant => $access, )* }
            }
        }
    };
}

actions! {
    // Service and reference data.
    /// Liveness.
    Healthz = "healthz" => Access::Public,
    /// Readiness.
    Readyz = "readyz" => Access::Public,
    /// Prometheus metrics.
    Metrics = "metrics" => Access::Public,
    /// The 89 regions.
    ListRegions = "list_regions" => Access::Public,

    // Sign-in.
    /// Sign in with MAX launch data.
    AuthMax = "auth_max" => Access::Public,
    /// Exchange a refresh token.
    Refresh = "refresh" => Access::Public,
    /// End a session.
    Logout = "logout" => Access::Public,
    /// Demo sign-in (dev only).
    DevLogin = "dev_login" => Access::Public,
    /// Staff password sign-in.
    Login = "login" => Access::Public,
    /// First sign-in through an invitation link.
    AcceptInvitation = "accept_invitation" => Access::Public,
    /// Enrol a TOTP second factor.
    TotpEnroll = "totp_enroll" => Access::Roles(STAFF),
    /// Start ESIA verification.
    EsiaStart = "esia_start" => Access::Roles(&[Teacher]),
    /// ESIA comes back.
    EsiaCallback = "esia_callback" => Access::Public,

    // The caller's own account.
    /// Own profile.
    GetMe = "get_me" => Access::Roles(SIGNED_IN),
    /// Change own profile.
    UpdateMe = "update_me" => Access::Roles(PEOPLE),
    /// Erase own personal data.
    EraseMe = "erase_me" => Access::Roles(PEOPLE),
    /// Replace own password (staff with a password only; checked by the handler too).
    ChangePassword = "change_password" => Access::Roles(STAFF),
    /// Ask an operator to confirm that one is a teacher.
    RequestVerification = "request_verification" => Access::Roles(&[Teacher]),
    /// Link a MAX account to a staff account.
    LinkMax = "link_max" => Access::Roles(STAFF),

    // Administration.
    /// List users (admins: all; heads: own operators; operators: teachers and colleagues
    /// of own regions).
    ListUsers = "list_users" => Access::Roles(&[Admin, RegionalHead, Operator]),
    /// Create a staff user.
    CreateUser = "create_user" => Access::Roles(&[Admin, RegionalHead]),
    /// Change a user's role, regions or block state.
    UpdateUser = "update_user" => Access::Roles(&[Admin, RegionalHead]),
    /// Resend a staff invitation.
    InviteUser = "invite_user" => Access::Roles(&[Admin, RegionalHead]),
    /// Confirm or refuse a teacher's verification.
    DecideVerification = "decide_verification" => Access::Roles(&[Admin, Operator]),
    /// List API keys.
    ListApiKeys = "list_api_keys" => Access::Roles(&[Admin]),
    /// Create an API key.
    CreateApiKey = "create_api_key" => Access::Roles(&[Admin]),
    /// Revoke an API key.
    RevokeApiKey = "revoke_api_key" => Access::Roles(&[Admin]),
    /// Read the audit log.
    ListAudit = "list_audit" => Access::Roles(&[Admin, Federal]),
    /// List the outbox.
    ListOutbox = "list_outbox" => Access::Roles(&[Admin]),
    /// Retry an outbox row.
    RetryOutbox = "retry_outbox" => Access::Roles(&[Admin]),
    /// List webhook subscriptions.
    ListWebhooks = "list_webhooks" => Access::Roles(&[Admin]),
    /// Create a webhook subscription.
    CreateWebhook = "create_webhook" => Access::Roles(&[Admin]),
    /// Delete a webhook subscription.
    DeleteWebhook = "delete_webhook" => Access::Roles(&[Admin]),
    /// A subscription's delivery log.
    ListWebhookDeliveries = "list_webhook_deliveries" => Access::Roles(&[Admin]),
    /// Send a test event.
    PingWebhook = "ping_webhook" => Access::Roles(&[Admin]),
    /// Rotate a subscription's secret.
    RotateWebhookSecret = "rotate_webhook_secret" => Access::Roles(&[Admin]),

    // Appeals: the teacher's side.
    /// Ask a question.
    CreateAppeal = "create_appeal" => Access::Roles(&[Teacher]),
    /// List appeals in scope.
    ListAppeals = "list_appeals" => Access::Roles(APPEAL_READERS),
    /// One appeal with its thread.
    GetAppeal = "get_appeal" => Access::Roles(APPEAL_READERS),
    /// Write a follow-up (teacher) or a clarification (operator).
    PostMessage = "post_message" => Access::Roles(&[Teacher, Operator]),
    /// Attach a file to one's question.
    UploadAttachment = "upload_attachment" => Access::Roles(&[Teacher]),
    /// Download an attachment.
    DownloadAttachment = "download_attachment" => Access::Roles(APPEAL_READERS),
    /// "Не помогло": hand a bot answer to a person.
    Escalate = "escalate" => Access::Roles(&[Teacher]),
    /// Withdraw one's question.
    Withdraw = "withdraw" => Access::Roles(&[Teacher]),
    /// Rate the latest answer.
    Rate = "rate" => Access::Roles(&[Teacher]),
    /// Close with a suggested article.
    AcceptSuggestion = "accept_suggestion" => Access::Roles(&[Teacher]),
    /// Mark an appeal read.
    MarkRead = "mark_read" => Access::Roles(&[Teacher, Operator, RegionalHead, Federal]),

    // Appeals: the staff's side.
    /// The Kanban board.
    Board = "board" => Access::Roles(SUPERVISION),
    /// Take, hand over or release an appeal.
    Assign = "assign" => Access::Roles(&[Operator]),
    /// Answer an appeal.
    AnswerAppeal = "answer_appeal" => Access::Roles(&[Operator]),
    /// Internal note.
    AddNote = "add_note" => Access::Roles(&[Operator]),
    /// Grade the bot's answer.
    BotGrade = "bot_grade" => Access::Roles(&[Operator]),
    /// Close as off-topic, duplicate or spam.
    CloseAppeal = "close_appeal" => Access::Roles(&[Operator]),
    /// Send to another region.
    Transfer = "transfer" => Access::Roles(&[Operator]),

    // The MAX bot.
    /// Updates from the MAX platform (checked by the webhook secret).
    MaxWebhook = "max_webhook" => Access::Public,

    // Knowledge base.
    /// Search published answers.
    Search = "search" => Access::Roles(SIGNED_IN),
    /// List articles (drafts and archived for `federal` only).
    ListArticles = "list_articles" => Access::Roles(SIGNED_IN),
    /// One article (drafts and archived for `federal` only).
    GetArticle = "get_article" => Access::Roles(SIGNED_IN),
    /// Write an article.
    CreateArticle = "create_article" => Access::Roles(&[Federal]),
    /// Edit an article.
    UpdateArticle = "update_article" => Access::Roles(&[Federal]),
    /// Publish an article.
    PublishArticle = "publish_article" => Access::Roles(&[Federal]),
    /// Archive an article.
    ArchiveArticle = "archive_article" => Access::Roles(&[Federal]),
    /// An article's versions.
    ListVersions = "list_versions" => Access::Roles(&[Federal]),
    /// Question variants waiting for confirmation.
    ListVariants = "list_variants" => Access::Roles(&[Federal]),
    /// Confirm a variant.
    ConfirmVariant = "confirm_variant" => Access::Roles(&[Federal]),
    /// Reject a variant.
    RejectVariant = "reject_variant" => Access::Roles(&[Federal]),
    /// The synonyms dictionary.
    GetSynonyms = "get_synonyms" => Access::Roles(STAFF),
    /// Replace the synonyms dictionary.
    PutSynonyms = "put_synonyms" => Access::Roles(&[Federal]),

    // Calendar.
    /// A year of the production calendar.
    GetCalendar = "get_calendar" => Access::Roles(STAFF),
    /// Import a year.
    PutCalendar = "put_calendar" => Access::Roles(&[Federal]),

    // Statistics and reports.
    /// Summary tiles.
    StatsSummary = "stats_summary" => Access::Roles(STATS_READERS),
    /// Per-region figures.
    StatsRegions = "stats_regions" => Access::Roles(STATS_READERS),
    /// Dynamics.
    StatsTimeseries = "stats_timeseries" => Access::Roles(STATS_READERS),
    /// Per-operator figures.
    StatsOperators = "stats_operators" => Access::Roles(LEADERSHIP),
    /// CSV export of appeals.
    AppealsCsv = "appeals_csv" => Access::Roles(SUPERVISION),
    /// XLSX export of appeals.
    AppealsXlsx = "appeals_xlsx" => Access::Roles(SUPERVISION),
    /// Open the single-use ESIA link in a browser (no token: the phone's browser has none).
    EsiaGo = "esia_go" => Access::Public,

    // «На контроль» by the region's leadership.
    /// Put an appeal under control (or change the comment).
    ControlAppeal = "control_appeal" => Access::Roles(LEADERSHIP),
    /// Take an appeal off control.
    ReleaseControl = "release_control" => Access::Roles(LEADERSHIP),

    // Appeals registered on someone's behalf.
    /// An operator's quick appeal (a call or a letter) or an integrator's forwarded
    /// question (the key needs `appeals:create`).
    CreateAppealOnBehalf = "create_appeal_on_behalf" => Access::Roles(&[Operator, Integrator]),

    /// «Помогло» on a bot answer: a click, not a rating.
    MarkHelpful = "mark_helpful" => Access::Roles(&[Teacher]),

    /// «Помощь» for teachers or staff: the same text for everyone.
    GetHelp = "get_help" => Access::Public,

    // Announcement campaigns and promo codes («Рассылки»).
    /// Compose a campaign.
    CreateCampaign = "create_campaign" => Access::Roles(LEADERSHIP),
    /// Campaigns of the caller's scope.
    ListCampaigns = "list_campaigns" => Access::Roles(LEADERSHIP),
    /// One campaign.
    GetCampaign = "get_campaign" => Access::Roles(LEADERSHIP),
    /// Edit a draft or scheduled campaign.
    UpdateCampaign = "update_campaign" => Access::Roles(LEADERSHIP),
    /// Cancel a campaign.
    CancelCampaign = "cancel_campaign" => Access::Roles(LEADERSHIP),
    /// A campaign's reach.
    CampaignReach = "campaign_reach" => Access::Roles(LEADERSHIP),
    /// A campaign's reach as CSV.
    CampaignReachCsv = "campaign_reach_csv" => Access::Roles(LEADERSHIP),
    /// Create a promo code.
    CreatePromo = "create_promo" => Access::Roles(LEADERSHIP),
    /// Promo codes with their launches.
    ListPromos = "list_promos" => Access::Roles(LEADERSHIP),
    /// A promo link's QR code as SVG (public: it holds only the printed link).
    PromoQrSvg = "promo_qr_svg" => Access::Public,
    /// A promo link's QR code as PNG.
    PromoQrPng = "promo_qr_png" => Access::Public,
    /// The printable poster of a promo code.
    PromoPoster = "promo_poster" => Access::Public,
    // Staff sign-in people can recover.
    /// «Забыли пароль?»: a letter with a password-reset link (always accepted).
    PasswordReset = "password_reset" => Access::Public,
    /// New one-time recovery codes for the password and a current code.
    RenewRecoveryCodes = "renew_recovery_codes" => Access::Roles(STAFF),
    /// «Сбросить второй фактор» of a staff member.
    ResetTotp = "reset_totp" => Access::Roles(&[Admin]),
    /// «Моя статистика»: an operator's own figures.
    StatsMine = "stats_mine" => Access::Roles(&[Operator]),
    /// Attach a file to one's next answer (shown once the answer is sent).
    UploadAnswerAttachment = "upload_answer_attachment" => Access::Roles(&[Operator]),
    /// Find a teacher of one's regions by name (the quick appeal's `teacher_id`).
    SearchTeachers = "search_teachers" => Access::Roles(&[Operator]),
    // The teacher's first steps (issues #18, #19).
    /// What the teacher's screens still have to ask or tell.
    GetOnboarding = "get_onboarding" => Access::Roles(&[Teacher]),
    /// Accept or decline the current privacy notice.
    AnswerConsent = "answer_consent" => Access::Roles(&[Teacher]),
    /// Close the banner of a verification decision.
    SeenVerificationDecision = "seen_verification_decision" => Access::Roles(&[Teacher]),
    /// The page a return from ESIA ends on, in the phone's browser.
    EsiaDone = "esia_done" => Access::Public,
    // The operator's appeal screen (issue #22, item 4).
    /// Answer templates of one's regions.
    ListTemplates = "list_templates" => Access::Roles(&[Operator, RegionalHead]),
    /// Write an answer template for one of one's regions.
    CreateTemplate = "create_template" => Access::Roles(&[Operator, RegionalHead]),
    /// Edit an answer template of one's regions.
    UpdateTemplate = "update_template" => Access::Roles(&[Operator, RegionalHead]),
    /// Delete an answer template of one's regions.
    DeleteTemplate = "delete_template" => Access::Roles(&[Operator, RegionalHead]),
    /// «Сейчас открыто также»: the open appeal screen's heartbeat.
    AppealPresence = "appeal_presence" => Access::Roles(SUPERVISION),
    /// The teacher's school, position, region and earlier appeals beside the thread.
    GetAppealContext = "appeal_context" => Access::Roles(&[Operator]),
    // Appeals per 1,000 teachers (issue #18).
    /// Set regions' numbers of teachers (a JSON list or a CSV file).
    ImportRegionTeachers = "import_region_teachers" => Access::Roles(&[Federal]),
    /// A campaign's reach as an Excel workbook.
    CampaignReachXlsx = "campaign_reach_xlsx" => Access::Roles(LEADERSHIP),
    // Verification requests by education level (issue #19).
    /// How many verification requests wait, by education level.
    VerificationCounts = "verification_counts" => Access::Roles(&[Admin, Operator]),
}

impl Action {
    /// The action of an OpenAPI `operationId`.
    #[must_use]
    pub fn from_operation_id(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.operation_id() == id)
    }

    /// Whether `role` may perform the action (public actions: everyone).
    #[must_use]
    pub fn allows(self, role: Role) -> bool {
        match self.access() {
            Access::Public => true,
            Access::Roles(roles) => roles.contains(&role),
        }
    }
}

/// What an integrator's API key needs beside its role, per action: reading appeals and
/// reading statistics are permissions chosen when the key is created (see
/// `domain::users::api_keys`); other actions open to integrators (their profile, the
/// knowledge base) need none.
impl Action {
    /// The key permission the action needs, if any.
    #[must_use]
    pub fn key_permission(self) -> Option<ApiPermission> {
        match self {
            Action::ListAppeals | Action::GetAppeal | Action::DownloadAttachment => {
                Some(ApiPermission::AppealsRead)
            }
            Action::StatsSummary | Action::StatsRegions | Action::StatsTimeseries => {
                Some(ApiPermission::StatsRead)
            }
            Action::CreateAppealOnBehalf => Some(ApiPermission::AppealsCreate),
            _ => None,
        }
    }

    /// Whether a key with `permissions` may perform the action (its role allowing it).
    #[must_use]
    pub fn key_allows(self, permissions: &[ApiPermission]) -> bool {
        self.key_permission()
            .is_none_or(|needed| permissions.contains(&needed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_unique_and_round_trip() {
        for action in Action::ALL {
            assert_eq!(
                Action::from_operation_id(action.operation_id()),
                Some(*action),
                "{action:?}"
            );
        }
    }

    #[test]
    fn administrators_never_touch_appeal_content() {
        for action in [
            Action::ListAppeals,
            Action::GetAppeal,
            Action::DownloadAttachment,
            Action::AppealsCsv,
            Action::StatsSummary,
        ] {
            assert!(!action.allows(Role::Admin), "{action:?}");
        }
    }
}
