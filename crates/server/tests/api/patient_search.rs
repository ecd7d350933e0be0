//! Patient search through HTTP, as the front desk types (docs/patients.md, "Search and lists"):
//! every form of a query (a register number or its start, a phone number, its last or first
//! digits, one or two name words in either order, Ө/О and Ү/У typed for each other), their
//! ranks, each patient once at their best rank, keyset pages across ranks, `%`, `_` and `\`
//! literal, cursors of another query refused, the search keys kept on every write, and the
//! pages' search. The query plans are `search_plans.rs`.
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::signed_in;
use crate::patients::{all_pages, new_patient, register, registered, search_names, urlencode};
use dcms_domain::{
    Role, SearchForm, SearchShape, SearchedPatient, fold_name_key, name_key, reversed_digits,
};
use dcms_store::entity::{patient, patient_phone};
use dcms_store::sea_orm::{ConnectionTrait, EntityTrait};
use reqwest::Method;
use serde_json::{Value, json};

/// Registers a patient with these phones (the first primary) and returns their id.
async fn patient_with(
    app: &TestApp,
    token: &str,
    rn: &str,
    last: &str,
    first: &str,
    phones: &[&str],
) -> i64 {
    let phones: Vec<Value> = phones
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"number": n, "is_primary": i == 0}))
        .collect();
    let p = registered(
        app,
        token,
        json!({
            "register_number": rn, "first_name": first, "last_name": last, "phones": phones,
        }),
    )
    .await;
    p["patient_id"].as_i64().unwrap()
}

/// Every stored row's search keys agree with its name keys and numbers.
pub(crate) async fn assert_search_keys_kept(db: &impl ConnectionTrait) {
    for p in patient::Entity::find().all(db).await.unwrap() {
        assert_eq!(
            p.last_name_key,
            name_key(&p.last_name),
            "patient {}",
            p.patient_id
        );
        assert_eq!(
            p.first_name_key,
            name_key(&p.first_name),
            "patient {}",
            p.patient_id
        );
        assert_eq!(
            p.last_name_fold,
            fold_name_key(&p.last_name_key),
            "patient {}",
            p.patient_id
        );
        assert_eq!(
            p.first_name_fold,
            fold_name_key(&p.first_name_key),
            "patient {}",
            p.patient_id
        );
    }
    for f in patient_phone::Entity::find().all(db).await.unwrap() {
        assert_eq!(
            f.phone_number_rev,
            reversed_digits(&f.phone_number_val),
            "phone {}",
            f.phone_number_id
        );
    }
}

backend_test!(spawn_app -> TestApp, async fn name_search_cyrillic_latin_and_ranks(app) {
    let token = app.login("desk", Role::Receptionist).await;
    let people = [
        ("Бат", "Өлзий"),
        ("Болд", "Бат-Эрдэнэ"),
        ("Үүрцай", "Батаа"),
        ("Anna", "Smith"),
        ("Өнөр", "Батбаяр"),
        ("Дорж", "Үнэн"),
        ("Батзаяа", "Ган"),
    ];
    for (i, (first, last)) in people.iter().enumerate() {
        let i = i as u32;
        registered(&app, &token, new_patient(&rn(i), first, last, &format!("991100{i:02}"), &format!("881100{i:02}"))).await;
    }
    // Rank 0: the last name starts with it (by last, first name key); rank 1: the first name
    // only.
    assert_eq!(
        search_names(&app, &token, "бат").await,
        ["Бат-Эрдэнэ Болд", "Батаа Үүрцай", "Батбаяр Өнөр", "Ган Батзаяа", "Өлзий Бат"]
    );
    assert_eq!(search_names(&app, &token, "БАТБ").await, ["Батбаяр Өнөр"]);
    // Є is Ө and Ї is Ү, in any case.
    assert_eq!(search_names(&app, &token, "єлз").await, ["Өлзий Бат"]);
    assert_eq!(search_names(&app, &token, " ӨЛЗИЙ ").await, ["Өлзий Бат"]);
    assert_eq!(search_names(&app, &token, "ЄНӨ").await, ["Батбаяр Өнөр"]);
    assert_eq!(search_names(&app, &token, "їїр").await, ["Батаа Үүрцай"]);
    assert_eq!(search_names(&app, &token, "Ү").await, ["Үнэн Дорж", "Батаа Үүрцай"]);
    // Typed without the Mongolian letters (У for Ү, О for Ө): found on the folded keys.
    assert_eq!(search_names(&app, &token, "уур").await, ["Батаа Үүрцай"]);
    assert_eq!(search_names(&app, &token, "олз").await, ["Өлзий Бат"]);
    // Latin.
    assert_eq!(search_names(&app, &token, "SMI").await, ["Smith Anna"]);
    assert_eq!(search_names(&app, &token, "ann").await, ["Smith Anna"]);
    assert!(search_names(&app, &token, "mith").await.is_empty(), "a prefix, not a substring");
    // HQ reads.
    let hq = app.login_with("head", Role::Manager, "hq").await;
    assert_eq!(search_names(&app, &hq, "smith").await, ["Smith Anna"]);
    let (status, _) = register(&app, &hq, new_patient(&rn(100), "A", "B", "99998877", "99998866")).await;
    assert_eq!(status, 403, "HQ never writes");
});

