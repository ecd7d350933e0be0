//! Headless Chromium driven through chromedriver (WebDriver), for the pages' end-to-end
//! tests. One chromedriver serves the whole test binary; each test gets its own browser
//! with an empty profile. Screenshots go to `target/screenshots/NAME.png`.
//!
//! Without chromedriver on the machine the tests print that they were skipped, unless
//! `DCMS_E2E=1` (as `.ci/run` sets), where a missing browser fails them.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

fn required() -> bool {
    std::env::var("DCMS_E2E").is_ok_and(|v| v == "1")
}

/// A chromedriver of one test, stopped when the test's browser is dropped.
struct Driver {
    url: String,
    child: Child,
}

impl Driver {
    fn start() -> Option<Driver> {
        if !std::path::Path::new(CHROMEDRIVER).exists() {
            assert!(
                !required(),
                "DCMS_E2E=1 but {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
            );
            eprintln!("skipped: {CHROMEDRIVER} is not installed (DCMS_E2E=1 makes this an error)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // Its own process group, so that the browsers it starts end with it.
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Some(Driver {
            url: format!("http://127.0.0.1:{port}"),
            child,
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = self.child.id() as i32;
        // SAFETY: kill(2) on the process group this driver leads; no memory is touched.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// Where screenshots are saved.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("screenshots")
}

/// A browser on the app under test.
pub struct Browser {
    pub client: Client,
    pub base: String,
    // Dropped in this order: the session's browser, then chromedriver, then the profile.
    _driver: Driver,
    _profile: tempdir::Dir,
}

impl Browser {
    /// A fresh headless browser, 1280×900; None when chromedriver is not installed.
    pub async fn start(base: &str) -> Option<Browser> {
        let driver = Driver::start()?;
        let profile = tempdir::Dir::new();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    "--lang=mn", format!("--user-data-dir={}", profile.path.display()),
                ]
            }),
        );
        // chromedriver is plain HTTP on loopback: no TLS connector needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a browser session");
        Some(Browser {
            client,
            base: base.to_owned(),
            _driver: driver,
            _profile: profile,
        })
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{}", self.base, path))
            .await
            .expect("navigate");
    }

    /// The current path and query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The element's text; found again when the page replaced it between finding and
    /// reading (a navigation or an htmx swap finishing just then).
    pub async fn text(&self, css: &str) -> String {
        let mut attempt = 0;
        loop {
            let element = self
                .client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("no {css} on the page: {e}"));
            match element.text().await {
                Ok(text) => return text,
                Err(e) if attempt < 5 && format!("{e:?}").contains("StaleElementReference") => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("text of {css}: {e}"),
            }
        }
    }

    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("find")
            .is_empty()
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("find")
            .len()
    }

    /// Types `value` into the field `css`. A date or time field gets it as its value (what
    /// its picker would give it: `2024-09-01`, `10:30`), since what is typed into one
    /// depends on the browser's locale.
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no field {css}: {e}"));
        let kind = field.attr("type").await.expect("type attribute");
        if matches!(
            kind.as_deref(),
            Some("date" | "time" | "datetime-local" | "month" | "week")
        ) {
            self.client
                .execute(
                    "var f = document.querySelector(arguments[0]); f.value = arguments[1];\
                     f.dispatchEvent(new Event('input', {bubbles: true}));\
                     f.dispatchEvent(new Event('change', {bubbles: true}));",
                    vec![json!(css), json!(value)],
                )
                .await
                .unwrap_or_else(|e| panic!("cannot set {css}: {e}"));
            return;
        }
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    /// Gives the file input `css` the file at `path`, as choosing it in the picker would.
    pub async fn upload(&self, css: &str, path: &std::path::Path) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no file input {css}: {e}"));
        field
            .send_keys(&path.display().to_string())
            .await
            .unwrap_or_else(|e| panic!("cannot choose {}: {e}", path.display()));
    }

    /// Whether the element `css` is rendered and visible (not folded away in a closed
    /// `<details>`, not `display: none`).
    pub async fn visible(&self, css: &str) -> bool {
        self.client
            .execute(
                "var e = document.querySelector(arguments[0]);\
                 return !!e && e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})\
                   && e.getBoundingClientRect().width > 0;",
                vec![json!(css)],
            )
            .await
            .expect("visibility")
            == json!(true)
    }

    /// Chooses `value` in the select `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no select {css}: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("no option {value} in {css}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing to click at {css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Clicks and waits for the next page to load.
    pub async fn click_and_wait(&self, css: &str) {
        let old = self.client.find(Locator::Css("html")).await.expect("html");
        self.click(css).await;
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("footer"))
            .await
            .expect("next page");
        // The old document is gone once the new one has loaded.
        for _ in 0..100 {
            if old.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("footer"))
            .await
            .expect("next page");
    }

    /// Logs in through the form and waits for the next page.
    pub async fn login(&self, username: &str, password: &str) {
        if !self.path().await.starts_with("/login") {
            self.goto("/login").await;
        }
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click_and_wait("#login-form button[type=submit]").await;
    }

    pub async fn logout(&self) {
        self.click_and_wait("#logout-form button[type=submit]")
            .await;
    }

    /// Scrolls the element into view (for a screenshot of a part lower on the page).
    pub async fn scroll_to(&self, css: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'start'});",
                vec![serde_json::Value::String(css.to_owned())],
            )
            .await
            .unwrap_or_else(|e| panic!("cannot scroll to {css}: {e}"));
    }

    /// Saves a PNG of the viewport as `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("save screenshot");
    }

    /// Sets the window's size (768 wide is a tablet held upright), and waits (up to 5 s)
    /// until the page has been laid out at that width: a busy machine applies it late.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize");
        for _ in 0..100 {
            let inner = self
                .client
                .execute("return window.innerWidth;", vec![])
                .await
                .expect("the window's width");
            if inner == json!(width) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sets the size of the page's viewport (the window less the browser's own bars), so
    /// that "above the fold at 1280×800" means 800 px of page.
    pub async fn resize_viewport(&self, width: u32, height: u32) {
        self.resize(width, height).await;
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .expect("viewport");
        let bars = |i: usize, asked: u32| {
            let got = inner[i].as_u64().unwrap_or(u64::from(asked));
            asked + u32::try_from(u64::from(asked).saturating_sub(got)).unwrap_or(0)
        };
        self.resize(bars(0, width), bars(1, height)).await;
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// The widths every page must fit: a desktop, a tablet held upright, a phone.
pub const WIDTHS: [u32; 3] = [1280, 768, 390];

/// Measures whether the page is wider than the window; when it is, names (up to 8) the
/// elements that reach past its right edge.
const OVERFLOW: &str = "var inner = window.innerWidth, scroll = document.documentElement.scrollWidth;\
  var wide = [];\
  if (scroll > inner) document.querySelectorAll('body *').forEach(function (e) {\
    var r = e.getBoundingClientRect();\
    if (r.right > inner + 0.5 && wide.length < 8) wide.push(e.tagName.toLowerCase()\
      + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className.trim()\
      ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' to ' + Math.round(r.right));\
  });\
  return {fits: scroll <= inner, inner: inner, scroll: scroll, wide: wide};";

/// Opens `path` and asserts that at each of [`WIDTHS`] the page is no wider than the window
/// (`document.documentElement.scrollWidth <= window.innerWidth`: nothing scrolls sideways),
/// naming what sticks out when something does. Leaves the window 1280 × 900.
pub async fn assert_fits(b: &Browser, path: &str) {
    b.goto(path).await;
    for width in WIDTHS {
        b.resize(width, 900).await;
        let measured = b.client.execute(OVERFLOW, vec![]).await.expect("measure");
        assert_eq!(
            measured["inner"],
            json!(width),
            "the window's inside is not {width} px wide"
        );
        assert_eq!(
            measured["fits"],
            json!(true),
            "{path} is wider than the window at {width} px: {measured}"
        );
    }
    b.resize(1280, 900).await;
}

/// A temporary directory removed on drop.
mod tempdir {
    use std::path::PathBuf;

    pub struct Dir {
        pub path: PathBuf,
    }

    impl Dir {
        pub fn new() -> Dir {
            static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("dcms-e2e-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&path).expect("profile dir");
            Dir { path }
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
