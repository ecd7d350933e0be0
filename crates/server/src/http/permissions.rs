//! Which route needs what: the one table every API route is checked against (before its
//! body is read), built on the domain's permission table (`dcms_domain::permits`). A test
//! checks that every operation of the OpenAPI document has a row here and the reverse, and
//! another walks every row as each principal.

use dcms_domain::{Access, Capability, Principal, permits};

/// What a route needs from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Nothing: answers without a session.
    Public,
    /// Any valid session, of any role (one's own account and sessions).
    Session,
    /// Any valid session that may write: not a read-only HQ session.
    SessionWrite,
    /// A capability of the permission table.
    Needs(Capability, Access),
}

impl Rule {
    /// Whether a signed-in principal passes this rule.
    pub fn allows(self, principal: Principal) -> bool {
        match self {
            Rule::Public | Rule::Session => true,
            Rule::SessionWrite => principal != Principal::Hq,
            Rule::Needs(capability, access) => permits(principal, capability, access),
        }
    }
}

use Access::{Read, Write};
use Capability::*;
use Rule::*;

/// Every route: (method, path as routed, rule).
pub const ROUTES: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Public),
    ("GET", "/api/openapi.json", Public),
    ("POST", "/api/v1/auth/login", Public),
    ("POST", "/api/v1/auth/logout", Session),
    ("GET", "/api/v1/auth/me", Session),
    ("GET", "/api/v1/auth/sessions", Session),
    (
        "DELETE",
        "/api/v1/auth/sessions/{session_token_id}",
        Session,
    ),
    ("POST", "/api/v1/auth/password", SessionWrite),
    ("GET", "/api/v1/users", Needs(Users, Read)),
    ("POST", "/api/v1/users", Needs(Users, Write)),
    ("GET", "/api/v1/users/{user_id}", Needs(Users, Read)),
    ("PATCH", "/api/v1/users/{user_id}", Needs(Users, Write)),
    (
        "POST",
        "/api/v1/users/{user_id}/password",
        Needs(Users, Write),
    ),
    (
        "GET",
        "/api/v1/users/{user_id}/sessions",
        Needs(Users, Read),
    ),
    (
        "DELETE",
        "/api/v1/users/{user_id}/sessions/{session_token_id}",
        Needs(Users, Write),
    ),
    ("GET", "/api/v1/audit", Needs(Reports, Read)),
    ("GET", "/api/v1/settings", Needs(Settings, Read)),
    ("PATCH", "/api/v1/settings", Needs(Settings, Write)),
];

/// Every web page: (method, path as routed, rule). The same rules as the API: a page shows
/// what the API would let its viewer read, and its forms do what the API would let them do.
pub const PAGE_ROUTES: &[(&str, &str, Rule)] = &[
    ("GET", "/", Session),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("POST", "/logout", Session),
    ("GET", "/language/{code}", Public),
    ("GET", "/static/{file}", Public),
    ("GET", "/account", Session),
    ("POST", "/account/password", SessionWrite),
    (
        "POST",
        "/account/sessions/{session_token_id}/revoke",
        Session,
    ),
    ("GET", "/users", Needs(Users, Read)),
    ("POST", "/users", Needs(Users, Write)),
    ("GET", "/users/new", Needs(Users, Write)),
    ("GET", "/users/{user_id}", Needs(Users, Read)),
    ("POST", "/users/{user_id}", Needs(Users, Write)),
    ("POST", "/users/{user_id}/password", Needs(Users, Write)),
    (
        "POST",
        "/users/{user_id}/sessions/{session_token_id}/revoke",
        Needs(Users, Write),
    ),
    ("GET", "/settings", Needs(Settings, Read)),
    ("POST", "/settings", Needs(Settings, Write)),
    ("GET", "/patients/register-number", Needs(Patients, Read)),
];

/// Every route of the application, API and pages.
pub fn all_routes() -> impl Iterator<Item = &'static (&'static str, &'static str, Rule)> {
    ROUTES.iter().chain(PAGE_ROUTES.iter())
}

/// The rule of a routed path and method; None for a route missing from the tables (refused).
/// `HEAD` is answered by the `GET` handler, so it has the `GET` rule.
pub fn rule_for(method: &str, path: &str) -> Option<Rule> {
    let method = if method == "HEAD" { "GET" } else { method };
    all_routes()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, rule)| *rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi;

    #[test]
    fn every_documented_operation_has_a_rule_and_every_rule_is_documented() {
        let doc = crate::http::api::ApiDoc::openapi();
        let mut documented = Vec::new();
        for (path, item) in doc.paths.paths.iter() {
            let ops = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (method, present) in ops {
                if present {
                    assert!(
                        rule_for(method, path).is_some(),
                        "{method} {path} is documented but has no permission rule"
                    );
                    documented.push((method, path.clone()));
                }
            }
        }
        for (method, path, _) in ROUTES {
            assert!(
                !crate::http::pages::is_page_path(path),
                "{method} {path} is an API route with a page's path"
            );
            assert!(
                documented.iter().any(|(m, p)| m == method && p == path),
                "{method} {path} has a rule but is not in the OpenAPI document"
            );
        }
    }

    #[test]
    fn page_routes_are_pages() {
        for (method, path, _) in PAGE_ROUTES {
            assert!(
                crate::http::pages::is_page_path(path),
                "{method} {path} is listed as a page"
            );
        }
    }

    #[test]
    fn hq_never_writes_and_patients_only_reach_their_own() {
        // The patient's own pages (the portal, their account) are `Session` rules.
        for (method, path, rule) in all_routes() {
            if *method != "GET" && !matches!(rule, Public | Session) {
                assert!(!rule.allows(Principal::Hq), "HQ may {method} {path}");
            }
            let own_page =
                crate::http::pages::is_page_path(path) && matches!(rule, Session | SessionWrite);
            if !path.starts_with("/api/v1/auth")
                && !path.starts_with("/api/v1/me")
                && !own_page
                && *rule != Public
            {
                assert!(
                    !rule.allows(Principal::Patient),
                    "patient may {method} {path}"
                );
            }
        }
    }
}