backend_test!(spawn_app -> TestApp, async fn percent_underscore_and_backslash_are_literal(app) {
    let token = app.login("desk", Role::Receptionist).await;
    for (i, last) in ["A%b", "A_c", "A\\d", "Abc", "Axc", "%z"].iter().enumerate() {
        let i = i as u32;
        registered(&app, &token, new_patient(&rn(i), "Name", last, &format!("991100{i:02}"), &format!("881100{i:02}"))).await;
    }
    assert_eq!(search_names(&app, &token, "a%").await, ["A%b Name"]);
    assert_eq!(search_names(&app, &token, "a_").await, ["A_c Name"]);
    assert_eq!(search_names(&app, &token, "a\\").await, ["A\\d Name"]);
    assert_eq!(search_names(&app, &token, "%").await, ["%z Name"]);
    assert!(search_names(&app, &token, "_").await.is_empty());
    assert!(search_names(&app, &token, "\\").await.is_empty());
    // In two words too: `A%b Name` is `a%` and `n`, not `a` and anything.
    assert_eq!(search_names(&app, &token, "a% n").await, ["A%b Name"]);
    assert_eq!(search_names(&app, &token, "name a_").await, ["A_c Name"]);
    assert!(search_names(&app, &token, "a_ x").await.is_empty());
    assert_eq!(search_names(&app, &token, "a").await.len(), 5);
});

