//! The `dcms` command line, run as a person would run it.
use crate::backend_test;
use crate::helpers::{run_dcms, served_address, spawn_serve};
use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

/// `dcms ARGS --database DATABASE` with the database's own audit key.
fn dcms(database: &str, args: &[&str], stdin: Option<&str>) -> Output {
    run_dcms(database, &key_file(database), args, stdin)
}

/// One audit key file per database, outside the source tree.
fn key_file(database: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("dcms-cli-keys");
    std::fs::create_dir_all(&dir).unwrap();
    let name: String = database
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    dir.join(format!("{name}.key"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

backend_test!(TestDatabase::create -> TestDatabase, async fn migrate_twice_is_a_no_op(db) {
    let out = dcms(&db.url, &["migrate"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("up to date"), "{}", stdout(&out));
});

#[test]
fn migrate_creates_and_migrates_a_new_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("dcms-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("new.db");
    let url = format!("sqlite://{}", path.display());
    let first = dcms(&url, &["migrate"], None);
    assert!(first.status.success(), "{}", stderr(&first));
    // Every migration of the binary, on a new file.
    let all = dcms_store::migration::count();
    assert!(
        stdout(&first).contains(&format!("applied {all} migration")),
        "{}",
        stdout(&first)
    );
    assert!(path.exists());
    let second = dcms(&url, &["migrate"], None);
    assert!(stdout(&second).contains("up to date"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unsupported_url_fails_with_one_line() {
    let out = dcms("oracle://x", &["migrate"], None);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("unsupported database URL"), "{err}");
}

backend_test!(TestDatabase::create -> TestDatabase, async fn users_create_and_reset_password(db) {
    use dcms_store::users;
    let store = db.store().await;

    let out = dcms(&db.url, &["users", "create", "--username", "Sarnai", "--role", "receptionist", "--display-name", "Сарнай", "--password-stdin"], Some("first password\n"));
    assert!(out.status.success(), "{}", stderr(&out));
    let user = users::find_by_username(store.connection(), "sarnai").await.unwrap().expect("created");
    assert_eq!(user.username, "Sarnai");
    assert_eq!(user.display_name, "Сарнай");
    assert_eq!(user.roles, 4);
    assert!(user.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", user.password_hash);
    assert!(!user.password_hash.contains("first password"));

    // The same username in another letter case is taken.
    let out = dcms(&db.url, &["users", "create", "--username", "SARNAI", "--role", "doctor", "--password-stdin"], Some("another password\n"));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("taken"), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim().lines().count(), 1);

    // Short passwords, unknown roles, no password: refused with a reason.
    let out = dcms(&db.url, &["users", "create", "--username", "x", "--role", "doctor", "--password-stdin"], Some("short\n"));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("at least 10"), "{}", stderr(&out));
    let out = dcms(&db.url, &["users", "create", "--username", "x", "--role", "dentist", "--password-stdin"], Some("long enough pw\n"));
    assert!(!out.status.success());
    let out = dcms(&db.url, &["users", "create", "--username", "x", "--role", "doctor", "--password-stdin"], Some(""));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("standard input"), "{}", stderr(&out));

    // Only the first line is the password; the newline is dropped.
    let before = user.password_hash.clone();
    let out = dcms(&db.url, &["users", "reset-password", "--username", "sarnai", "--password-stdin"], Some("second password\nignored\n"));
    assert!(out.status.success(), "{}", stderr(&out));
    let user = users::find_by_username(store.connection(), "SARNAI").await.unwrap().unwrap();
    assert_ne!(user.password_hash, before);
    assert!(dcms_server::services::passwords::verify("second password".into(), user.password_hash.clone()).await);

    let out = dcms(&db.url, &["users", "reset-password", "--username", "nobody", "--password-stdin"], Some("second password\n"));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));

    // Both writes are in the audit trail, whose chain verifies...
    let out = dcms(&db.url, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("verified: 2 rows"), "{}", stdout(&out));
    // ...until someone edits a row in the database.
    use dcms_store::sea_orm::ConnectionTrait;
    store.connection().execute_unprepared("UPDATE audit_log SET action = 'read' WHERE audit_id = 1").await.unwrap();
    let out = dcms(&db.url, &["audit", "verify"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("row 1"), "{}", stderr(&out));
    let _ = std::fs::remove_file(key_file(&db.url));
});

backend_test!(TestDatabase::create -> TestDatabase, async fn audit_verify_fails_when_the_chain_head_is_gone(db) {
    let out = dcms(&db.url, &["users", "create", "--username", "oyun", "--role", "admin", "--password-stdin"], Some("first password\n"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = dcms(&db.url, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    // Whoever deletes the chain head could rewind the log unseen: that is a failure too.
    use dcms_store::sea_orm::ConnectionTrait;
    let store = db.store().await;
    store.connection().execute_unprepared("DELETE FROM audit_chain_head").await.unwrap();
    let out = dcms(&db.url, &["audit", "verify"], None);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(stderr(&out).contains("chain head"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("verified"), "{}", stdout(&out));
    store.close().await.unwrap();
    let _ = std::fs::remove_file(key_file(&db.url));
});

/// `dcms serve` creates the first admin, serves, and stops cleanly on SIGTERM.
#[test]
fn serve_bootstraps_an_admin_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("dcms-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("serve.db").display());
    let mut child = spawn_serve(&url, &dir.join("audit.key"), &[], Stdio::piped());
    let mut stdout_lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner: Vec<String> = (0..3)
        .map(|_| stdout_lines.next().unwrap().unwrap())
        .collect();
    assert!(banner[1].contains("username: admin"), "{banner:?}");
    let password = banner[2]
        .split("password: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(password.len(), 20);

    let mut stderr_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = served_address(&mut stderr_lines);
    // Keep reading the log, as a terminal or journald would: a closed pipe is not what a
    // server is run with.
    let drain = std::thread::spawn(move || stderr_lines.map_while(Result::ok).count());
    let address = address.expect("the server logs its address");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::get(format!("http://{address}/healthz"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    drain.join().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Security events reach the log at WARN on the `security` target: failed logins (the name
/// as typed, never the password), 403s and CSRF refusals.
#[test]
fn serve_logs_security_events_without_secrets() {
    let dir = std::env::temp_dir().join(format!("dcms-security-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("serve.db").display());
    let mut child = spawn_serve(&url, &dir.join("audit.key"), &[], Stdio::piped());
    let mut stdout_lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner: Vec<String> = (0..3)
        .map(|_| stdout_lines.next().unwrap().unwrap())
        .collect();
    let password = banner[2]
        .split("password: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    let mut stderr_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = served_address(&mut stderr_lines);
    let log = std::thread::spawn(move || stderr_lines.map_while(Result::ok).collect::<Vec<_>>());
    let base = format!("http://{}", address.expect("the server logs its address"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let login = |username: &str, password: &str| {
            client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({"username": username, "password": password}))
                .send()
        };
        assert_eq!(login("mallory", "hunter2-not-logged").await.unwrap().status(), 401);
        let admin: serde_json::Value = login("admin", &password).await.unwrap().json().await.unwrap();
        let admin = admin["token"].as_str().unwrap().to_owned();
        let created = client
            .post(format!("{base}/api/v1/users"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"username": "desk", "password": "desk password 1", "role": "receptionist"}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let desk: serde_json::Value = login("desk", "desk password 1").await.unwrap().json().await.unwrap();
        let desk = desk["token"].as_str().unwrap().to_owned();
        let refused = client.get(format!("{base}/api/v1/users")).bearer_auth(&desk).send().await.unwrap();
        assert_eq!(refused.status(), 403);
        let no_csrf = client
            .post(format!("{base}/api/v1/patients"))
            .header("cookie", format!("dcms_session={desk}"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_csrf.status(), 403);
    });
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    assert!(child.wait().unwrap().success());
    let log = log.join().unwrap().join("\n");
    let security: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("security"))
        .collect();
    assert!(
        security
            .iter()
            .any(|l| l.contains("failed password attempt") && l.contains("mallory")),
        "{log}"
    );
    assert!(
        security
            .iter()
            .any(|l| l.contains("refused (403)") && l.contains("/api/v1/users")),
        "{log}"
    );
    assert!(security.iter().any(|l| l.contains("CSRF")), "{log}");
    assert!(
        !log.contains("hunter2-not-logged") && !log.contains(&password),
        "no password in the log"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A server whose standard error is closed (the log's reader went away) keeps serving and
/// stops cleanly: a failed log write is not a crash.
#[test]
fn serve_survives_a_closed_log() {
    let dir = std::env::temp_dir().join(format!("dcms-closed-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("serve.db").display());
    let mut child = spawn_serve(&url, &dir.join("audit.key"), &[], Stdio::null());
    let address = served_address(&mut BufReader::new(child.stderr.take().unwrap()).lines());
    // The reader is dropped here: every later log line meets a closed pipe.
    let address = address.expect("the server logs its address");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for path in ["/healthz", "/login", "/nowhere", "/api/v1/auth/me"] {
            let response = reqwest::get(format!("http://{address}{path}"))
                .await
                .unwrap();
            assert!(response.status().as_u16() < 500, "{path}");
        }
    });
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `dcms patients import FILE [--skip-bad]` and `dcms patients export [--to FILE]` on SQLite:
/// a file with a bad line imports nothing (each problem on standard error, non-zero exit)
/// unless `--skip-bad`; the export writes the import's columns to standard output or a file.
#[test]
fn patients_import_and_export_on_the_command_line() {
    let dir = std::env::temp_dir().join(format!("dcms-cli-patients-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("clinic.db").display());
    let file = dir.join("patients.csv");
    std::fs::write(
        &file,
        "register_number,first_name,last_name,phone1,phone1_label,phone2\n\
         УБ85031512,Бат,Дорж,99112233,гар,88112233\n\
         УБ85133512,Сараа,Болд,99112234,,88112234\n\
         УБ95051026,Туяа,Цэцэг,99112237,,12\n\
         УБ90121528,Сараа,Болд,95112233,,70112233\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();

    let out = dcms(&url, &["patients", "import", path], None);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 3: register_number: "), "{err}");
    assert!(err.contains("line 4: phone2: "), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(stdout(&out), "");
    let out = dcms(&url, &["patients", "export"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().count(),
        1,
        "only the header: {}",
        stdout(&out)
    );

    let out = dcms(&url, &["patients", "import", path, "--skip-bad"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "imported 2 patients");
    assert!(stderr(&out).contains("line 3: register_number: "));

    let out = dcms(&url, &["patients", "export"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "\u{feff}register_number,first_name,last_name,email,birthday,gender,phone1,phone1_label,phone2,phone2_label",
            "УБ85031512,Бат,Дорж,,1985-03-15,male,99112233,гар,88112233,",
            "УБ90121528,Сараа,Болд,,1990-12-15,female,95112233,,70112233,",
        ]
    );
    let to = dir.join("out.csv");
    let out = dcms(
        &url,
        &["patients", "export", "--to", to.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&to).unwrap(), csv);

    // A file that is not there, and standard input as the file.
    let out = dcms(&url, &["patients", "import", "/nonexistent.csv"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
    let out = dcms(
        &url,
        &["patients", "import", "-"],
        Some(
            "register_number,first_name,last_name,phone1,phone2\nУБ95051026,Туяа,Цэцэг,99112237,88112237\n",
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "imported 1 patients");

    // Every import and export is in the audit trail, whose chain verifies.
    let out = dcms(&url, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let _ = std::fs::remove_file(key_file(&url));
    std::fs::remove_dir_all(&dir).unwrap();
}
