//! A tiny hash router: the route lives in `location.hash` (`#/profile`, `#/regions/77`), so
//! the api only ever serves `/` and the page never reloads. Links are plain `<a href=…>`
//! built with [`Route::href`]; the browser's back button works through `hashchange`, and
//! MAX's BackButton goes to [`Route::parent`].

use leptos::prelude::{signal, window, window_event_listener, ReadSignal, Set};
use shared::RegionCode;

/// Every screen of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `#/`: the home screen with the navigation.
    Home,
    /// `#/ask`: ask a question (verified teachers).
    Ask,
    /// `#/answers`: the base of published answers.
    Answers,
    /// `#/profile`: the profile, verification status, deleting the data.
    Profile,
    /// `#/verification`: the verification status and request.
    Verification,
    /// `#/appeals`: the teacher's questions («Мои вопросы»).
    Appeals,
    /// `#/answers/<id>`: one article of the base of answers.
    Article(String),
    /// `#/appeals/<id>`: one appeal (the `appeal-<id>` deep link of MAX).
    Appeal(String),
    /// `#/regions`: the reference list of regions.
    Regions,
    /// `#/regions/<code>`: one region.
    Region(RegionCode),
    /// `#/invite/<token>`: the link of a staff invitation letter, drawn by the staff module.
    Invite(String),
    /// Anything else.
    NotFound,
}

impl Route {
    /// Parses `location.hash` (with or without the leading `#`). Empty segments are ignored,
    /// so `#`, `#/`, `#//profile/` all work; a `?query` part is dropped.
    #[must_use]
    pub fn parse(hash: &str) -> Self {
        let path = hash.strip_prefix('#').unwrap_or(hash);
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        match (segments.next(), segments.next(), segments.next()) {
            (None, ..) => Self::Home,
            (Some("ask"), None, _) => Self::Ask,
            (Some("answers"), None, _) => Self::Answers,
            (Some("profile"), None, _) => Self::Profile,
            (Some("verification"), None, _) => Self::Verification,
            (Some("appeals"), None, _) => Self::Appeals,
            (Some("appeals"), Some(id), None) if is_id(id) => Self::Appeal(id.to_owned()),
            (Some("answers"), Some(id), None) if is_id(id) => Self::Article(id.to_owned()),
            (Some("regions"), None, _) => Self::Regions,
            (Some("regions"), Some(code), None) => {
                RegionCode::parse(code).map_or(Self::NotFound, Self::Region)
            }
            (Some("invite"), Some(token), None) if is_id(token) => Self::Invite(token.to_owned()),
            _ => Self::NotFound,
        }
    }

    /// The `href` of a link to this route.
    #[must_use]
    pub fn href(&self) -> String {
        match self {
            Self::Home | Self::NotFound => "#/".to_owned(),
            Self::Ask => "#/ask".to_owned(),
            Self::Answers => "#/answers".to_owned(),
            Self::Profile => "#/profile".to_owned(),
            Self::Verification => "#/verification".to_owned(),
            Self::Appeals => "#/appeals".to_owned(),
            Self::Appeal(id) => format!("#/appeals/{id}"),
            Self::Article(id) => format!("#/answers/{id}"),
            Self::Regions => "#/regions".to_owned(),
            Self::Region(code) => format!("#/regions/{code}"),
            Self::Invite(token) => format!("#/invite/{token}"),
        }
    }

    /// Where «Назад» leads: one level up; `None` on the home screen.
    #[must_use]
    pub fn parent(&self) -> Option<Self> {
        match self {
            Self::Home | Self::Invite(_) => None,
            Self::Verification => Some(Self::Profile),
            Self::Region(_) => Some(Self::Regions),
            Self::Appeal(_) => Some(Self::Appeals),
            Self::Article(_) => Some(Self::Answers),
            _ => Some(Self::Home),
        }
    }

    /// Whether the second module (`mini-app/more`: history, one appeal, the base of answers,
    /// the profile and verification) draws this screen; the first load draws the rest.
    #[must_use]
    pub const fn in_more(&self) -> bool {
        matches!(
            self,
            Self::Appeals
                | Self::Appeal(_)
                | Self::Answers
                | Self::Article(_)
                | Self::Profile
                | Self::Verification
        )
    }

    /// Whether the staff module draws this screen whoever is signed in (an invitation link).
    #[must_use]
    pub const fn for_staff_module(&self) -> bool {
        matches!(self, Self::Invite(_))
    }

    /// The route of a MAX `start_param` deep link: `appeal-<id>` opens that appeal.
    #[must_use]
    pub fn from_start_param(param: &str) -> Option<Self> {
        let id = param.trim().strip_prefix("appeal-")?;
        is_id(id).then(|| Self::Appeal(id.to_owned()))
    }
}

/// Appeal ids (and invitation tokens) are opaque but plain: letters, digits, `-` and `_`, at most 64.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Opens `route` (adds a history entry, as a link would).
pub fn go(route: &Route) {
    // Only fails in a detached document.
    let _ignored = window().location().set_hash(&route.href());
}