backend_test!(spawn_app -> TestApp, async fn phone_and_register_number_searches(app) {
    let token = app.login("desk", Role::Receptionist).await;
    let a = registered(&app, &token, json!({
        "register_number": "УБ85031512", "first_name": "Болд", "last_name": "Бат",
        "phones": [
            {"number": "99112233", "is_primary": true},
            {"number": "99115566"},
            {"number": "+7 912 345 67 89"},
        ],
    })).await;
    registered(&app, &token, new_patient("АР92112748", "Сараа", "Дорж", "88112233", "99001122")).await;
    // A shared family number.
    registered(&app, &token, new_patient(&rn(50), "Ану", "Ган", "95001122", "99112233")).await;

    // Exactly a register number (normalised), nothing else.
    assert_eq!(search_names(&app, &token, "уб 85031512").await, ["Бат Болд"]);
    assert_eq!(search_names(&app, &token, "АР92112748").await, ["Дорж Сараа"]);
    assert!(search_names(&app, &token, "АР92112749").await.is_empty());
    // Exactly a phone number, however written.
    assert_eq!(search_names(&app, &token, "+976 9911-2233").await, ["Бат Болд", "Ган Ану"]);
    assert_eq!(search_names(&app, &token, "88112233").await, ["Дорж Сараа"]);
    assert_eq!(search_names(&app, &token, "+7 (912) 345-67-89").await, ["Бат Болд"]);
    assert!(search_names(&app, &token, "99112234").await.is_empty());
    // 4 to 7 digits: the start of a number; a patient with two matching numbers once.
    assert_eq!(search_names(&app, &token, "9911").await, ["Бат Болд", "Ган Ану"]);
    assert_eq!(search_names(&app, &token, "99-11-5").await, ["Бат Болд"]);
    assert_eq!(search_names(&app, &token, "990011").await, ["Дорж Сараа"]);
    assert_eq!(search_names(&app, &token, "8811223").await, ["Дорж Сараа"]);
    // ... or the end of one (the last four digits), never the middle.
    assert_eq!(search_names(&app, &token, "1122").await, ["Ган Ану", "Дорж Сараа"]);
    assert!(search_names(&app, &token, "1223").await.is_empty(), "neither end of a number");
    // Each item is a whole patient (the alerts come on the answers about one patient only).
    let (_, page) = app.call(Method::GET, "/api/v1/patients?q=%D1%83%D0%B185031512", &token, None).await;
    let mut whole = a.clone();
    whole.as_object_mut().unwrap().remove("alerts");
    assert_eq!(page["items"][0], whole);
    assert_eq!(page["next_cursor"], Value::Null);
});

backend_test!(spawn_app -> TestApp, async fn keyset_pages_cover_everything_once(app) {
    let token = app.login("desk", Role::Receptionist).await;
    // 9 last names starting with "бат" (two equal, so the first name and then the id decide),
    // and 4 first names only.
    let people = [
        ("Болд", "Бат"), ("Анар", "Бат"), ("Анар", "Бат"), ("Сүх", "Батаа"), ("Ану", "Батбаяр"),
        ("Нар", "Батсүх"), ("Ганаа", "Батцэцэг"), ("Оюу", "Батжаргал"), ("Тэмүүлэн", "Бат-Очир"),
        ("Батболд", "Ган"), ("Батзаяа", "Дорж"), ("Батсайхан", "Ану"), ("Бат", "Өлзий"),
        ("Сараа", "Дорж"), ("Нараа", "Ганбат"),
    ];
    for (i, (first, last)) in people.iter().enumerate() {
        let i = i as u32;
        registered(&app, &token, new_patient(&rn(i), first, last, &format!("991100{i:02}"), &format!("881100{i:02}"))).await;
    }
    let everything: Vec<String> = search_names(&app, &token, "бат").await;
    assert_eq!(everything.len(), 13);
    assert_eq!(&everything[..3], ["Бат Анар", "Бат Анар", "Бат Болд"]);
    assert_eq!(&everything[9..], ["Ану Батсайхан", "Ган Батболд", "Дорж Батзаяа", "Өлзий Бат"]);
    for limit in [1, 2, 3, 5, 9, 13, 20] {
        let pages = all_pages(&app, &token, "бат", limit).await;
        let ids: Vec<i64> = pages.iter().flatten().map(|p| p["patient_id"].as_i64().unwrap()).collect();
        let names: Vec<String> = pages.iter().flatten()
            .map(|p| format!("{} {}", p["last_name"].as_str().unwrap(), p["first_name"].as_str().unwrap()))
            .collect();
        assert_eq!(names, everything, "limit {limit}");
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "limit {limit}: no patient twice");
        assert!(pages.iter().all(|p| !p.is_empty()), "limit {limit}: no empty page");
    }
    // Without a query: everyone, newest first, page by page.
    let pages = all_pages(&app, &token, "", 4).await;
    assert_eq!(pages.len(), 4);
    let ids: Vec<i64> = pages.iter().flatten().map(|p| p["patient_id"].as_i64().unwrap()).collect();
    let mut newest_first = ids.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, newest_first);
    assert_eq!(ids.len(), people.len());
    // Bad cursors.
    let (status, _) = app.call(Method::GET, "/api/v1/patients?cursor=garbage", &token, None).await;
    assert_eq!(status, 400);
    let (_, page) = app.call(Method::GET, "/api/v1/patients?q=%D0%B1%D0%B0%D1%82&limit=1", &token, None).await;
    let name_cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (status, _) = app.call(Method::GET, &format!("/api/v1/patients?cursor={name_cursor}"), &token, None).await;
    assert_eq!(status, 422, "a name cursor on the newest-first list");
    let (status, page) = app.call(Method::GET, "/api/v1/patients?limit=100000", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), people.len());
});

