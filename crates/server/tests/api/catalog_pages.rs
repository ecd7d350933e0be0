//! The "services and prices" page through HTTP, as a browser speaks to it: the catalog by
//! type and number with prices formatted, who reads and who writes, services added and
//! changed through the form (errors beside their fields, a taken number beside the number,
//! nothing written on an error), deactivated and activated again, and moved up and down
//! within their type (checked through the API's order).
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{Session, session};
use dcms_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

/// Creates a service through the API; its id.
async fn create_service(s: &Session, app: &TestApp, body: Value) -> i64 {
    let (status, answer) = s
        .api(app, Method::POST, "/api/v1/services", Some(body))
        .await;
    assert_eq!(status, 201, "{answer}");
    answer["service_id"].as_i64().unwrap()
}

/// Every service (at most 500), in the API's order.
async fn services(s: &Session, app: &TestApp) -> Vec<Value> {
    let (status, list) = s
        .api(app, Method::GET, "/api/v1/services?limit=500", None)
        .await;
    assert_eq!(status, 200, "{list}");
    list["items"].as_array().unwrap().clone()
}

/// The ids and numbers of a type's services, in the API's order.
async fn order(s: &Session, app: &TestApp, service_type: &str) -> Vec<(i64, i64)> {
    let (status, list) = s
        .api(
            app,
            Method::GET,
            &format!("/api/v1/services?type={service_type}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service_id"].as_i64().unwrap(),
                s["display_number"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// A complete, valid form.
fn form<'a>(service_type: &'a str, number: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("service_type", service_type),
        ("display_number", number),
        ("doctor_display_name", name),
        ("patient_display_name", name),
        ("price", "150 000"),
        ("default_duration_time", "45"),
        ("disclaimer", ""),
        ("is_active", "on"),
    ]
}

/// `form` with one field replaced.
fn with<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    name: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    fields.retain(|(k, _)| *k != name);
    fields.push((name, value));
    fields
}

