//! Attachments through HTTP: an upload of each kept type (JPEG, PNG, WebP, PDF, DICOM, typed
//! by their first bytes), a renamed executable refused (415), an upload over the clinic's
//! limit refused (413) with nothing kept, content and thumbnails served with their headers,
//! every read audited, the receptionists' documents-only rule, HQ refused, teeth and the
//! tooth filter, delete (hidden) and an admin's purge (the file removed from disk); and, on a
//! server of its own, that a large upload streams (the server's memory does not grow by it),
//! and `dcms backup` copying the files that a server started on the copy serves.
use crate::backend_test;
use crate::helpers::{TestApp, actions, error_fields, run_dcms, serve_dcms};
use crate::treatments::setup;
use dcms_domain::Role;
use serde_json::{Value, json};

/// A small picture encoded as `format`.
pub(crate) fn picture(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

fn dicom() -> Vec<u8> {
    let mut bytes = vec![0u8; 128];
    bytes.extend_from_slice(b"DICM\x02\x00\x00\x00UL\x04\x00");
    bytes.extend_from_slice(&[7u8; 200]);
    bytes
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// Uploads `bytes` as `name` to the patient's record; (status, answer).
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    patient: i64,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let r = app
        .client
        .post(app.url(&format!("/api/v1/patients/{patient}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn id(v: &Value) -> i64 {
    v["attachment_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {v}"))
}

backend_test!(spawn_app -> TestApp, async fn uploads_are_typed_by_their_bytes_served_safely_and_audited(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let (status, xray) = upload(&app, &s.doctor, p, "pano.png", picture(image::ImageFormat::Png), &[("kind", "xray"), ("teeth", "36,37"), ("system", "fdi"), ("taken_at", "2026-12-01T09:00:00+08:00"), ("note", "bitewing")]).await;
    assert_eq!(status, 201, "{xray}");
    assert_eq!(xray["content_type"], "image/png");
    assert_eq!(xray["has_thumbnail"], true);
    assert_eq!(xray["file_name"], "pano.png");
    assert_eq!(xray["teeth"], json!(["36", "37"]));
    assert_eq!(xray["sha256"].as_str().unwrap().len(), 64);
    for (name, bytes, kind, content_type, thumb) in [
        ("photo.jpg", picture(image::ImageFormat::Jpeg), "photo", "image/jpeg", true),
        ("smile.webp", picture(image::ImageFormat::WebP), "photo", "image/webp", true),
        ("referral.pdf", pdf(), "document", "application/pdf", false),
        ("ct.dcm", dicom(), "xray", "application/dicom", false),
    ] {
        let (status, a) = upload(&app, &s.doctor, p, name, bytes, &[("kind", kind)]).await;
        assert_eq!(status, 201, "{name}: {a}");
        assert_eq!(a["content_type"], content_type, "{name}");
        assert_eq!(a["has_thumbnail"], thumb, "{name}");
    }
    // Types come from the bytes, not the name.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.extend_from_slice(&[0u8; 300]);
    let (status, problem) = upload(&app, &s.doctor, p, "xray.jpg", exe, &[("kind", "xray")]).await;
    assert_eq!(status, 415, "{problem}");
    let (status, problem) = upload(&app, &s.doctor, p, "x.png", picture(image::ImageFormat::Png), &[("kind", "scan")]).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["kind"]);
    let (status, problem) = upload(&app, &s.doctor, p, "x.png", picture(image::ImageFormat::Png), &[("kind", "xray"), ("teeth", "99"), ("system", "fdi")]).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["teeth"]);
    // Over the clinic's limit: 413, nothing kept.
    let (status, _) = app.patch_json("/api/v1/settings", &s.c.admin, json!({"attachment_limit_mib": 1})).await;
    assert_eq!(status, 200);
    let (status, problem) = upload(&app, &s.doctor, p, "big.pdf", [pdf(), vec![b' '; 1_200_000]].concat(), &[("kind", "document")]).await;
    assert_eq!(status, 413, "{problem}");
    let (_, all) = app.get_json(&format!("/api/v1/patients/{p}/attachments"), &s.doctor).await;
    assert_eq!(all.as_array().unwrap().len(), 5, "{all}");
    // The tooth filter and kinds.
    let (_, on_36) = app.get_json(&format!("/api/v1/patients/{p}/attachments?tooth=36&system=fdi"), &s.doctor).await;
    assert_eq!(on_36.as_array().unwrap().len(), 1);
    assert_eq!(id(&on_36[0]), id(&xray));
    let (_, xrays) = app.get_json(&format!("/api/v1/patients/{p}/attachments?kind=xray"), &s.doctor).await;
    assert_eq!(xrays.as_array().unwrap().len(), 2);
    // Content: its type, nosniff, a sandboxing CSP, a name; pictures inline.
    let r = app.with_token(reqwest::Method::GET, &format!("/api/v1/attachments/{}/content", id(&xray)), &s.doctor).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert!(h["content-disposition"].to_str().unwrap().starts_with("inline; filename=\"pano.png\""));
    assert_eq!(r.bytes().await.unwrap().to_vec(), picture(image::ImageFormat::Png));
    let r = app.with_token(reqwest::Method::GET, &format!("/api/v1/attachments/{}/thumbnail", id(&xray)), &s.doctor).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let thumb = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert!(thumb.width() <= 320 && thumb.height() <= 320);
    let docs: Vec<&Value> = all.as_array().unwrap().iter().filter(|a| a["kind"] == "document").collect();
    let doc = id(docs[0]);
    let r = app.with_token(reqwest::Method::GET, &format!("/api/v1/attachments/{doc}/content"), &s.doctor).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let (status, _) = app.get_json(&format!("/api/v1/attachments/{doc}/thumbnail"), &s.doctor).await;
    assert_eq!(status, 404);
    // Every read is audited (reads are queued and written within moments: flush them).
    app.audit.flush().await;
    let rows = app.audit_rows(&s.c.admin, "attachment", id(&xray)).await;
    let done = actions(&rows);
    assert!(done.contains(&"create") && done.iter().filter(|a| **a == "read").count() >= 2, "{done:?}");
    // Receptionists: documents and consents only; HQ nothing.
    let (status, _) = upload(&app, &s.c.desk, p, "x.png", picture(image::ImageFormat::Png), &[("kind", "xray")]).await;
    assert_eq!(status, 403);
    let (status, consent) = upload(&app, &s.c.desk, p, "consent.pdf", pdf(), &[("kind", "consent")]).await;
    assert_eq!(status, 201, "{consent}");
    let (_, seen) = app.get_json(&format!("/api/v1/patients/{p}/attachments"), &s.c.desk).await;
    let seen_kinds: Vec<&str> = seen.as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(seen_kinds, ["consent", "document"]);
    let (status, _) = app.get_json(&format!("/api/v1/attachments/{}/content", id(&xray)), &s.c.desk).await;
    assert_eq!(status, 403);
    let hq = app.login_with("hq", Role::Manager, "hq").await;
    let (status, _) = app.get_json(&format!("/api/v1/patients/{p}/attachments"), &hq).await;
    assert_eq!(status, 403);
    let (status, _) = app.get_json(&format!("/api/v1/attachments/{}/content", id(&xray)), &hq).await;
    assert_eq!(status, 403);
    // Changing the teeth.
    let (status, changed) = app.patch_json(&format!("/api/v1/attachments/{}?system=fdi", id(&xray)), &s.doctor, json!({"teeth": "46", "system": "fdi", "note": null})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["teeth"], json!(["46"]));
    assert_eq!(changed["note"], Value::Null);
});

backend_test!(spawn_app -> TestApp, async fn delete_hides_and_an_admins_purge_removes_the_content(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let (status, a) = upload(&app, &s.doctor, p, "pano.png", picture(image::ImageFormat::Png), &[("kind", "xray")]).await;
    assert_eq!(status, 201, "{a}");
    let sha = a["sha256"].as_str().unwrap().to_owned();
    let on_disk = app.db.files_dir().join(&sha[..2]).join(&sha);
    assert!(on_disk.is_file(), "{}", on_disk.display());
    let path = format!("/api/v1/attachments/{}", id(&a));
    let (status, _) = app.post_json(&format!("{path}/purge"), &s.c.admin, json!({})).await;
    assert_eq!(status, 409, "purge before delete");
    let (status, _) = app.delete_json(&path, &s.doctor).await;
    assert_eq!(status, 204);
    let (status, _) = app.get_json(&path, &s.doctor).await;
    assert_eq!(status, 404);
    let (status, _) = app.get_json(&format!("{path}/content"), &s.doctor).await;
    assert_eq!(status, 404);
    let (_, listed) = app.get_json(&format!("/api/v1/patients/{p}/attachments"), &s.doctor).await;
    assert_eq!(listed, json!([]));
    assert!(on_disk.is_file(), "the content stays until purged");
    let (status, _) = app.get_json(&format!("/api/v1/patients/{p}/attachments?deleted=true"), &s.doctor).await;
    assert_eq!(status, 403);
    let (_, hidden) = app.get_json(&format!("/api/v1/patients/{p}/attachments?deleted=true"), &s.c.admin).await;
    assert_eq!(hidden.as_array().unwrap().len(), 1);
    assert!(hidden[0]["deleted_at"].is_string());
    let (status, _) = app.post_json(&format!("{path}/purge"), &s.doctor, json!({})).await;
    assert_eq!(status, 403);
    let (status, _) = app.post_json(&format!("{path}/purge"), &s.c.admin, json!({})).await;
    assert_eq!(status, 204);
    assert!(!on_disk.exists(), "purged");
    let done = actions(&app.audit_rows(&s.c.admin, "attachment", id(&a)).await).join(",");
    assert!(done.contains("delete") && done.contains("purge"), "{done}");
});

/// The resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A multipart body of `mib` MiB of a PDF, sent in 64 KiB chunks as it is made (never whole
/// in the test's memory either), without a Content-Length.
fn streamed_pdf(mib: usize) -> reqwest::multipart::Form {
    let chunk = vec![b' '; 64 * 1024];
    let chunks = (0..mib * 16).map(move |i| {
        let bytes = if i == 0 {
            [pdf(), chunk.clone()].concat()
        } else {
            chunk.clone()
        };
        Ok::<_, std::io::Error>(bytes)
    });
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    reqwest::multipart::Form::new()
        .text("kind", "document")
        .part(
            "file",
            reqwest::multipart::Part::stream(body).file_name("scan.pdf"),
        )
}

/// The token of `boss` on the server at `base`.
async fn boss_token(client: &reqwest::Client, base: &str) -> String {
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "boss", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn large_uploads_stream_to_disk_and_backups_carry_the_files() {
    let dir = std::env::temp_dir().join(format!("dcms-files-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("clinic.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let key = dir.join("audit.key");
    let out = run_dcms(
        &url,
        &key,
        &[
            "users",
            "create",
            "--username",
            "boss",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("correct horse battery\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (mut server, address) = serve_dcms(&url, &key, &[], |_| {});
    let base = format!("http://{address}");
    let client = reqwest::Client::new();
    let token = boss_token(&client, &base).await;
    let patient: Value = client.post(format!("{base}/api/v1/patients")).bearer_auth(&token)
        .json(&json!({"register_number": crate::helpers::register_number(1), "first_name": "Болд", "last_name": "Бат", "phones": [{"number": "99112233", "label": "Өөрийн", "is_primary": true}, {"number": "88112233", "label": "Ээж", "is_primary": false}]}))
        .send().await.unwrap().json().await.unwrap();
    let p = patient["patient_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{patient}"));
    let upload_url = format!("{base}/api/v1/patients/{p}/attachments");
    // Warm up (the first upload makes the folders and pages in code).
    let r = client
        .post(&upload_url)
        .bearer_auth(&token)
        .multipart(streamed_pdf(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let before = rss_kib(server.id());
    // 20 MiB within the 25 MiB limit, then 60 MiB over it.
    let r = client
        .post(&upload_url)
        .bearer_auth(&token)
        .multipart(streamed_pdf(20))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let kept: Value = r.json().await.unwrap();
    assert_eq!(
        kept["size"].as_i64().unwrap(),
        20 * 1024 * 1024 + pdf().len() as i64
    );
    let over = client
        .post(&upload_url)
        .bearer_auth(&token)
        .multipart(streamed_pdf(60))
        .send()
        .await;
    if let Ok(r) = over {
        assert_eq!(r.status(), 413);
    }
    let after = rss_kib(server.id());
    let grown_mib = after.saturating_sub(before) / 1024;
    println!(
        "server RSS before {before} KiB, after 20 MiB kept and 60 MiB refused {after} KiB (+{grown_mib} MiB)"
    );
    assert!(
        grown_mib < 16,
        "the server's memory grew by {grown_mib} MiB"
    );
    let listed: Value = client
        .get(&upload_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "the refused upload is not kept"
    );
    let tmp = std::path::PathBuf::from(format!("{}.files/tmp", db.display()));
    assert_eq!(
        std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0),
        0,
        "no partial upload left"
    );
    // A backup carries the files; a server started on the copy serves them.
    let copy = dir.join("copy.db");
    let out = run_dcms(
        &url,
        &key,
        &["backup", "--to", copy.to_str().unwrap()],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("2 attachment files") && said.contains("MiB"),
        "{said}"
    );
    server.kill().ok();
    server.wait().ok();
    let copy_url = format!("sqlite://{}", copy.display());
    let (mut restored, address) = serve_dcms(&copy_url, &key, &[], |_| {});
    let base = format!("http://{address}");
    let token = boss_token(&client, &base).await;
    let r = client
        .get(format!(
            "{base}/api/v1/attachments/{}/content",
            kept["attachment_id"]
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.bytes().await.unwrap().len() as i64,
        kept["size"].as_i64().unwrap()
    );
    restored.kill().ok();
    restored.wait().ok();
    let _ = std::fs::remove_dir_all(&dir);
}