backend_test!(spawn_app -> TestApp, async fn every_form_of_a_query_in_rank_order(app) {
    let token = app.login("desk", Role::Receptionist).await;
    patient_with(&app, &token, "УБ85031512", "Бат-Эрдэнэ", "Сувд", &["99112233", "132 123 4567", "+7 912 345 67 89"]).await;
    patient_with(&app, &token, "УБ85031623", "Бат", "Болд", &["88442233", "99118800"]).await;
    patient_with(&app, &token, "УБ85041534", "Дорж", "Сараа", &["95552233", "21234567"]).await;
    patient_with(&app, &token, "АР92112748", "Ган", "Ану", &["99112233", "77001122"]).await;
    patient_with(&app, &token, "УБ90010145", "Сувд", "Бат", &["90001111", "90002222"]).await;
    let found = |q: &'static str| {
        let (app, token) = (&app, &token);
        async move { search_names(app, token, q).await }
    };

    // The register number exactly, however typed; its start (two letters and at least two
    // digits), in register number order.
    assert_eq!(found("уб 85031512").await, ["Бат-Эрдэнэ Сувд"]);
    assert_eq!(found("УБ8503").await, ["Бат-Эрдэнэ Сувд", "Бат Болд"]);
    assert_eq!(found("уб85").await, ["Бат-Эрдэнэ Сувд", "Бат Болд", "Дорж Сараа"]);
    assert_eq!(found("ар 9211").await, ["Ган Ану"]);
    assert!(found("УБ8").await.is_empty(), "one digit is not the start of a number");

    // A phone number exactly (a shared family number finds both), then the numbers it ends:
    // 21234567 is Сараа's number and the last eight digits of Сувд's landline.
    assert_eq!(found("9911 2233").await, ["Бат-Эрдэнэ Сувд", "Ган Ану"]);
    assert_eq!(found("21234567").await, ["Дорж Сараа", "Бат-Эрдэнэ Сувд"]);
    assert_eq!(found("+7 912 345-67-89").await, ["Бат-Эрдэнэ Сувд"]);
    // The last four digits (of any number: a mobile, a landline, a foreign one), or the first.
    assert_eq!(found("2233").await, ["Бат Болд", "Бат-Эрдэнэ Сувд", "Ган Ану", "Дорж Сараа"]);
    assert_eq!(found("4567").await, ["Бат-Эрдэнэ Сувд", "Дорж Сараа"], "a landline and a mobile");
    assert_eq!(found("67-89").await, ["Бат-Эрдэнэ Сувд"]);
    assert_eq!(found("1122").await, ["Ган Ану"], "Сувд's 99112233 has 1122 in the middle only");
    assert_eq!(found("9911").await, ["Бат Болд", "Бат-Эрдэнэ Сувд", "Ган Ану"]);
    assert_eq!(found("9911880").await, ["Бат Болд"]);
    assert_eq!(found("55 2233").await, ["Дорж Сараа"], "six last digits");
    assert!(found("991").await.is_empty(), "three digits are a name");

    // Names: the last name, then the first; two words each starting one of the names, as
    // written first, then the other way round.
    assert_eq!(found("бат").await, ["Бат Болд", "Бат-Эрдэнэ Сувд", "Сувд Бат"]);
    assert_eq!(found("Бат-Эрдэнэ Сувд").await, ["Бат-Эрдэнэ Сувд"], "the full name as shown");
    assert_eq!(found("Сувд Бат").await, ["Сувд Бат", "Бат-Эрдэнэ Сувд"]);
    assert_eq!(found("бат сувд").await, ["Бат-Эрдэнэ Сувд", "Сувд Бат"]);
    assert_eq!(found("сув  бат-э").await, ["Бат-Эрдэнэ Сувд"]);
    assert_eq!(found("Бат Болд").await, ["Бат Болд"]);
    assert_eq!(found("  БОЛД   бат ").await, ["Бат Болд"]);
    assert!(found("бат дорж").await.is_empty());
    assert!(found("бат болд сувд").await.is_empty(), "three words are one prefix");

    // The items are whole patients, in the list's shape.
    let (status, page) = app.call(Method::GET, &format!("/api/v1/patients?q={}", urlencode("сувд бат")), &token, None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"][1]["phones"].as_array().unwrap().len(), 3);
    assert_eq!(page["next_cursor"], Value::Null);
});