backend_test!(spawn_app -> TestApp, async fn the_catalog_is_listed_by_type_and_number_for_everyone_who_reads_it(app) {
    let manager = session(&app, "manager1", Role::Manager, "en").await;
    let long = "Эмчилгээний дараа 2 цаг хооллохгүй. Хөнгөн өвдөлт 1-2 хоног үргэлжилж болно; өвдөлт намдахгүй бол эмчдээ хандана уу.";
    let braces = create_service(&manager, &app, json!({"service_type": "ORTHO", "display_number": 2, "doctor_display_name": "Брекет зүүх (металл)", "patient_display_name": "Брекет", "price": 1_500_000, "default_duration_time": 90})).await;
    let consult = create_service(&manager, &app, json!({"service_type": "ORTHO", "display_number": 1, "doctor_display_name": "Гажиг заслын зөвлөгөө", "patient_display_name": "Зөвлөгөө", "price": 20_000, "disclaimer": "Зураг авалт орно."})).await;
    let child = create_service(&manager, &app, json!({"service_type": "CHILD", "display_number": 1, "doctor_display_name": "Хүүхдийн үзлэг", "patient_display_name": "Үзлэг", "price": 15_000, "default_duration_time": 20, "disclaimer": long, "is_active": false})).await;

    let desk = session(&app, "desk", Role::Receptionist, "en").await;
    let page = desk.get(&app, "/services").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("<title>Services and prices"), "{}", page.body);
    assert!(page.has("href=\"/services\" aria-current=\"page\""), "the navigation names the page");
    // One table per type, types in order, services by number.
    assert!(page.at("data-service-type=\"CHILD\"") < page.at("data-service-type=\"ORTHO\""));
    assert!(page.at("data-service-type=\"ORTHO\"") < page.at(&format!("id=\"service-{consult}\"")));
    assert!(page.at(&format!("id=\"service-{consult}\"")) < page.at(&format!("id=\"service-{braces}\"")));
    assert_eq!(page.body.matches("<table class=\"services-table\"").count(), 2);
    for shown in ["1 500 000 ₮", "20 000 ₮", "15 000 ₮", "90 min", "30 min", "20 min", "Брекет зүүх (металл)", "Зөвлөгөө", "Зураг авалт орно."] {
        assert!(page.has(shown), "{shown}: {}", page.body);
    }
    // The inactive one is marked; its long disclaimer folds out.
    assert!(page.has(&format!("id=\"service-{child}\" data-service-id=\"{child}\" class=\"inactive\"")), "{}", page.body);
    assert!(page.has("<span class=\"badge muted\">Inactive</span>") && page.has("<span class=\"badge\">Active</span>"));
    assert!(page.has("<details class=\"disclaimer\"><summary>Эмчилгээний дараа 2 цаг"), "{}", page.body);
    assert!(page.has(long), "the whole disclaimer is there");

    // Reading only: no form, no edit links, no move buttons, and every write is 403.
    for control in ["id=\"service-form\"", "edit-service", "class=\"move-up\"", "class=\"move-down\""] {
        assert!(!page.has(control), "{control} shown to a receptionist");
    }
    assert!(!desk.get(&app, &format!("/services?edit={consult}")).await.has("id=\"service-form\""));
    let fields = form("ORTHO", "3", "Шинэ");
    assert_eq!(desk.post(&app, "/services", &fields).await.status, 403);
    assert_eq!(desk.post(&app, &format!("/services/{consult}"), &form("ORTHO", "1", "Өөр")).await.status, 403);
    assert_eq!(desk.post(&app, &format!("/services/{braces}/move"), &[("direction", "up")]).await.status, 403);
    assert_eq!(order(&desk, &app, "ORTHO").await, [(consult, 1), (braces, 2)], "nothing changed");
    assert_eq!(services(&manager, &app).await.len(), 3);

    // Doctors read it too, in Mongolian by default; patients do not.
    let doctor = session(&app, "dr.bold", Role::Doctor, "mn").await;
    let mn = doctor.get(&app, "/services").await;
    assert_eq!(mn.status, 200);
    assert!(mn.has("Үйлчилгээ ба үнэ") && mn.has("90 мин") && mn.has("Идэвхгүй"), "{}", mn.body);
    let patient = session(&app, "patient1", Role::Patient, "en").await;
    assert_eq!(patient.get(&app, "/services").await.status, 403);

    // The filter.
    let inactive = desk.get(&app, "/services?active=false").await;
    assert!(inactive.has(&format!("id=\"service-{child}\"")) && !inactive.has(&format!("id=\"service-{consult}\"")));
    let active = desk.get(&app, "/services?active=true").await;
    assert!(!active.has(&format!("id=\"service-{child}\"")) && active.has(&format!("id=\"service-{braces}\"")));
    assert_eq!(desk.get(&app, "/services?active=maybe").await.status, 400);
});

/// The text of the element with `id`, to its closing tag.
fn part_of<'a>(page: &'a crate::page_session::Answer, id: &str) -> &'a str {
    let start = page.at(&format!("id=\"{id}\""));
    let rest = &page.body[start..];
    &rest[..rest.find("</").unwrap_or(rest.len())]
}

