//! `GET /`: the start page. Staff see the day and the sections their role opens (the
//! appointment book takes this place with the schedule); a patient sees their portal.

use super::Layout;
use askama::Template;
use axum::response::Response;
use dcms_domain::Role;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    layout: &'a Layout,
    is_patient: bool,
    role: Option<Role>,
}

pub async fn show(layout: Layout) -> Response {
    let role = layout.caller.as_ref().map(|c| c.role);
    layout.render(&HomePage {
        layout: &layout,
        is_patient: role == Some(Role::Patient),
        role,
    })
}