backend_test!(spawn_app -> TestApp, async fn o_and_u_typed_for_their_mongolian_letters(app) {
    let token = app.login("desk", Role::Receptionist).await;
    patient_with(&app, &token, "УБ85031512", "Өлзий", "Үүрцай", &["99110001", "88110001"]).await;
    patient_with(&app, &token, "УБ85031623", "Олзий", "Уянга", &["99110002", "88110002"]).await;
    patient_with(&app, &token, "УБ85041534", "Өнөр", "Болд", &["99110003", "88110003"]).await;
    let found = |q: &'static str| {
        let (app, token) = (&app, &token);
        async move { search_names(app, token, q).await }
    };
    // As typed first, then with Ө/О and Ү/У folded.
    assert_eq!(found("олзий").await, ["Олзий Уянга", "Өлзий Үүрцай"]);
    assert_eq!(found("өлзий").await, ["Өлзий Үүрцай", "Олзий Уянга"]);
    assert_eq!(found("ОЛЗ").await, ["Олзий Уянга", "Өлзий Үүрцай"]);
    assert_eq!(found("у").await, ["Олзий Уянга", "Өлзий Үүрцай"], "the first names");
    assert_eq!(found("уу").await, ["Өлзий Үүрцай"]);
    assert_eq!(found("онор").await, ["Өнөр Болд"]);
    // Two words, folded, either order.
    assert_eq!(found("онор болд").await, ["Өнөр Болд"]);
    assert_eq!(found("болд онор").await, ["Өнөр Болд"]);
    assert_eq!(found("олзий уурцай").await, ["Өлзий Үүрцай"]);
    assert_eq!(found("уянга өлзий").await, ["Олзий Уянга"]);
    // Once, at the best rank: Болд is found by the first name and again folded.
    assert_eq!(found("бол").await, ["Өнөр Болд"]);
    // Є and Ї are Ө and Ү before anything else.
    assert_eq!(found("єлзий").await, ["Өлзий Үүрцай", "Олзий Уянга"]);
    // A page at a time across the ranks.
    for limit in [1, 2] {
        let pages = all_pages(&app, &token, "олз", limit).await;
        let names: Vec<String> = pages.iter().flatten().map(|p| p["last_name"].as_str().unwrap().to_owned()).collect();
        assert_eq!(names, ["Олзий", "Өлзий"], "limit {limit}");
    }
});

/// What the rule says of `q` for these patients, as the store keeps them: each found patient
/// with their rank.
fn expected(q: &str, patients: &[Value]) -> Vec<(i64, usize)> {
    let Some(shape) = SearchShape::of(q) else {
        return Vec::new();
    };
    patients
        .iter()
        .filter_map(|p| {
            let phones: Vec<&str> = p["phones"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["number"].as_str().unwrap())
                .collect();
            let last = name_key(p["last_name"].as_str().unwrap());
            let first = name_key(p["first_name"].as_str().unwrap());
            let searched = SearchedPatient {
                register_number: p["register_number"].as_str().unwrap(),
                last_name_key: &last,
                first_name_key: &first,
                phones: &phones,
            };
            shape
                .rank_of(&searched)
                .map(|rank| (p["patient_id"].as_i64().unwrap(), rank))
        })
        .collect()
}