backend_test!(spawn_app -> TestApp, async fn services_are_added_through_the_form(app) {
    let s = session(&app, "manager1", Role::Manager, "en").await;
    let empty = s.get(&app, "/services").await;
    assert_eq!(empty.status, 200);
    assert!(empty.has("id=\"no-services\"") && empty.has("action=\"/services\""), "{}", empty.body);
    // The type's hint speaks in the clinic's words: none yet, so no made-up examples.
    let hint = part_of(&empty, "service_type-hint");
    assert!(hint.contains("the kind of treatment") && !hint.contains("ORTHO"), "{hint}");

    // Everything empty: each required field says so, what was typed is kept.
    let blank = s.post(&app, "/services", &[("service_type", ""), ("display_number", ""), ("doctor_display_name", ""), ("patient_display_name", ""), ("price", ""), ("disclaimer", "keeps <this>")]).await;
    assert_eq!(blank.status, 422, "{}", blank.body);
    for id in ["service_type-error", "display_number-error", "doctor_display_name-error", "patient_display_name-error", "price-error"] {
        assert!(blank.has(&format!("id=\"{id}\"")), "{id}: {}", blank.body);
    }
    assert!(blank.has("keeps &#60;this&#62;") || blank.has("keeps &lt;this&gt;"), "{}", blank.body);

    let fields = form("ORTHO", "1", "Брекет");
    // A price that is not an amount of tugrik: beside the price, not a 400 or a 500.
    for bad in ["12abc", "150.5", "1 50 000", "₮"] {
        let refused = s.post(&app, "/services", &with(fields.clone(), "price", bad)).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.body);
        assert!(refused.has("id=\"price-error\""), "{bad}: {}", refused.body);
        assert!(refused.has(&format!("value=\"{bad}\"")), "{bad} kept");
        assert!(refused.has("value=\"Брекет\""), "the rest kept");
    }
    let words = s.post(&app, "/services", &with(fields.clone(), "price", "a lot")).await;
    assert!(words.has("Write the price in whole tugrik, for example 150 000."), "{}", words.body);
    let negative = s.post(&app, "/services", &with(fields.clone(), "price", "-100")).await;
    assert_eq!(negative.status, 422);
    assert!(negative.has("id=\"price-error\"") && negative.has("A whole number of tugrik from 0 to"), "{}", negative.body);
    for bad in ["-5", "0", "1441", "half an hour"] {
        let refused = s.post(&app, "/services", &with(fields.clone(), "default_duration_time", bad)).await;
        assert_eq!(refused.status, 422, "{bad}");
        assert!(refused.has("id=\"default_duration_time-error\"") && refused.has("A whole number of minutes from 1 to 1440."), "{bad}: {}", refused.body);
    }
    let number = s.post(&app, "/services", &with(fields.clone(), "display_number", "first")).await;
    assert_eq!(number.status, 422);
    assert!(number.has("id=\"display_number-error\"") && number.has("A whole number from 1 to 10000."), "{}", number.body);
    assert!(services(&s, &app).await.is_empty(), "nothing created");

    // A good form: back to the list at the new row, the price read with its spaces.
    let created = s.post(&app, "/services", &fields).await;
    let list = services(&s, &app).await;
    assert_eq!(list.len(), 1);
    let id = list[0]["service_id"].as_i64().unwrap();
    assert_eq!(created.location(), format!("/services#service-{id}"));
    assert_eq!((list[0]["price"].as_i64(), list[0]["default_duration_time"].as_i64(), list[0]["is_active"].as_bool()), (Some(150_000), Some(45), Some(true)));
    assert_eq!(list[0]["disclaimer"], Value::Null, "an empty disclaimer is none");
    let page = s.get(&app, "/services").await;
    assert!(page.has(&format!("id=\"service-{id}\"")) && page.has("150 000 ₮") && page.has("45 min"), "{}", page.body);
    assert!(page.has(&format!("href=\"/services?edit={id}#service-form\"")));
    assert!(page.has("<option value=\"ORTHO\">"), "the types are suggested");
    let hint = part_of(&page, "service_type-hint");
    assert!(hint.contains("(e.g. ORTHO)"), "the clinic's own type as the example: {hint}");

    // The same number in the same type: 409 beside the number; another type is fine.
    let taken = s.post(&app, "/services", &with(form("ORTHO", "1", "Өөр"), "price", "10 000")).await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert!(taken.has("id=\"display_number-error\"") && taken.has("This type already has a service with this number."), "{}", taken.body);
    assert!(taken.has("value=\"Өөр\"") && taken.has("value=\"10 000\""), "what was typed is kept");
    let other_type = s.post(&app, "/services", &with(form("CHILD", "1", "Хүүхэд"), "default_duration_time", "")).await;
    assert_eq!(other_type.status, 303);
    let list = services(&s, &app).await;
    assert_eq!(list.len(), 2);
    let child = list.iter().find(|s| s["service_type"] == "CHILD").unwrap();
    assert_eq!(child["default_duration_time"], 30, "an empty duration is the default");
});

