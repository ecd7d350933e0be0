//! The route tables' tests: every operation has a row, every row is walked.

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