/// The keys a patient is ordered by within a rank found by `form`.
fn order_within(form: &SearchForm, p: &Value) -> (String, String, i64) {
    let id = p["patient_id"].as_i64().unwrap();
    let key = |field: &str| name_key(p[field].as_str().unwrap());
    match form {
        SearchForm::RegisterNumber(_) | SearchForm::RegisterNumberPrefix(_) => (
            p["register_number"].as_str().unwrap().to_owned(),
            String::new(),
            id,
        ),
        SearchForm::Names(names) if names.folded => (
            fold_name_key(&key("last_name")),
            fold_name_key(&key("first_name")),
            id,
        ),
        _ => (key("last_name"), key("first_name"), id),
    }
}

backend_test!(spawn_app -> TestApp, async fn ranks_dedup_and_pages_follow_the_rule(app) {
    let token = app.login("desk", Role::Receptionist).await;
    // Names that share starts, folded letters and words; numbers that share ends and starts.
    let lasts = ["Бат", "Бат-Эрдэнэ", "Өлзий", "Олзий", "Сувд", "Үүрцай", "Уянга", "Болд", "Бөхөө", "Ган"];
    let firsts = ["Сувд", "Бат", "Болд", "Өнөр", "Онон", "Үүрцай", "Ууганаа", "Бат-Очир"];
    let ends = ["2233", "1122", "9911", "4567"];
    let mut patients = Vec::new();
    for i in 0..30u32 {
        let last = lasts[(i as usize * 7) % lasts.len()];
        let first = firsts[(i as usize * 3 + i as usize / 8) % firsts.len()];
        let a = format!("99{:02}{}", i % 7, ends[i as usize % 4]);
        let b = format!("{}{:02}{:02}", ends[(i as usize + 1) % 4], i % 5, i);
        let id = patient_with(&app, &token, &crate::helpers::rn(i), last, first, &[&a, &b]).await;
        let (_, p) = app.call(Method::GET, &format!("/api/v1/patients/{id}"), &token, None).await;
        patients.push(p);
    }
    let queries = [
        "бат", "олз", "өлз", "у", "б", "бат сувд", "сувд бат", "олзий уу", "үүр олз", "бат бат",
        "бө", "2233", "9911", "1122", "99002233", "4567", "уб85", "уб8501", "УБ85010100", "г", "ө у",
    ];
    for q in queries {
        let want = expected(q, &patients);
        let forms = SearchShape::of(q).unwrap().forms();
        for limit in [1, 2, 3, 7, 500] {
            let pages = all_pages(&app, &token, q, limit).await;
            if want.is_empty() {
                assert!(pages.concat().is_empty(), "{q}");
                continue;
            }
            assert!(pages.iter().all(|p| !p.is_empty()), "{q}, limit {limit}: an empty page");
            let items: Vec<Value> = pages.concat();
            let got: Vec<(i64, usize)> = items
                .iter()
                .map(|p| {
                    let id = p["patient_id"].as_i64().unwrap();
                    let rank = want.iter().find(|(w, _)| *w == id).unwrap_or_else(|| panic!("{q}: {p} should not be found")).1;
                    (id, rank)
                })
                .collect();
            assert_eq!(got.len(), want.len(), "{q}, limit {limit}: {got:?} vs {want:?}");
            let mut ids: Vec<i64> = got.iter().map(|(id, _)| *id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), want.len(), "{q}, limit {limit}: a patient twice");
            // Ranks never go back; within a rank, the rank's order.
            for pair in got.windows(2).zip(items.windows(2)) {
                let ([(_, r0), (_, r1)], [p0, p1]) = pair else { unreachable!() };
                assert!(r0 <= r1, "{q}, limit {limit}: rank {r0} after {r1}");
                if r0 == r1 {
                    assert!(order_within(&forms[*r0], p0) < order_within(&forms[*r1], p1), "{q}, limit {limit}: order within rank {r0}");
                }
            }
        }
    }
});