backend_test!(spawn_app -> TestApp, async fn services_are_changed_deactivated_and_activated_again(app) {
    let s = session(&app, "manager1", Role::Manager, "en").await;
    let id = create_service(&s, &app, json!({"service_type": "ORTHO", "display_number": 1, "doctor_display_name": "Брекет", "patient_display_name": "Брекет", "price": 1_250_000, "disclaimer": "Сар бүр үзүүлнэ."})).await;
    let other = create_service(&s, &app, json!({"service_type": "ORTHO", "display_number": 2, "doctor_display_name": "Хэлбэржүүлэгч", "patient_display_name": "Хэлбэржүүлэгч", "price": 300_000})).await;

    let edit = s.get(&app, &format!("/services?edit={id}")).await;
    assert_eq!(edit.status, 200);
    assert!(edit.has(&format!("action=\"/services/{id}\"")) && edit.has("value=\"1 250 000\"") && edit.has("Сар бүр үзүүлнэ.</textarea>"), "{}", edit.body);
    assert!(edit.has("id=\"is_active\" name=\"is_active\" checked"));
    assert!(edit.has(&format!("id=\"service-{id}\" data-service-id=\"{id}\" aria-current=\"true\"")), "{}", edit.body);
    assert_eq!(s.get(&app, "/services?edit=999999").await.status, 404);

    // Unticking "active" deactivates it; an empty disclaimer clears it.
    let changed = s.post(&app, &format!("/services/{id}"), &[("service_type", "ORTHO"), ("display_number", "1"), ("doctor_display_name", "Брекет (металл)"), ("patient_display_name", "Брекет"), ("price", "1 300 000"), ("default_duration_time", "60"), ("disclaimer", "")]).await;
    assert_eq!(changed.location(), format!("/services#service-{id}"));
    let (_, service) = s.api(&app, Method::GET, &format!("/api/v1/services/{id}"), None).await;
    assert_eq!((service["price"].as_i64(), service["default_duration_time"].as_i64(), service["is_active"].as_bool()), (Some(1_300_000), Some(60), Some(false)));
    assert_eq!(service["doctor_display_name"], "Брекет (металл)");
    assert_eq!(service["disclaimer"], Value::Null);
    let page = s.get(&app, "/services").await;
    assert!(page.has(&format!("id=\"service-{id}\" data-service-id=\"{id}\" class=\"inactive\"")) && page.has("Inactive"), "{}", page.body);
    assert!(!s.get(&app, &format!("/services?edit={id}")).await.has("id=\"is_active\" name=\"is_active\" checked"));

    // Ticking it again activates it.
    let fields = form("ORTHO", "1", "Брекет");
    assert_eq!(s.post(&app, &format!("/services/{id}"), &fields).await.location(), format!("/services#service-{id}"));
    let (_, service) = s.api(&app, Method::GET, &format!("/api/v1/services/{id}"), None).await;
    assert_eq!((service["is_active"].as_bool(), service["price"].as_i64()), (Some(true), Some(150_000)));

    // Errors come back on the edit form; nothing is written.
    let taken = s.post(&app, &format!("/services/{id}"), &with(fields.clone(), "display_number", "2")).await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert!(taken.has("id=\"display_number-error\"") && taken.has(&format!("action=\"/services/{id}\"")), "{}", taken.body);
    let bad = s.post(&app, &format!("/services/{id}"), &with(with(fields.clone(), "price", "-1"), "doctor_display_name", " ")).await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("id=\"price-error\"") && bad.has("id=\"doctor_display_name-error\"") && bad.has(&format!("action=\"/services/{id}\"")), "{}", bad.body);
    let no_price = s.post(&app, &format!("/services/{id}"), &with(fields.clone(), "price", "")).await;
    assert_eq!(no_price.status, 422, "an empty price is not \"leave it\"");
    assert!(no_price.has("id=\"price-error\"") && no_price.has("Required."), "{}", no_price.body);
    let not_a_price = s.post(&app, &format!("/services/{id}"), &with(fields.clone(), "price", "cheap")).await;
    assert_eq!(not_a_price.status, 422);
    assert!(not_a_price.has("id=\"price-error\""));
    assert_eq!(order(&s, &app, "ORTHO").await, [(id, 1), (other, 2)]);
    let (_, service) = s.api(&app, Method::GET, &format!("/api/v1/services/{id}"), None).await;
    assert_eq!(service["price"], 150_000, "unchanged");

    assert_eq!(s.post(&app, "/services/999999", &fields).await.status, 404);
    assert_eq!(s.post(&app, "/services/999999", &with(fields.clone(), "price", "x")).await.status, 404);
    assert_eq!(s.post(&app, "/services/abc", &fields).await.status, 400);
    let delete = s.client.delete(app.url(&format!("/services/{id}"))).header("cookie", &s.cookie).send().await.unwrap();
    assert_eq!(delete.status(), 405, "services are never deleted");
});