/// The current route, kept up to date by a `hashchange` listener for the app's lifetime.
#[must_use]
pub fn use_route() -> ReadSignal<Route> {
    let (route, set_route) = signal(current());
    // The listener lives as long as the page: its handle is never removed.
    let _handle = window_event_listener(leptos::ev::hashchange, move |_| set_route.set(current()));
    route
}

fn current() -> Route {
    Route::parse(&window().location().hash().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::Route;
    use shared::RegionCode;

    fn region(code: &str) -> Route {
        RegionCode::parse(code).map_or(Route::NotFound, Route::Region)
    }

    #[test]
    fn the_second_module_draws_history_answers_profile_and_verification() {
        for hash in [
            "#/appeals",
            "#/appeals/a1",
            "#/answers",
            "#/answers/k1",
            "#/profile",
            "#/verification",
        ] {
            assert!(Route::parse(hash).in_more(), "{hash}");
        }
        for hash in [
            "#/",
            "#/ask",
            "#/regions",
            "#/regions/77",
            "#/nowhere",
            "#/invite/t1",
        ] {
            assert!(!Route::parse(hash).in_more(), "{hash}");
        }
    }

    #[test]
    fn invitation_links_go_to_the_staff_module() {
        let route = Route::parse("#/invite/AbC123xyz");
        assert_eq!(route, Route::Invite("AbC123xyz".into()));
        assert!(route.for_staff_module());
        assert_eq!(route.parent(), None);
        assert!(!Route::Home.for_staff_module());
        for hash in ["#/invite", "#/invite/a b", "#/invite/a/b"] {
            assert!(!Route::parse(hash).for_staff_module(), "{hash}");
        }
    }

    #[test]
    fn home_forms() {
        for hash in ["", "#", "#/", "/", "#//", "#/?x=1"] {
            assert_eq!(Route::parse(hash), Route::Home, "{hash:?}");
        }
    }

    #[test]
    fn screens() {
        assert_eq!(Route::parse("#/ask"), Route::Ask);
        assert_eq!(Route::parse("#/answers/"), Route::Answers);
        assert_eq!(Route::parse("#/profile"), Route::Profile);
        assert_eq!(Route::parse("#/verification"), Route::Verification);
        assert_eq!(
            Route::parse("#/appeals/a1-B_2"),
            Route::Appeal("a1-B_2".into())
        );
        assert_eq!(Route::parse("#/appeals"), Route::Appeals);
        assert_eq!(
            Route::parse("#/answers/kb-001"),
            Route::Article("kb-001".into())
        );
        for hash in ["#/regions", "#/regions/", "regions"] {
            assert_eq!(Route::parse(hash), Route::Regions, "{hash:?}");
        }
    }

    #[test]
    fn region_with_code() {
        assert_eq!(Route::parse("#/regions/77"), region("77"));
        assert_eq!(Route::parse("#/regions/77/"), region("77"));
        assert_eq!(Route::parse("#/regions/7"), region("07"));
        assert_eq!(Route::parse("#/regions/01?from=list"), region("01"));
    }

    #[test]
    fn unknown_paths() {
        for hash in [
            "#/nope",
            "#/regions/abc",
            "#/regions/777",
            "#/regions/77/extra",
            "#/Regions",
            "#/answers/a/b",
            "#/appeals/a b",
            "#/appeals/1/2",
            "#WebAppData=query_id%3D1",
        ] {
            assert_eq!(Route::parse(hash), Route::NotFound, "{hash:?}");
        }
    }

    #[test]
    fn href_round_trips() {
        for route in [
            Route::Home,
            Route::Ask,
            Route::Answers,
            Route::Profile,
            Route::Verification,
            Route::Appeal("42".into()),
            Route::Appeals,
            Route::Article("kb-001".into()),
            Route::Regions,
            region("05"),
            region("77"),
            Route::Invite("t0k3n".into()),
        ] {
            assert_eq!(Route::parse(&route.href()), route);
        }
        assert_eq!(Route::NotFound.href(), "#/");
    }

    #[test]
    fn parents() {
        assert_eq!(Route::Home.parent(), None);
        assert_eq!(Route::Profile.parent(), Some(Route::Home));
        assert_eq!(Route::Verification.parent(), Some(Route::Profile));
        assert_eq!(region("77").parent(), Some(Route::Regions));
        assert_eq!(Route::Appeal("1".into()).parent(), Some(Route::Appeals));
        assert_eq!(Route::Article("1".into()).parent(), Some(Route::Answers));
    }

    #[test]
    fn deep_links() {
        assert_eq!(
            Route::from_start_param("appeal-123"),
            Some(Route::Appeal("123".into()))
        );
        assert_eq!(Route::from_start_param("appeal-"), None);
        assert_eq!(Route::from_start_param("appeal-1/2"), None);
        assert_eq!(Route::from_start_param("promo"), None);
    }
}