backend_test!(spawn_app -> TestApp, async fn a_cursor_of_another_query_is_refused(app) {
    let token = app.login("desk", Role::Receptionist).await;
    patient_with(&app, &token, "УБ85031512", "Өлзий", "Үүрцай", &["99110001", "88110001"]).await;
    patient_with(&app, &token, "УБ85031623", "Олзий", "Уянга", &["99110002", "88110002"]).await;
    patient_with(&app, &token, "УБ85041534", "Өлзийт", "Бат", &["99110003", "88110003"]).await;
    // "олз": Олзий (rank 0), then Өлзий and Өлзийт (rank 2, folded); the second page ends
    // within rank 2.
    let q = urlencode("олз");
    let (_, page) = app.call(Method::GET, &format!("/api/v1/patients?q={q}&limit=1"), &token, None).await;
    assert_eq!(page["items"][0]["last_name"], "Олзий");
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (status, page) = app.call(Method::GET, &format!("/api/v1/patients?q={q}&limit=1&cursor={cursor}"), &token, None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"][0]["last_name"], "Өлзий");
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, page) = app.call(Method::GET, &format!("/api/v1/patients?q={q}&limit=1&cursor={cursor}"), &token, None).await;
    assert_eq!(page["items"][0]["last_name"], "Өлзийт");
    assert_eq!(page["next_cursor"], Value::Null);
    // That rank does not exist for "бат" (two ranks), nor for a phone or without a query.
    for q in ["&q=%D0%B1%D0%B0%D1%82", "&q=0001", ""] {
        let (status, problem) = app.call(Method::GET, &format!("/api/v1/patients?limit=1&cursor={cursor}{q}"), &token, None).await;
        assert_eq!(status, 422, "{q}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "cursor", "{problem}");
    }
    // A newest-first cursor with a query.
    let (_, page) = app.call(Method::GET, "/api/v1/patients?limit=1", &token, None).await;
    let newest = page["next_cursor"].as_str().unwrap().to_owned();
    let (status, _) = app.call(Method::GET, &format!("/api/v1/patients?q=0001&cursor={newest}"), &token, None).await;
    assert_eq!(status, 422);
    // A cursor whose keys hold a control character (which PostgreSQL cannot compare) is no
    // cursor: 400, never a 500.
    use base64::Engine;
    let bad = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"["r",0,"a\u0000","b",1]"#);
    let (status, problem) = app.call(Method::GET, &format!("/api/v1/patients?q=a&cursor={bad}"), &token, None).await;
    assert_eq!(status, 400, "{problem}");
    // A far-away rank, keys no name has.
    let far = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"["r",255,"\uffff","",9223372036854775807]"#);
    let (status, _) = app.call(Method::GET, &format!("/api/v1/patients?q=a&cursor={far}"), &token, None).await;
    assert_eq!(status, 422);
    let end = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"["r",1,"\uffff","",9223372036854775807]"#);
    let (status, page) = app.call(Method::GET, &format!("/api/v1/patients?q=a&cursor={end}"), &token, None).await;
    assert_eq!((status, page["items"].as_array().unwrap().len()), (200, 0), "{page}");
});

backend_test!(spawn_app -> TestApp, async fn search_keys_follow_every_write(app) {
    let token = app.login("desk", Role::Receptionist).await;
    let db = app.store.connection();
    let id = patient_with(&app, &token, "УБ85031512", "Өнөр", "Үүрцай", &["99112233", "88112244"]).await;
    assert_search_keys_kept(db).await;
    assert_eq!(search_names(&app, &token, "онор").await, ["Өнөр Үүрцай"]);
    assert_eq!(search_names(&app, &token, "2244").await, ["Өнөр Үүрцай"]);

    // A changed name.
    let (status, _) = app.call(Method::PATCH, &format!("/api/v1/patients/{id}"), &token, Some(json!({"last_name": "Бөхөө", "first_name": "Сувд"}))).await;
    assert_eq!(status, 200);
    assert_search_keys_kept(db).await;
    assert_eq!(search_names(&app, &token, "бохоо сувд").await, ["Бөхөө Сувд"]);
    assert!(search_names(&app, &token, "онор").await.is_empty());

    // A number added, changed and deleted.
    let (status, phone) = app.call(Method::POST, &format!("/api/v1/patients/{id}/phones"), &token, Some(json!({"number": "9555 4321"}))).await;
    assert_eq!(status, 201, "{phone}");
    assert_eq!(search_names(&app, &token, "4321").await, ["Бөхөө Сувд"]);
    let phone_path = format!("/api/v1/patients/{id}/phones/{}", phone["phone_number_id"]);
    let (status, _) = app.call(Method::PATCH, &phone_path, &token, Some(json!({"number": "95558765"}))).await;
    assert_eq!(status, 200);
    assert_search_keys_kept(db).await;
    assert_eq!(search_names(&app, &token, "8765").await, ["Бөхөө Сувд"]);
    assert!(search_names(&app, &token, "4321").await.is_empty());
    let (status, _) = app.call(Method::DELETE, &phone_path, &token, None).await;
    assert_eq!(status, 204);
    assert!(search_names(&app, &token, "8765").await.is_empty());

    // The patient's own numbers, through the portal.
    let user = app.create_user("own", Role::Patient).await;
    let admin = app.login("root", Role::Admin).await;
    let (status, _) = app.call(Method::PATCH, &format!("/api/v1/patients/{id}"), &admin, Some(json!({"user_id": user}))).await;
    assert_eq!(status, 200);
    let own = app.token("own").await;
    let (status, _) = app.call(Method::POST, "/api/v1/me/patient/phones", &own, Some(json!({"number": "+82 10 1234 5678"}))).await;
    assert_eq!(status, 201);
    assert_eq!(search_names(&app, &token, "5678").await, ["Бөхөө Сувд"]);

    // Imported patients.
    let csv = "register_number,first_name,last_name,phone1,phone2\nАР92112748,Үнэн,Өсөх,88001357,99002468\n";
    let r = app.with_token(Method::POST, "/api/v1/patients/import", &token).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    assert_search_keys_kept(db).await;
    assert_eq!(search_names(&app, &token, "осох унэн").await, ["Өсөх Үнэн"]);
    assert_eq!(search_names(&app, &token, "2468").await, ["Өсөх Үнэн"]);
    // And registered through the API, with a taken number refused.
    let (status, _) = register(&app, &token, new_patient("АР92112748", "А", "Б", "99887766", "99887755")).await;
    assert_eq!(status, 409);
    assert_search_keys_kept(db).await;
});

backend_test!(spawn_app -> TestApp, async fn the_pages_search_as_the_desk_types(app) {
    let token = app.login("desk", Role::Receptionist).await;
    patient_with(&app, &token, "УБ85031512", "Бат-Эрдэнэ", "Сувд", &["99112233", "88112244"]).await;
    patient_with(&app, &token, "УБ90010145", "Сувд", "Бат", &["90001111", "90002222"]).await;
    let s = signed_in(&app, "desk", "en").await;
    let page = s.get(&app, &format!("/patients?q={}", urlencode("Сувд Бат"))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let first = page.body.find("Сувд Бат</a>").expect("the written order");
    let second = page.body.find("Бат-Эрдэнэ Сувд</a>").expect("the other way round");
    assert!(first < second);
    let fragment = s.get(&app, "/patients/search?q=2233").await;
    assert_eq!(fragment.status, 200);
    assert!(fragment.has("Бат-Эрдэнэ Сувд</a>") && !fragment.has("Сувд Бат</a>"), "{}", fragment.body);
    let fragment = s.get(&app, &format!("/patients/search?q={}", urlencode("уб850"))).await;
    assert!(fragment.has("Бат-Эрдэнэ Сувд</a>") && !fragment.has("Сувд Бат</a>"), "{}", fragment.body);
});