backend_test!(spawn_app -> TestApp, async fn services_move_up_and_down_within_their_type(app) {
    let s = session(&app, "manager1", Role::Manager, "en").await;
    let service = |service_type: &'static str, number: i64, name: &'static str| {
        json!({"service_type": service_type, "display_number": number, "doctor_display_name": name, "patient_display_name": name, "price": 10_000})
    };
    let a = create_service(&s, &app, service("ORTHO", 1, "A")).await;
    let b = create_service(&s, &app, service("ORTHO", 2, "B")).await;
    let c = create_service(&s, &app, service("ORTHO", 3, "C")).await;
    let x = create_service(&s, &app, service("CHILD", 1, "X")).await;

    // No "up" on the first of a type, no "down" on the last; the buttons name their service.
    let page = s.get(&app, "/services").await;
    let button = |id: i64, direction: &str| format!("action=\"/services/{id}/move\" class=\"move-{direction}\"");
    assert!(!page.has(&button(a, "up")) && page.has(&button(a, "down")), "{}", page.body);
    assert!(page.has(&button(b, "up")) && page.has(&button(b, "down")));
    assert!(page.has(&button(c, "up")) && !page.has(&button(c, "down")));
    assert!(!page.has(&button(x, "up")) && !page.has(&button(x, "down")), "alone in its type");
    assert!(page.has("Up<span class=\"visually-hidden\">: C</span>"), "{}", page.body);
    assert!(!s.get(&app, "/services?active=true").await.has("class=\"move-up\""), "no moves on a filtered list");

    let moved = s.post(&app, &format!("/services/{c}/move"), &[("direction", "up")]).await;
    assert_eq!(moved.location(), format!("/services#service-{c}"));
    assert_eq!(order(&s, &app, "ORTHO").await, [(a, 1), (c, 2), (b, 3)]);
    // The first up and the last down change nothing.
    assert_eq!(s.post(&app, &format!("/services/{a}/move"), &[("direction", "up")]).await.location(), format!("/services#service-{a}"));
    assert_eq!(s.post(&app, &format!("/services/{b}/move"), &[("direction", "down")]).await.location(), format!("/services#service-{b}"));
    assert_eq!(s.post(&app, &format!("/services/{x}/move"), &[("direction", "down")]).await.status, 303);
    assert_eq!(order(&s, &app, "ORTHO").await, [(a, 1), (c, 2), (b, 3)]);
    assert_eq!(order(&s, &app, "CHILD").await, [(x, 1)]);
    let down = s.post(&app, &format!("/services/{a}/move"), &[("direction", "down")]).await;
    assert_eq!(down.location(), format!("/services#service-{a}"));
    assert_eq!(order(&s, &app, "ORTHO").await, [(c, 1), (a, 2), (b, 3)]);
    assert_eq!(order(&s, &app, "CHILD").await, [(x, 1)], "other types untouched");

    // A move renumbers the type without gaps; an inactive service moves too.
    let d = create_service(&s, &app, json!({"service_type": "ORTHO", "display_number": 10, "doctor_display_name": "D", "patient_display_name": "D", "price": 0, "is_active": false})).await;
    assert_eq!(s.post(&app, &format!("/services/{d}/move"), &[("direction", "up")]).await.status, 303);
    assert_eq!(order(&s, &app, "ORTHO").await, [(c, 1), (a, 2), (d, 3), (b, 4)]);
    let page = s.get(&app, "/services").await;
    assert!(page.at(&format!("id=\"service-{a}\"")) < page.at(&format!("id=\"service-{d}\"")));
    assert!(page.at(&format!("id=\"service-{d}\"")) < page.at(&format!("id=\"service-{b}\"")));

    // A malformed move is a clear error; an unknown service is 404; nothing changes.
    assert_eq!(s.post(&app, &format!("/services/{a}/move"), &[("direction", "sideways")]).await.status, 400);
    assert_eq!(s.post(&app, &format!("/services/{a}/move"), &[]).await.status, 400);
    assert_eq!(s.post(&app, "/services/999999/move", &[("direction", "up")]).await.status, 404);
    assert_eq!(order(&s, &app, "ORTHO").await, [(c, 1), (a, 2), (d, 3), (b, 4)]);
});
