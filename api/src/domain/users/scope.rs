//! The staff user-management scope: which users a caller may see and change. One rule for
//! the whole administration area:
//!
//! - an administrator: everyone;
//! - a regional head: the operators of own regions;
//! - an operator: the teachers of own regions (the verification queue), or, when asking
//!   for operators, the colleagues of own regions (to hand an appeal over).
//!
//! Whether a role may attempt an action at all is the policy table's business
//! ([`crate::auth::policy`]); this module only narrows the rows.

use shared::users::Role;

use crate::auth::Caller;
use crate::error::ApiError;

/// The users a caller may manage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserScope {
    /// Only users of this role (`None`: any role).
    pub role: Option<Role>,
    /// Only users of these regions (`None`: every region).
    pub regions: Option<Vec<String>>,
}

/// The scope of `caller`. `asked` is the role the caller asks about (a list filter); it only
/// matters to an operator, who sees colleagues when asking for operators and teachers
/// otherwise.
#[must_use]
pub fn scope(caller: &Caller, asked: Option<Role>) -> UserScope {
    let own = || Some(caller.regions.clone());
    match caller.role {
        Role::Admin => UserScope {
            role: None,
            regions: None,
        },
        Role::RegionalHead => UserScope {
            role: Some(Role::Operator),
            regions: own(),
        },
        Role::Operator if asked == Some(Role::Operator) => UserScope {
            role: Some(Role::Operator),
            regions: own(),
        },
        Role::Operator => UserScope {
            role: Some(Role::Teacher),
            regions: own(),
        },
        // Other roles manage nobody (the policy table refuses them before this).
        _ => UserScope {
            role: Some(Role::Teacher),
            regions: Some(Vec::new()),
        },
    }
}

impl UserScope {
    /// Whether a user of `role` belongs here. Staff belong to their assigned `regions`,
    /// teachers to their `home` region.
    #[must_use]
    pub fn contains(&self, role: Role, home: Option<&str>, regions: &[String]) -> bool {
        if self.role.is_some_and(|r| r != role) {
            return false;
        }
        let Some(allowed) = &self.regions else {
            return true;
        };
        if role.has_regions() {
            regions.iter().any(|r| allowed.contains(r))
        } else {
            home.is_some_and(|h| allowed.iter().any(|a| a == h))
        }
    }

    /// Whether the caller may give users of this scope the `regions` (all inside own).
    ///
    /// # Errors
    /// 403 `region_out_of_scope` for a region outside the scope.
    pub fn check_regions(&self, regions: &[String]) -> Result<(), ApiError> {
        match &self.regions {
            Some(allowed) if !regions.iter().all(|r| allowed.contains(r)) => {
                Err(ApiError::RegionOutOfScope)
            }
            _ => Ok(()),
        }
    }

    /// Whether the caller may give a user of this scope the `role`.
    ///
    /// # Errors
    /// 403 when the scope is bound to another role.
    pub fn check_role(&self, role: Role) -> Result<(), ApiError> {
        match self.role {
            Some(forced) if forced != role => Err(ApiError::Forbidden),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthMethod;
    use shared::users::VerificationStatus;

    fn caller(role: Role, regions: &[&str]) -> Caller {
        Caller {
            user_id: "me".to_owned(),
            role,
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            home_region: None,
            verification: VerificationStatus::Unverified,
            method: AuthMethod::Dev,
            api_key_id: None,
            key_permissions: None,
            session: None,
        }
    }

    #[test]
    fn heads_manage_operators_of_own_regions_only() {
        let s = scope(&caller(Role::RegionalHead, &["77"]), None);
        assert!(s.contains(Role::Operator, None, &["77".to_owned()]));
        assert!(!s.contains(Role::Operator, None, &["50".to_owned()]));
        assert!(!s.contains(Role::Teacher, Some("77"), &[]));
        assert!(s.check_role(Role::Federal).is_err());
        assert!(s.check_regions(&["50".to_owned()]).is_err());
    }

    #[test]
    fn operators_see_teachers_or_colleagues_of_own_regions() {
        let c = caller(Role::Operator, &["77"]);
        assert!(scope(&c, None).contains(Role::Teacher, Some("77"), &[]));
        assert!(!scope(&c, None).contains(Role::Teacher, Some("50"), &[]));
        assert!(!scope(&c, None).contains(Role::Operator, None, &["77".to_owned()]));
        assert!(scope(&c, Some(Role::Operator)).contains(Role::Operator, None, &["77".to_owned()]));
    }

    #[test]
    fn administrators_manage_everyone() {
        let s = scope(&caller(Role::Admin, &[]), None);
        assert!(s.contains(Role::Federal, None, &[]));
        assert!(s.check_regions(&["01".to_owned()]).is_ok());
    }
}
